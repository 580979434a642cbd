using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Outbound;

namespace Switchboard.Tests.Telemetry;

/// <summary>
/// Customers' numbers, names and message content never reach a span or a metric (ADR 0036): webhooks and
/// replies carry planted values, every activity of the process is collected, /metrics is scraped, and none
/// of the planted values may appear. Also: the traces cross the durable queues.
/// </summary>
public abstract class TelemetryPrivacyTests(TelemetryFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task No_planted_personal_data_appears_in_any_span_or_metric_and_traces_cross_the_queues()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var customerNumber = "1555" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] planted = [customerNumber, "Plantedname" + marker, "planted inbound body " + marker, "planted reply text " + marker, "planted caption " + marker];
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var wamid = "wamid.in-" + Guid.NewGuid().ToString("N");
        var inbound = new WebhookPayloads.Inbound(wamid, customerNumber, planted[2], DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Name: planted[1]);
        (await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, inbound))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        Guid conversationId, inboundId;
        await using (var db = App.NewDbContext())
        {
            var message = await db.Messages.SingleAsync(m => m.TenantId == tenant.Id && m.Wamid == wamid);
            (conversationId, inboundId) = (message.ConversationId, message.Id);
        }

        var chat = new Chat(App, tenant, phone, conversationId, inboundId, wamid);
        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "text", text = planted[3] }));
        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "image", text = planted[4], media = new { data = "/9j/4AAQ", mimeType = "image/jpeg" } }));

        string metrics;
        using (var client = App.OperatorClient())
        {
            metrics = await client.GetStringAsync("/metrics");
        }

        // A send's span may stop a moment after the outcome the waits above read is stored: wait for both spans.
        await Eventually.PollValueAsync(() => Task.FromResult(activities.ToArray().Count(a => a.OperationName == "outbox send" && a.GetTagItem("switchboard.tenant_id") is Guid t && t == tenant.Id) >= 2 ? true : (bool?)null), seconds: 10);
        var spans = activities.ToArray();
        var text = new StringBuilder(metrics);
        foreach (var activity in spans)
        {
            text.Append('\n').Append(activity.Source.Name).Append(' ').Append(activity.OperationName).Append(' ').Append(activity.DisplayName).Append(' ').Append(activity.StatusDescription);
            foreach (var (key, value) in activity.TagObjects)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }

            foreach (var e in activity.Events)
            {
                text.Append(' ').Append(e.Name);
                foreach (var (key, value) in e.Tags)
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
            }

            foreach (var (key, value) in activity.Baggage)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }
        }

        var everything = text.ToString();
        foreach (var value in planted)
        {
            everything.Should().NotContain(value);
        }

        // The planted values did travel: the reply reached the Graph API.
        fixture.Graph.Sends.Should().Contain(s => s.PhoneNumberId == phone && s.Body.Contains(planted[3], StringComparison.Ordinal));

        // webhook → durable store → processing → realtime: the processing span continues (or links) the request's trace.
        var store = spans.Where(a => a.OperationName == "webhook store" && a.Source.Name == "Switchboard").ToList();
        var process = spans.Where(a => a.OperationName == "webhook process").ToList();
        process.Should().Contain(p => p.TraceId == store[0].TraceId || p.Links.Any(l => l.Context.TraceId == store[0].TraceId));
        var processing = process.First(p => p.TraceId == store[0].TraceId || p.Links.Any(l => l.Context.TraceId == store[0].TraceId));
        spans.Should().Contain(a => a.OperationName == "realtime publish" && a.ParentSpanId == processing.SpanId);

        // reply → outbox → Graph call: the send span and its HTTP call belong to the reply request's trace.
        var sends = spans.Where(a => a.OperationName == "outbox send" && a.GetTagItem("switchboard.tenant_id") is Guid t && t == tenant.Id).ToList();
        sends.Should().HaveCount(2);
        foreach (var send in sends)
        {
            spans.Should().Contain(a => a.Kind == ActivityKind.Server && a.TraceId == send.TraceId && a.SpanId == send.ParentSpanId, "the send continues the request that queued it");
            spans.Should().Contain(a => a.Kind == ActivityKind.Client && a.ParentSpanId == send.SpanId, "the Graph call is a child of the send");
        }
    }
}

public sealed class TelemetryPrivacyTests_Sqlite(SqliteTelemetryFixture fixture) : TelemetryPrivacyTests(fixture), IClassFixture<SqliteTelemetryFixture>;

public sealed class TelemetryPrivacyTests_Postgres(PostgresTelemetryFixture fixture) : TelemetryPrivacyTests(fixture), IClassFixture<PostgresTelemetryFixture>;
