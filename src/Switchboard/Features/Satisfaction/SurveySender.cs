using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;

namespace Switchboard.Features.Satisfaction;

/// <summary>
/// Sends planned surveys on the shared job runner (ADR 0021, 0031): claims one by pushing its due time to
/// the lease's end, queues it through the outbox like any reply (so the window, pacing and never-double-send
/// rules hold), keyed by the survey id so a retry after a crash finds the message already queued.
/// </summary>
internal sealed class SurveySender(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    ConversationLedger ledger,
    ContactDirectory contacts,
    ContactKeys contactKeys,
    OutboxSignal outboxSignal,
    BlobStore blobs,
    TimeProvider clock) : IJobSource<SurveyJob>
{
    public JobSchedule Schedule { get; } = new("Satisfaction surveys", TimeSpan.FromSeconds(30));

    public TimeSpan Lease => TimeSpan.FromSeconds(60);

    public int BatchSize => 32;

    public RetryPolicy Retry { get; } = new(5, new Backoff(TimeSpan.FromSeconds(2), 4, TimeSpan.FromMinutes(5)));

    public async Task<IReadOnlyList<SurveyJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.CsatSurveys.AsNoTracking().IgnoreQueryFilters()
            .Where(s => s.State == SurveyState.Pending && s.DueAt <= now)
            .OrderBy(s => s.DueAt).Take(limit).ToListAsync(ct);
        return [.. due.Select(s => new SurveyJob(s))];
    }

    public async Task<bool> ClaimAsync(SurveyJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var s = job.Survey;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await Mine(db, s, SurveyState.Pending, s.DueAt, null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.DueAt, leaseUntil).SetProperty(r => r.LeaseOwner, owner), ct);
        (job.Owner, job.LeaseUntil) = (owner, leaseUntil);
        return claimed == 1;
    }

    public int AttemptsOf(SurveyJob job) => job.Survey.Attempts;

    public async Task RunAsync(SurveyJob job, int attempt, CancellationToken ct)
    {
        var s = job.Survey;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await db.SatisfactionSettings.AsNoTracking().FirstOrDefaultAsync(x => x.TenantId == s.TenantId, ct);
        (SurveyState State, Guid? MessageId, string? Error) result;
        if (settings is not { Enabled: true })
        {
            result = (SurveyState.Skipped, null, "disabled");
        }
        else
        {
            var outcome = await SendMessage.SendAsync(s.TenantId, s.ConversationId, RequestOf(s, settings), $"csat-survey:{s.Id:N}", db, ledger, contacts, contactKeys, outboxSignal, blobs, clock, ct, MessageAuthor.Automation);
            result = outcome switch
            {
                { Value: { } queued } => (SurveyState.Sent, queued.Id, null),
                { Failure.Kind: FailureKind.NotFound } => (SurveyState.Skipped, null, "conversation-deleted"),
                { Failure.ProblemType: Problems.WindowClosedType } => (SurveyState.Skipped, null, "window-closed"),
                { Failure: { } failure } => (SurveyState.Failed, null, failure.Kind.ToString().ToLowerInvariant()),
                _ => throw new InvalidOperationException("An outcome has a value or a failure."),
            };
        }

        var now = clock.GetUtcNow();
        await using var write = await dbFactory.CreateDbContextAsync(ct);
        await Mine(write, s, SurveyState.Pending, job.LeaseUntil, job.Owner).ExecuteUpdateAsync(
            u => u.SetProperty(r => r.State, result.State).SetProperty(r => r.MessageId, result.MessageId)
                .SetProperty(r => r.SentAt, result.State == SurveyState.Sent ? now : null).SetProperty(r => r.LastError, result.Error)
                .SetProperty(r => r.LeaseOwner, (Guid?)null).SetProperty(r => r.Attempts, attempt),
            ct);
    }

    /// <summary>The survey as WhatsApp shows it: a list of five scores, or three buttons (ADR 0031).</summary>
    public static SendRequest RequestOf(CsatSurvey survey, SatisfactionSettings settings) => settings.Format switch
    {
        SurveyFormat.Buttons => new SendRequest(
            "buttons", settings.Question, null, null, null, null, null, null,
            [new SendButton(SatisfactionStep.ReplyId(survey.Id, 5), "Great"), new SendButton(SatisfactionStep.ReplyId(survey.Id, 3), "Okay"), new SendButton(SatisfactionStep.ReplyId(survey.Id, 1), "Poor")],
            null),
        _ => new SendRequest(
            "list", settings.Question, null, null, null, null, null, null, null,
            new SendList("Rate us", [new SendListSection("Your rating", [.. Labels.Select((label, i) => new SendListRow(SatisfactionStep.ReplyId(survey.Id, 5 - i), label, null))])])),
    };

    private static readonly string[] Labels = ["5 — Excellent", "4 — Good", "3 — Okay", "2 — Poor", "1 — Very poor"];

    /// <summary>The run wrote the survey's outcome itself.</summary>
    public Task CompleteAsync(SurveyJob job, CancellationToken ct) => Task.CompletedTask;

    public async Task FailAsync(SurveyJob job, JobFailure failure, CancellationToken ct)
    {
        var s = job.Survey;
        var error = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await Mine(db, s, SurveyState.Pending, job.LeaseUntil, job.Owner).ExecuteUpdateAsync(
            u => u.SetProperty(r => r.State, failure.GiveUp ? SurveyState.Failed : SurveyState.Pending).SetProperty(r => r.DueAt, failure.NextAttemptAt)
                .SetProperty(r => r.LeaseOwner, (Guid?)null).SetProperty(r => r.Attempts, failure.Attempt).SetProperty(r => r.LastError, error),
            ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CsatSurveys.IgnoreQueryFilters().Where(s => s.State == SurveyState.Pending).MinAsync(s => (DateTimeOffset?)s.DueAt, ct);
    }

    public async Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct)
    {
        var ids = owners.Select(o => (Guid?)o).ToList();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.CsatSurveys.IgnoreQueryFilters().Where(s => s.State == SurveyState.Pending && ids.Contains(s.LeaseOwner))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.DueAt, now).SetProperty(s => s.LeaseOwner, (Guid?)null), ct);
    }

    private static IQueryable<CsatSurvey> Mine(SwitchboardDbContext db, CsatSurvey s, SurveyState state, DateTimeOffset dueAt, Guid? owner) =>
        db.CsatSurveys.IgnoreQueryFilters().Where(r => r.TenantId == s.TenantId && r.ConversationId == s.ConversationId && r.State == state && r.DueAt == dueAt
            && (owner == null || r.LeaseOwner == owner));
}

/// <summary>One due survey, as found, and this attempt's lease.</summary>
internal sealed class SurveyJob(CsatSurvey survey)
{
    public CsatSurvey Survey { get; } = survey;

    public Guid Owner { get; set; }

    public DateTimeOffset LeaseUntil { get; set; }
}
