using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Common.Persistence;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>Never 200 without a durable write: a database that is away, or a full node, means a fast 503.</summary>
public sealed class WebhookAvailabilityTests
{
    [Fact]
    public async Task While_the_database_is_unreachable_webhooks_get_a_fast_503_and_200_again_once_it_is_back()
    {
        await using var database = new PostgresTestDatabase();
        await database.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ServerConnectionString);
        await using var proxy = new TcpProxy(server.Host!, server.Port);
        proxy.Start();
        var viaProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = proxy.Port, Timeout = 3 }.ToString();
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { ["ConnectionStrings:Switchboard"] = viaProxy });
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        (await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("before")))).StatusCode.Should().Be(HttpStatusCode.OK);

        proxy.Stop();
        var clock = Stopwatch.StartNew();
        var during = await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("during")));
        var firstAnswer = clock.Elapsed;
        var again = await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("during, again")));

        during.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        again.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        firstAnswer.Should().BeLessThan(TimeSpan.FromSeconds(10), "Meta is told to retry instead of being kept waiting");

        proxy.Start();
        HttpStatusCode status = default;
        for (var i = 0; i < 50 && status != HttpStatusCode.OK; i++)
        {
            await Task.Delay(200);
            status = (await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text($"after {i}")))).StatusCode;
        }

        status.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
        var texts = (await app.MessagesAsync(tenant)).Select(m => m["text"]!.GetValue<string>()).ToList();
        texts.Should().Contain("before").And.NotContain("during").And.NotContain("during, again");
    }

    [Fact]
    public async Task A_full_append_queue_answers_saturated_at_once()
    {
        var options = Options.Create(new WebhookOptions { MaxPendingAppends = 1, AckTimeout = TimeSpan.FromSeconds(5) });
        using var gate = new SqliteWriteGate();
        using var writer = new WebhookJournal(new NoDatabase(), new WebhookSignal(), gate, options, TimeProvider.System, NullLogger<WebhookJournal>.Instance);

        // The writer is not running: the first event waits in the queue, the second finds it full.
        var first = writer.AppendAsync(new WebhookEvent { Id = Guid.CreateVersion7() }, default);
        var second = await writer.AppendAsync(new WebhookEvent { Id = Guid.CreateVersion7() }, default);

        second.Should().Be(AppendOutcome.Saturated);
        first.IsCompleted.Should().BeFalse("the first one is still waiting for its commit");
    }

    private sealed class NoDatabase : IDbContextFactory<SwitchboardDbContext>
    {
        public SwitchboardDbContext CreateDbContext() => throw new InvalidOperationException("not used");
    }
}
