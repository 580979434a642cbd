using Switchboard.Features.Analytics;
using Switchboard.Features.Assistant;
using Switchboard.Features.Conversations;
using Switchboard.Features.Knowledge;
using Switchboard.Features.Privacy;
using Switchboard.Hosting;
using Switchboard.Hosting.Demo;

// Operator commands run instead of the server (CONTRACT: `-- verify-export PATH`).
if (args is [VerifyExportCommand.Name, .. var rest])
{
    return VerifyExportCommand.Run(rest, Console.Out, Console.Error);
}

if (args is [EvalAiCommand.Name, .. var evalOptions])
{
    return EvalAiCommand.Run(evalOptions, Console.Out, Console.Error);
}

// `-- backup --output PATH`, `-- restore --input PATH [--force]` (the server is stopped): ADR 0038.
if (args is [BackupCommands.Backup or BackupCommands.Restore, .. var backupArgs])
{
    var configuration = WebApplication.CreateBuilder().Configuration;
    return args[0] == BackupCommands.Backup
        ? await BackupCommands.BackUpAsync(configuration, backupArgs, Console.Out, Console.Error)
        : await BackupCommands.RestoreAsync(configuration, backupArgs, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddDemoMode();
builder.AddSwitchboard();

var app = builder.Build();
if (args is [RebuildReportsCommand.Name, .. var options])
{
    return await RebuildReportsCommand.RunAsync(app.Services, options, Console.Out, Console.Error);
}

if (args is [EvalKnowledgeCommand.Name, .. var kbOptions])
{
    return await EvalKnowledgeCommand.RunAsync(app.Services, kbOptions, Console.Out, Console.Error);
}

if (args is [SearchBackfillCommand.Name, .. var backfillOptions])
{
    return await SearchBackfillCommand.RunAsync(app.Services, backfillOptions, Console.Out, Console.Error);
}

app.MapSwitchboard();
app.MapDemoMode();
app.Run();
return 0;

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
