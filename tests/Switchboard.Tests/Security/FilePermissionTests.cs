using System.Net;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Media;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>
/// What Switchboard writes to disk (the SQLite database with its WAL and SHM files, media blobs, generated
/// keys) is readable by its own user only, whatever the process's umask: 0700 folders, 0600 files.
/// </summary>
public sealed class FilePermissionTests : IAsyncLifetime
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly SqliteTestDatabase unused = new();
    private FakeGraphApi graph = null!;

    public async Task InitializeAsync() => graph = await FakeGraphApi.StartAsync();

    public async Task DisposeAsync()
    {
        await graph.DisposeAsync();
        await unused.DisposeAsync();
    }

    [Fact]
    public async Task The_database_media_and_generated_keys_are_created_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", "perm-" + Guid.NewGuid().ToString("N"), "data");
        await using var app = new SwitchboardApp(unused, new Dictionary<string, string?>
        {
            // The embedded default: database, master key and operator key generated in the data directory.
            ["ConnectionStrings:Switchboard"] = null,
            ["Switchboard:MasterKey"] = null,
            ["Switchboard:OperatorApiKey"] = null,
            ["Switchboard:WhatsApp:GraphApiBaseUrl"] = graph.GraphApiBaseUrl,
        }, dataDirectory);
        _ = app.Server;
        var operatorKey = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "operator.key"))).Trim();
        var tenant = await StoreAnAttachmentAsync(app, operatorKey);

        var paths = new[] { "switchboard.db", "switchboard.db-wal", "switchboard.db-shm", "master.key", "operator.key" }
            .Select(name => Path.Combine(dataDirectory, name))
            .Concat(Directory.GetFiles(Path.Combine(dataDirectory, "media"), "*", SearchOption.AllDirectories))
            .ToList();
        var folders = new[] { dataDirectory, Path.Combine(dataDirectory, "media"), Path.Combine(dataDirectory, "media", tenant.ToString("N")) };

        paths.Should().HaveCountGreaterThan(5, "the attachment's blob is among them");
        foreach (var path in paths)
        {
            File.GetUnixFileMode(path).Should().Be(OwnerOnlyFile, path);
        }

        foreach (var folder in folders)
        {
            File.GetUnixFileMode(folder).Should().Be(OwnerOnlyFolder, folder);
        }
    }

    private async Task<Guid> StoreAnAttachmentAsync(SwitchboardApp app, string operatorKey)
    {
        using var operatorClient = app.ClientWithKey(operatorKey);
        var created = await operatorClient.PostAsync("/api/v1/tenants", new StringContent("""{"name":"Files"}""", System.Text.Encoding.UTF8, "application/json"));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var body = await created.ReadJsonAsync();
        var tenant = new TestTenant(body["id"]!.GetValue<Guid>(), "Files", body["apiKey"]!.GetValue<string>());
        var phone = Builders.NewPhoneNumberId();
        await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));

        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        graph.Files[mediaId] = new FakeGraphApi.MediaFile([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3], "image/jpeg");
        var webhook = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Sender" }, wa_id = "16505550999" }],
            messages: [new { from = "16505550999", id = "wamid." + mediaId, timestamp = "1750000000", type = "image", image = new { mime_type = "image/jpeg", sha256 = graph.Files[mediaId].Sha256, id = mediaId } }])]]);
        (await app.PostSignedAsync(tenant.Id, webhook)).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();

        for (var i = 0; i < 200; i++)
        {
            await using var db = app.NewDbContext();
            if (await db.MediaObjects.AnyAsync(m => m.TenantId == tenant.Id && m.MetaMediaId == mediaId && m.State == MediaState.Stored))
            {
                return tenant.Id;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The attachment was never stored.");
    }
}
