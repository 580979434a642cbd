using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Outbound;
using Answer = Switchboard.Tests.Infrastructure.FakeGraphApi.SendAnswer;

namespace Switchboard.Tests.Telemetry;

/// <summary><c>/metrics</c>: the operator's only, and the product's series there and moving after traffic (ADR 0036).</summary>
public abstract class MetricsEndpointTests(TelemetryFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Without_the_operator_key_metrics_are_refused()
    {
        var tenant = await App.CreateTenantAsync();
        using var anonymous = App.ClientWithKey(null);
        using var wrongKey = App.ClientWithKey("op_" + new string('0', 32));
        using var tenantKey = App.ClientWithKey(tenant.ApiKey);

        (await anonymous.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await wrongKey.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await tenantKey.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a tenant's key is not the operator's");
    }

    [Fact]
    public async Task The_operator_scrapes_prometheus_text_and_the_series_move_with_traffic()
    {
        var before = await ScrapeAsync();

        // A reply that Meta accepts, one it refuses with a code, one whose token expired (it stays queued),
        // and a webhook with a wrong signature.
        // The first tenant greets new customers, so an automation job runs (ADR 0069: only such tenants queue one).
        var greeting = await App.CreateTenantAsync();
        using (var admin = App.ClientWithKey(greeting.ApiKey))
        {
            (await admin.PutAsJsonAsync($"/api/v1/tenants/{greeting.Id}/automation/replies", new { greeting = "Hello" })).EnsureSuccessStatusCode();
        }

        var chat = await Chat.StartAsync(App, customer: "1650" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture), tenant: greeting);
        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "text", text = "hello" }));
        var refused = await Chat.StartAsync(App, customer: "1650" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture));
        ScriptFor(refused, _ => Answer.Error(400, 131026, "Message undeliverable"));
        await refused.WaitForOutcomeAsync(await refused.ReplyAcceptedAsync(new { type = "text", text = "hello" }));
        var paused = await Chat.StartAsync(App, customer: "1650" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture));
        ScriptFor(paused, _ => Answer.Error(401, 190, "Error validating access token"));
        await paused.ReplyAcceptedAsync(new { type = "text", text = "hello" });
        using (var client = App.CreateClient())
        {
            (await client.PostWebhookAsync(chat.Tenant.Id, WebhookPayloads.Messages(chat.Phone), "sha256=" + new string('0', 64))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var after = await EventuallyScrapeAsync(text =>
            Value(text, "switchboard_outbox_depth", $"phone_number_id=\"{paused.Phone}\"") >= 1
            && Value(text, "switchboard_outbox_sends_total", "outcome=\"token-expired\"") > Value(before, "switchboard_outbox_sends_total", "outcome=\"token-expired\"")
            && Value(text, "switchboard_job_runs_total", null) > Value(before, "switchboard_job_runs_total", null));

        Moved("switchboard_webhook_requests_total", "outcome=\"accepted\",reason=\"stored\"").Should().BeGreaterThanOrEqualTo(3);
        Moved("switchboard_webhook_requests_total", "outcome=\"refused\",reason=\"bad-signature\"").Should().BeGreaterThanOrEqualTo(1);
        Moved("switchboard_webhook_ack_duration_seconds_count", "outcome=\"accepted\"").Should().BeGreaterThanOrEqualTo(3);
        Moved("switchboard_webhook_processing_lag_seconds_count", null).Should().BeGreaterThanOrEqualTo(3);
        Moved("switchboard_webhook_events_processed_total", "state=\"processed\"").Should().BeGreaterThanOrEqualTo(3);
        Moved("switchboard_outbox_sends_total", "outcome=\"sent\"").Should().BeGreaterThanOrEqualTo(1);
        Moved("switchboard_outbox_sends_total", "outcome=\"failed\"").Should().BeGreaterThanOrEqualTo(1);
        Moved("switchboard_meta_errors_total", "code=\"131026\"").Should().BeGreaterThanOrEqualTo(1);
        Moved("switchboard_meta_errors_total", "code=\"190\"").Should().BeGreaterThanOrEqualTo(1);
        Moved("switchboard_realtime_published_total", "origin=\"local\"").Should().BeGreaterThanOrEqualTo(1);
        Moved("switchboard_job_runs_total", null).Should().BeGreaterThanOrEqualTo(1, "the greeting's automation job ran");
        after.Should().Contain("switchboard_webhook_ack_duration_seconds_bucket{");

        double Moved(string metric, string? labels) => Value(after, metric, labels) - Value(before, metric, labels);
    }

    private void ScriptFor(Chat chat, Func<FakeGraphApi.SentRequest, Answer> answer)
    {
        var previous = fixture.Graph.Answer;
        fixture.Graph.Answer = sent => sent.PhoneNumberId == chat.Phone ? answer(sent) : previous(sent);
    }

    private async Task<string> ScrapeAsync()
    {
        using var client = App.OperatorClient();
        var response = await client.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> EventuallyScrapeAsync(Func<string, bool> condition)
    {
        var text = "";
        for (var i = 0; i < 100; i++)
        {
            text = await ScrapeAsync();
            if (condition(text))
            {
                return text;
            }

            await Task.Delay(200);
        }

        condition(text).Should().BeTrue("the expected series should appear within 20 s:\n" + text);
        return text;
    }

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="labels"/> (0 when absent).</summary>
    internal static double Value(string exposition, string metric, string? labels)
    {
        var sum = 0.0;
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal)))
            {
                continue;
            }

            if (labels is not null && !line.Contains(labels, StringComparison.Ordinal))
            {
                continue;
            }

            var value = line[(line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : metric.Length)..].Trim().Split(' ')[0];
            sum += double.Parse(value, CultureInfo.InvariantCulture);
        }

        return sum;
    }
}

public sealed class MetricsEndpointTests_Sqlite(SqliteTelemetryFixture fixture) : MetricsEndpointTests(fixture), IClassFixture<SqliteTelemetryFixture>;

public sealed class MetricsEndpointTests_Postgres(PostgresTelemetryFixture fixture) : MetricsEndpointTests(fixture), IClassFixture<PostgresTelemetryFixture>;

/// <summary>Metrics are off unless configured: the path is unknown, even to the operator.</summary>
public abstract class MetricsOffTests(AppFixture fixture)
{
    [Fact]
    public async Task Metrics_are_off_by_default_and_the_path_is_not_found()
    {
        using var client = fixture.App.OperatorClient();
        (await client.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var anonymous = fixture.App.ClientWithKey(null);
        (await anonymous.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

public sealed class MetricsOffTests_Sqlite(SqliteAppFixture fixture) : MetricsOffTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class MetricsOffTests_Postgres(PostgresAppFixture fixture) : MetricsOffTests(fixture), IClassFixture<PostgresAppFixture>;
