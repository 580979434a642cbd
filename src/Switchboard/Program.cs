using Switchboard.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddSwitchboard();

var app = builder.Build();
app.MapSwitchboard();
app.Run();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
