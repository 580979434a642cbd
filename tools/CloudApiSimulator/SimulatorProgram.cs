namespace CloudApiSimulator;

/// <summary>
/// Runs the simulator on its own: <c>dotnet run --project tools/CloudApiSimulator -- --urls http://127.0.0.1:5090</c>
/// with numbers configured as Simulator__Numbers__0__PhoneNumberId, …__AppSecret, …__AccessToken, …__WebhookUrl.
/// The Graph API is then at /graph/v25.0 and the customer page at /.
/// </summary>
public static class SimulatorProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddCloudApiSimulator(builder.Configuration.GetSection(SimulatorOptions.Section), "/");
        var app = builder.Build();
        app.MapCloudApiSimulator("/");
        app.Run();
    }
}
