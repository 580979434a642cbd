using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;

namespace Switchboard.Tests.Mail;

/// <summary>
/// A real SMTP server for the mail tests: Python's aiosmtpd (Debian's python3-aiosmtpd) with STARTTLS on a
/// self-signed certificate, AUTH required, and every accepted message written to a Maildir the test reads.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    public const string User = "relay-user";
    public const string Password = "relay-password-7d1f";

    private const string Script = """
        import ssl, sys, threading
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox
        from aiosmtpd.smtp import AuthResult, LoginPassword

        port, maildir, user, password, cert, key = sys.argv[1:7]

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), tls_context=context,
                                require_starttls=True, authenticator=authenticator, auth_required=True, auth_require_tls=True)
        controller.start()
        print("ready", flush=True)
        threading.Event().wait()
        """;

    private readonly string directory = Path.Combine(Path.GetTempPath(), "switchboard-smtp-" + Guid.NewGuid().ToString("N"));
    private Process? process;

    private SmtpServer(int port)
    {
        Port = port;
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(ScriptPath, Script);
        CertificateSha256 = Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }

    public int Port { get; }

    /// <summary>The fingerprint Switchboard pins (<c>Switchboard:Smtp:CertificateSha256</c>).</summary>
    public string CertificateSha256 { get; }

    private string MailDir => Path.Combine(directory, "maildir");

    private string CertificatePath => Path.Combine(directory, "cert.pem");

    private string KeyPath => Path.Combine(directory, "key.pem");

    private string ScriptPath => Path.Combine(directory, "smtp_server.py");

    /// <summary>Prepares a server on a free port without starting it (to test a relay that is down).</summary>
    public static SmtpServer OnFreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new SmtpServer(port);
    }

    public static async Task<SmtpServer> StartAsync()
    {
        var server = OnFreePort();
        await server.StartListeningAsync();
        return server;
    }

    public Dictionary<string, string?> Settings() => new()
    {
        ["Switchboard:Smtp:Host"] = "127.0.0.1",
        ["Switchboard:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Switchboard:Smtp:Security"] = "starttls",
        ["Switchboard:Smtp:Username"] = User,
        ["Switchboard:Smtp:Password"] = Password,
        ["Switchboard:Smtp:From"] = "Switchboard <no-reply@switchboard.test>",
        ["Switchboard:Smtp:CertificateSha256"] = CertificateSha256,
        ["Switchboard:Smtp:RetryBaseDelay"] = "00:00:01",
    };

    public async Task StartListeningAsync()
    {
        // Debian's interpreter: its python3-aiosmtpd is not on another python3 that may come first on PATH.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { ScriptPath, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), MailDir, User, Password, CertificatePath, KeyPath })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (ready != "ready")
        {
            throw new InvalidOperationException("The SMTP server did not start (is Debian's python3-aiosmtpd installed?): " + await process.StandardError.ReadToEndAsync());
        }
    }

    /// <summary>The messages the server accepted so far, parsed.</summary>
    public IReadOnlyList<MimeMessage> Received()
    {
        var folder = Path.Combine(MailDir, "new");
        return Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(f => MimeMessage.Load(f))] : [];
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
