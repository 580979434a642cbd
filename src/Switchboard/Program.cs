using Switchboard.Hosting;
using Switchboard.Hosting.Demo;

var builder = WebApplication.CreateBuilder(args);
builder.AddDemoMode();
builder.AddSwitchboard();

var app = builder.Build();
app.MapSwitchboard();
app.MapDemoMode();
app.Run();

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
