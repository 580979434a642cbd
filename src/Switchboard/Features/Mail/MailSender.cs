using System.Net.Sockets;
using System.Security.Cryptography;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Mail;

/// <summary>
/// Sends queued mail through the configured SMTP relay (MailKit) on the shared job runner (ADR 0021): each
/// mail is claimed by one node, retried with backoff while the relay is away, and deleted once accepted.
/// A relay's 5xx answer, a bad address or an erased tenant ends it as failed. Logs name the mail's id and
/// kind, never its recipient or content.
/// </summary>
internal sealed partial class MailSender(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    MailSeals sealer,
    IOptions<MailOptions> options,
    ILogger<MailSender> logger) : IJobSource<MailJob>
{
    public JobSchedule Schedule { get; } = new("Mail sender", TimeSpan.FromSeconds(10));

    public TimeSpan Lease => TimeSpan.FromMinutes(2);

    public int BatchSize => 16;

    public RetryPolicy Retry => new(options.Value.MaxAttempts, new Backoff(options.Value.RetryBaseDelay, 4, TimeSpan.FromHours(1)));

    public async Task<IReadOnlyList<MailJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        if (!options.Value.Enabled)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.Set<OutgoingMail>().AsNoTracking()
            .Where(m => m.State == MailState.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt)
            .Take(limit)
            .ToListAsync(ct);
        return [.. due.Select(m => new MailJob(m))];
    }

    public async Task<bool> ClaimAsync(MailJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var mail = job.Mail;
        job.Db = await dbFactory.CreateDbContextAsync(ct);
        var claimed = await job.Db.Set<OutgoingMail>()
            .Where(m => m.TenantId == mail.TenantId && m.Id == mail.Id && m.State == MailState.Pending && m.NextAttemptAt == mail.NextAttemptAt)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, leaseUntil), ct);
        return claimed == 1;
    }

    public int AttemptsOf(MailJob job) => job.Mail.Attempts;

    public async Task RunAsync(MailJob job, int attempt, CancellationToken ct)
    {
        var mail = job.Mail;
        job.Db!.Set<OutgoingMail>().Attach(mail);
        mail.Attempts = attempt;
        var settings = options.Value;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(await sealer.OpenAsync(mail, nameof(OutgoingMail.Recipient), mail.Recipient, ct)));
        message.Subject = await sealer.OpenAsync(mail, nameof(OutgoingMail.Subject), mail.Subject, ct);
        message.Body = new TextPart("plain") { Text = await sealer.OpenAsync(mail, nameof(OutgoingMail.Body), mail.Body, ct) };
        message.MessageId = $"{mail.Id:N}@switchboard";

        using var smtp = new SmtpClient { Timeout = 30_000 };
        if (settings.CertificateSha256 is { Length: > 0 } pinned)
        {
            smtp.ServerCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && CryptographicOperations.FixedTimeEquals(
                    SHA256.HashData(certificate.GetRawCertData()), Convert.FromHexString(pinned.Replace(":", "", StringComparison.Ordinal)));
        }

        var security = settings.Security.ToLowerInvariant() switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await smtp.ConnectAsync(settings.Host!, settings.Port, security, ct);
        if (!string.IsNullOrEmpty(settings.Username))
        {
            await smtp.AuthenticateAsync(settings.Username, settings.Password ?? "", ct);
        }

        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(quit: true, ct);
    }

    /// <summary>Accepted by the relay: nothing of it is kept.</summary>
    public async Task CompleteAsync(MailJob job, CancellationToken ct)
    {
        job.Db!.Remove(job.Mail);
        await job.Db.SaveChangesAsync(ct);
        LogSent(job.Mail.Id, job.Mail.Kind, job.Mail.Attempts);
    }

    public (string Error, bool Permanent) Classify(Exception error) => error switch
    {
        SmtpCommandException { StatusCode: var code } when (int)code >= 500 => ($"smtp:{(int)code}", true),
        SmtpCommandException { StatusCode: var code } => ($"smtp:{(int)code}", false),
        AuthenticationException => ("smtp:authentication", false),
        SslHandshakeException => ("smtp:tls", false),
        SocketException socket => ($"socket:{socket.SocketErrorCode}", false),
        ParseException => ("address", true),
        KeyDestroyedException => ("erased", true),
        _ => ("error:" + SafeError.Describe(error), false),
    };

    public async Task FailAsync(MailJob job, JobFailure failure, CancellationToken ct)
    {
        var mail = job.Mail;
        mail.LastError = failure.Error.Length <= 200 ? failure.Error : failure.Error[..200];
        mail.State = failure.GiveUp ? MailState.Failed : MailState.Pending;
        mail.NextAttemptAt = failure.NextAttemptAt;
        await job.Db!.SaveChangesAsync(ct);
        LogFailed(mail.Id, mail.Kind, failure.Attempt, failure.Error, failure.GiveUp);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        if (!options.Value.Enabled)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<OutgoingMail>().Where(m => m.State == MailState.Pending).MinAsync(m => (DateTimeOffset?)m.NextAttemptAt, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail {MailId} ({Kind}) accepted by the relay after {Attempts} attempt(s)")]
    private partial void LogSent(Guid mailId, string kind, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {MailId} ({Kind}) attempt {Attempt} failed ({Reason}); given up: {GaveUp}")]
    private partial void LogFailed(Guid mailId, string kind, int attempt, string reason, bool gaveUp);
}

internal sealed class MailJob(OutgoingMail mail) : IAsyncDisposable
{
    public OutgoingMail Mail { get; } = mail;

    public SwitchboardDbContext? Db { get; set; }

    public ValueTask DisposeAsync() => Db?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>Mail that could not be delivered is kept 30 days (sealed) for the admin to see that it failed, then removed.</summary>
internal sealed class MailPurge(TimeProvider clock) : IBookkeepingPurge
{
    public Task<int> PurgeAsync(SwitchboardDbContext db, DateTimeOffset before, CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().AddDays(-30);
        return db.Set<OutgoingMail>().Where(m => m.State == MailState.Failed && m.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
