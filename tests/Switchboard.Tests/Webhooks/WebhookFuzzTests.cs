using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// Property test of the webhook pipeline: real payloads (tests/fixtures/payloads, plus any folder named by
/// SWITCHBOARD_FUZZ_CORPUS), mutated by a seeded generator, signed (a few signed wrongly) and posted to the
/// real endpoint, processed by the real processor. Whatever the bytes: no 5xx and no crashed loop, no
/// unsigned body stored, every message whose identity was left intact stored exactly once, no message
/// stored twice, and nothing stuck or retried — every event processed or quarantined at its first try.
/// SWITCHBOARD_FUZZ_COUNT sets the payloads per database (default 10,000), SWITCHBOARD_FUZZ_SEED the seed;
/// docs/fuzzing.md has the long run.
/// </summary>
public abstract class WebhookFuzzTests(AppFixture fixture, ITestOutputHelper output)
{
    private const string Lone = "__LONE__";
    private const string Nul = "__NUL__";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Mutated_real_payloads_never_crash_lose_duplicate_or_hold_up_a_message()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var n) ? n : 10_000;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261205;
        output.WriteLine($"seed {seed}, {count} payloads");
        var corpus = Corpus();
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));

        var signed = 0;
        var intact = new List<string>();
        var failures = new List<string>();
        var started = DateTime.UtcNow;
        var random = new Random(seed);
        var cases = Enumerable.Range(0, count).Select(i => Generate(new Random(random.Next()), corpus, phone, i)).ToList();
        using var client = App.CreateClient();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (item, ct) =>
        {
            var signature = item.BadSignature ? WebhookSender.Sign(item.Body, "not-the-app-secret") : WebhookSender.Sign(item.Body);
            var response = await client.PostWebhookAsync(tenant.Id, item.Body, signature);
            for (var retry = 0; response.StatusCode == HttpStatusCode.ServiceUnavailable && retry < 50; retry++)
            {
                // "Cannot store it right now" is allowed under load; Meta delivers again, and so does this test.
                response.Dispose();
                await Task.Delay(100, ct);
                response = await client.PostWebhookAsync(tenant.Id, item.Body, signature);
            }

            using var answered = response;
            var expected = item.BadSignature ? HttpStatusCode.Unauthorized : HttpStatusCode.OK;
            lock (intact)
            {
                if (response.StatusCode != expected)
                {
                    failures.Add($"case {item.Index}: {(int)response.StatusCode} instead of {(int)expected}");
                }
                else if (!item.BadSignature)
                {
                    signed++;
                    intact.AddRange(item.IntactWamids);
                }
            }
        });

        await WaitUntilSettledAsync(tenant.Id);
        output.WriteLine($"{count} payloads posted and processed in {(DateTime.UtcNow - started).TotalSeconds:F1} s");

        foreach (var line in App.Logs.Lines.Where(l => l.Contains("failed", StringComparison.Ordinal) || l.Contains("halves", StringComparison.Ordinal)).Take(20))
        {
            output.WriteLine(line);
        }

        failures.Should().BeEmpty();
        await using var db = App.NewDbContext();
        var events = await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).Select(e => new { e.State, e.Attempts, e.Reason }).ToListAsync();
        events.Should().HaveCount(signed, "every signed body is stored once, and no body with a wrong signature");
        events.Should().OnlyContain(e => e.State != WebhookEventState.Pending, "nothing is stuck");
        events.Where(e => e.Attempts > 0).Should().BeEmpty("content errors are never retried");
        output.WriteLine(string.Join(", ", events.GroupBy(e => e.Reason ?? "processed").Select(g => $"{g.Key}: {g.Count()}")));

        var stored = await db.Messages.Where(m => m.TenantId == tenant.Id).GroupBy(m => m.Wamid).Select(g => new { Wamid = g.Key, Count = g.Count() }).ToListAsync();
        // Mutated ids may collide across payloads (different messages, different times); the generated ones may not.
        stored.Where(m => m.Count > 1 && m.Wamid!.StartsWith("wamid.fz", StringComparison.Ordinal)).Should().BeEmpty("no message is stored twice");
        var storedWamids = stored.Select(m => m.Wamid).ToHashSet();
        intact.Distinct().Where(w => !storedWamids.Contains(w)).Should().BeEmpty("every message whose identity was left intact is stored");
        App.Logs.AllText.Should().NotContain("processor loop failed").And.NotContain("failed attempt");
    }

    private sealed record Case(int Index, byte[] Body, bool BadSignature, List<string> IntactWamids);

    private static List<JsonNode> Corpus()
    {
        var folders = new[] { Payloads.Directory, Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_CORPUS") }.OfType<string>().Where(Directory.Exists);
        return [.. folders.SelectMany(f => Directory.GetFiles(f, "*.json")).Order().Select(f => JsonNode.Parse(File.ReadAllText(f))).OfType<JsonNode>()];
    }

    /// <summary>One case: a corpus payload routed to the test number, its wamids made unique, then mutated.</summary>
    private static Case Generate(Random random, List<JsonNode> corpus, string phone, int index)
    {
        var root = corpus[random.Next(corpus.Count)].DeepClone();
        var messages = new List<JsonObject>();
        var k = 0;
        foreach (var value in root["entry"]!.AsArray().SelectMany(e => e!["changes"]!.AsArray()).Select(c => c!["value"]).OfType<JsonObject>())
        {
            if (value["metadata"] is JsonObject metadata)
            {
                metadata["phone_number_id"] = phone;
            }

            foreach (var message in (value["messages"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                message["id"] = $"wamid.fz{index}.{k++}";
                messages.Add(message);
            }
        }

        var touched = new HashSet<JsonObject>();
        var mutations = random.Next(0, 5);
        for (var i = 0; i < mutations; i++)
        {
            Mutate(random, root, touched);
        }

        // Meta's redeliveries: the same message twice in one payload.
        if (messages.Count > 0 && random.Next(10) == 0 && messages[0].Parent is JsonArray array)
        {
            array.Add(messages[0].DeepClone());
        }

        var intact = messages.Where(m => !touched.Contains(m) && ReferenceEquals(m.Root, root) && IsPlainlyValid(m)).Select(m => (string)m["id"]!).ToList();
        var text = root.ToJsonString().Replace(Lone, "\\udc00", StringComparison.Ordinal).Replace(Nul, "\\u0000", StringComparison.Ordinal);
        var body = Encoding.UTF8.GetBytes(text);
        switch (random.Next(40))
        {
            case 0:
                body = body[..random.Next(body.Length)];
                intact.Clear();
                break;
            case 1:
                body[random.Next(body.Length)] = (byte)random.Next(256);
                intact.Clear();
                break;
        }

        var badSignature = random.Next(50) == 0;
        return new Case(index, body, badSignature, badSignature ? [] : intact);
    }

    /// <summary>A message that keeps a string id and a string sender (from the message itself), as Meta sends them.</summary>
    private static bool IsPlainlyValid(JsonObject message) =>
        message["id"] is JsonValue id && id.TryGetValue<string>(out _)
        && ((message["from"] is JsonValue from && from.TryGetValue<string>(out var f) && !string.IsNullOrWhiteSpace(f))
            || (message["from_user_id"] is JsonValue user && user.TryGetValue<string>(out var u) && !string.IsNullOrWhiteSpace(u)));

    private static void Mutate(Random random, JsonNode root, HashSet<JsonObject> touched)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        for (var n = target; n is not null; n = n.Parent)
        {
            // A change to a message, or to anything of its change's value (contacts, metadata), may change its identity.
            if (n is JsonObject o && o.Parent is JsonArray a && a.Parent is JsonObject v && v.ContainsKey("messaging_product"))
            {
                touched.Add(o);
            }

            if (n is JsonObject value && value.ContainsKey("messaging_product"))
            {
                foreach (var m in (value["messages"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    touched.Add(m);
                }
            }
        }

        if (target.Parent is null)
        {
            return;
        }

        JsonNode? replacement = random.Next(14) switch
        {
            0 => JsonValue.Create($"lone {Lone} surrogate"),
            1 => JsonValue.Create($"nul {Nul} char"),
            2 => JsonValue.Create(new string('x', random.Next(200, 5000))),
            3 => JsonValue.Create(""),
            4 => JsonValue.Create("   "),
            5 => JsonValue.Create(random.NextInt64(long.MinValue, long.MaxValue)),
            6 => JsonValue.Create(random.NextDouble() * 1e20),
            7 => new JsonObject { ["nested"] = JsonValue.Create("object") },
            8 => new JsonArray(JsonValue.Create(1), JsonValue.Create("two")),
            9 => null,
            10 => JsonValue.Create(random.Next(2) == 0),
            11 => JsonValue.Create(new[] { "text", "image", "reaction", "system", "interactive", "order", "location", "contacts", "unsupported", "sticker" }[random.Next(10)]),
            12 => JsonValue.Create("\ud83d\ude2e emoji " + Lone + Lone),
            _ => JsonValue.Create(random.Next(0, 2_000_000_000).ToString(CultureInfo.InvariantCulture)),
        };

        switch (target.Parent)
        {
            case JsonObject parent when random.Next(6) == 0:
                parent.Remove(target.GetPropertyName());
                break;
            case JsonObject parent:
                parent[target.GetPropertyName()] = replacement;
                break;
            case JsonArray parent when random.Next(4) == 0:
                parent.Remove(target);
                break;
            case JsonArray parent:
                parent[parent.IndexOf(target)] = replacement;
                break;
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
        }
    }

    private async Task WaitUntilSettledAsync(Guid tenantId)
    {
        var limit = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < limit)
        {
            await using var db = App.NewDbContext();
            if (!await db.WebhookEvents.AnyAsync(e => e.TenantId == tenantId && e.State == WebhookEventState.Pending && e.Attempts == 0))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("Webhook events were still waiting for their first try after 10 minutes.");
    }
}

public sealed class WebhookFuzzTests_Sqlite(SqliteAppFixture fixture, ITestOutputHelper output) : WebhookFuzzTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class WebhookFuzzTests_Postgres(PostgresAppFixture fixture, ITestOutputHelper output) : WebhookFuzzTests(fixture, output), IClassFixture<PostgresAppFixture>;
