using Microsoft.Extensions.Options;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Mail;

/// <summary>Wakes the mail sender when a mail was committed.</summary>
internal sealed class MailSignal
{
    public WorkSignal Signal { get; } = new();
}

/// <summary>
/// How other features send e-mail: the mail joins the caller's unit of work, so it is sent exactly when
/// what it announces is committed (an invite and its mail together, or neither), and a relay that is
/// down only delays it. Without a relay configured, nothing is queued and the caller shows its link instead.
/// </summary>
internal sealed class MailQueue(MailSeals sealer, MailSignal signal, IOptions<MailOptions> options, TimeProvider clock)
{
    public bool Enabled => options.Value.Enabled;

    /// <summary>Adds the mail to <paramref name="db"/>'s unit of work (sealed); false when mail is off. Call <see cref="Wake"/> after the commit.</summary>
    public async Task<bool> EnqueueAsync(SwitchboardDbContext db, Guid tenantId, string kind, string to, string subject, string body, CancellationToken ct)
    {
        if (!Enabled)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var mail = new OutgoingMail { TenantId = tenantId, Id = Guid.CreateVersion7(now), Kind = kind, CreatedAt = now, NextAttemptAt = now };
        mail.Recipient = await sealer.SealAsync(mail, nameof(OutgoingMail.Recipient), to, ct);
        mail.Subject = await sealer.SealAsync(mail, nameof(OutgoingMail.Subject), subject, ct);
        mail.Body = await sealer.SealAsync(mail, nameof(OutgoingMail.Body), body, ct);
        db.Add(mail);
        return true;
    }

    public void Wake() => signal.Signal.Notify();
}
