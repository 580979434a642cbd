using Switchboard.Common.Jobs;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Transcripts;

/// <summary>Printable and JSON transcripts of a conversation, and encrypted archives of a date range's transcripts (ADR 0031).</summary>
public static class TranscriptsFeature
{
    public static IServiceCollection AddTranscripts(this IServiceCollection services)
    {
        services.AddSingleton<TranscriptBuilder>();
        services.AddSingleton<ArchiveSignal>();
        services.AddSingleton<IContactEraseStep, ArchiveContactErase>();
        services.AddJobRunner<ArchiveRunner, ArchiveJob>(sp => sp.GetRequiredService<ArchiveSignal>().Signal);
        return services;
    }

    public static IEndpointRouteBuilder MapTranscripts(this IEndpointRouteBuilder routes)
    {
        var read = TenantPolicies.Member(Permissions.TranscriptsRead);
        routes.MapGet("/api/v1/tenants/{tenantId:guid}/conversations/{conversationId:guid}/transcript", TranscriptsApi.GetAsync)
            .WithTags("Transcripts").WithName("GetConversationTranscript").RequireAuthorization(read).RequireVisibleConversation()
            .Produces<Transcript>(StatusCodes.Status200OK, "application/json", "text/html");

        var archives = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/archives").WithTags("Transcripts").RequireAuthorization(read);
        archives.MapPost("", ArchivesApi.CreateAsync).WithName("CreateArchive");
        archives.MapGet("", ArchivesApi.ListAsync).WithName("ListArchives");
        archives.MapGet("/{archiveId:guid}", ArchivesApi.GetAsync).WithName("GetArchive");
        archives.MapGet("/{archiveId:guid}/download", ArchivesApi.DownloadAsync).WithName("DownloadArchive");
        return routes;
    }
}
