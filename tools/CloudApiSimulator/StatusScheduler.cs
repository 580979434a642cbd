using Microsoft.Extensions.Options;

namespace CloudApiSimulator;

/// <summary>
/// The customer's phone answering each send: signed status webhooks sent → delivered → read (a reaction
/// only gets sent), some failed with a real error code, some duplicated or out of order, as Meta does.
/// </summary>
public sealed class StatusScheduler(WebhookPoster poster, SimulatorState state, IOptionsMonitor<SimulatorOptions> options)
{
    public void Schedule(SimulatedNumber number, string wamid, string customer, string type)
    {
        if (string.IsNullOrEmpty(number.WebhookUrl))
        {
            return;
        }

        var settings = options.CurrentValue.Statuses;
        var steps = new List<(int Delay, string Status, int? Code, string? Title)> { (settings.SentAfterMilliseconds, "sent", null, null) };
        if (type != "reaction")
        {
            if (Random.Shared.NextDouble() < settings.FailRate)
            {
                steps.Add((settings.DeliveredAfterMilliseconds, "failed", 131026, "Message undeliverable"));
            }
            else
            {
                steps.Add((settings.DeliveredAfterMilliseconds, "delivered", null, null));
                steps.Add((settings.ReadAfterMilliseconds, "read", null, null));
                if (Random.Shared.NextDouble() < settings.ReorderRate)
                {
                    // read overtakes delivered on the way, as webhook order is not guaranteed.
                    steps[^1] = (settings.DeliveredAfterMilliseconds - 10, "read", null, null);
                    steps[^2] = (settings.ReadAfterMilliseconds, "delivered", null, null);
                }
            }
        }

        foreach (var (delay, status, code, title) in steps)
        {
            var duplicate = Random.Shared.NextDouble() < settings.DuplicateRate;
            _ = Task.Run(async () =>
            {
                await Task.Delay(Math.Max(0, delay));
                SetStatus(number, customer, wamid, status);
                var payload = Payloads.Status(number, wamid, status, customer, code, title);
                await poster.PostAsync(number, payload);
                if (duplicate)
                {
                    await poster.PostAsync(number, payload);
                }
            });
        }
    }

    private void SetStatus(SimulatedNumber number, string customer, string wamid, string status)
    {
        foreach (var line in state.Chat(number.PhoneNumberId, customer).Where(l => l.Wamid == wamid))
        {
            line.Status = status;
        }
    }
}
