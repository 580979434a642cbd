using Switchboard.Common.Jobs;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Webhooks;

namespace Switchboard.Tests.Jobs;

/// <summary>The workers' retry delays, all from the one <see cref="Backoff"/> formula, are the ones they always had.</summary>
public sealed class BackoffTests
{
    private static readonly int[] Attempts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20];

    [Fact]
    public void Webhook_events_wait_1_4_16_seconds_and_so_on_up_to_10_minutes()
    {
        WebhookProcessor.RetryBackoff.After(1).Should().Be(TimeSpan.FromSeconds(1));
        WebhookProcessor.RetryBackoff.After(3).Should().Be(TimeSpan.FromSeconds(16));
        WebhookProcessor.RetryBackoff.After(6).Should().Be(TimeSpan.FromMinutes(10));
        Attempts.Select(WebhookProcessor.RetryBackoff.After).Should().Equal(
            Attempts.Select(n => TimeSpan.FromSeconds(Math.Min(600, Math.Pow(4, Math.Max(0, n - 1))))));
    }

    [Fact]
    public void Media_fetches_wait_the_base_delay_times_4_per_attempt_up_to_2_hours()
    {
        var backoff = MediaFetcher.RetryBackoff(TimeSpan.FromSeconds(30));
        backoff.After(1).Should().Be(TimeSpan.FromSeconds(30));
        backoff.After(3).Should().Be(TimeSpan.FromMinutes(8));
        backoff.After(12).Should().Be(TimeSpan.FromHours(2));
        foreach (var baseDelay in new[] { TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50) })
        {
            Attempts.Select(MediaFetcher.RetryBackoff(baseDelay).After).Should().Equal(
                Attempts.Select(n => TimeSpan.FromSeconds(Math.Min(7200, baseDelay.TotalSeconds * Math.Pow(4, Math.Max(0, n - 1))))));
        }
    }

    [Fact]
    public void Sends_wait_the_base_delay_doubled_per_attempt_up_to_5_minutes()
    {
        var backoff = OutboxSender.RetryBackoff(TimeSpan.FromSeconds(1));
        backoff.After(1).Should().Be(TimeSpan.FromSeconds(1));
        backoff.After(4).Should().Be(TimeSpan.FromSeconds(8));
        backoff.After(10).Should().Be(TimeSpan.FromMinutes(5));
        foreach (var baseDelay in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(50) })
        {
            Attempts.Select(OutboxSender.RetryBackoff(baseDelay).After).Should().Equal(
                Attempts.Select(n => TimeSpan.FromSeconds(Math.Min(300, baseDelay.TotalSeconds * Math.Pow(2, Math.Max(0, n - 1))))));
        }
    }

    [Fact]
    public void A_failure_gives_up_at_the_last_attempt_or_at_once_when_permanent()
    {
        var now = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        var policy = new RetryPolicy(3, new Backoff(TimeSpan.FromSeconds(1), 4, TimeSpan.FromMinutes(10)));
        policy.Fail(1, permanent: false, now, "e").Should().Be(new JobFailure(1, false, now.AddSeconds(1), "e"));
        policy.Fail(2, permanent: false, now, "e").Should().Be(new JobFailure(2, false, now.AddSeconds(4), "e"));
        policy.Fail(3, permanent: false, now, "e").GiveUp.Should().BeTrue();
        policy.Fail(1, permanent: true, now, "e").GiveUp.Should().BeTrue();
    }
}
