namespace Switchboard.Features.Mail;

/// <summary>The <c>Switchboard:Smtp</c> section: where mail goes. Without a host no mail is sent and links are shown to the admin instead.</summary>
internal sealed class MailOptions
{
    public const string Section = "Switchboard:Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary><c>starttls</c> (default), <c>tls</c> (TLS from the first byte, usually port 465) or <c>none</c> (a relay on a trusted network).</summary>
    public string Security { get; set; } = "starttls";

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender, for example <c>Switchboard &lt;no-reply@example.com&gt;</c>.</summary>
    public string From { get; set; } = "Switchboard <no-reply@localhost>";

    /// <summary>
    /// SHA-256 fingerprint (hex) of the relay's own certificate, for an internal relay with a self-signed
    /// one: that certificate is accepted and no other. Empty: the system's trust store decides.
    /// </summary>
    public string? CertificateSha256 { get; set; }

    /// <summary>Delay before the second attempt; each later one waits four times longer (capped at 1 h).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxAttempts { get; set; } = 10;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}
