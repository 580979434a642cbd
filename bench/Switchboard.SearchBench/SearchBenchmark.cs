using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Tenants;
using Switchboard.Hosting;

namespace Switchboard.SearchBench;

/// <summary>
/// Message search on one tenant with many messages (ADR 0025). Seeds a tenant, its contacts (each with its
/// own key), one conversation each and N messages of generated text, sealed and indexed with Switchboard's
/// own code and written with COPY; then times the search use case (the same code as
/// <c>GET …/search</c>) for rare, common and two-word queries. Usage:
/// <c>dotnet run -c Release --project bench/Switchboard.SearchBench -- "Host=…;Database=…" [messages=1000000] [contacts=5000] [queries=300]</c>
/// </summary>
internal static class SearchBenchmark
{
    private const int Vocabulary = 20_000;
    private const int Batch = 20_000;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: SearchBench <PostgreSQL connection string> [messages] [contacts] [queries]");
            return 2;
        }

        var messages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var contactCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5_000;
        var queries = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 300;
        var builder = WebApplication.CreateBuilder([
            "--Switchboard:Database:Provider=postgres", $"--ConnectionStrings:Switchboard={args[0]}",
            $"--Switchboard:MasterKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}",
            $"--Switchboard:DataDirectory={Path.Combine(Path.GetTempPath(), "switchboard-searchbench")}", "--Logging:LogLevel:Default=Warning", "--Switchboard:PublicBaseUrl=https://bench.invalid", "--Switchboard:OperatorApiKey=bench-operator-key-not-used-0123456789"]);
        builder.AddSwitchboard();
        await using var app = builder.Build();
        var services = app.Services;
        var dbFactory = services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>();
        var keyRing = services.GetRequiredService<KeyRing>();
        var directory = services.GetRequiredService<ContactDirectory>();
        var contactKeys = services.GetRequiredService<ContactKeys>();
        var blindIndex = services.GetRequiredService<BlindIndex>();
        var index = services.GetRequiredService<MessageSearchIndex>();
        var clock = TimeProvider.System;

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        var seedClock = Stopwatch.StartNew();
        Guid tenantId;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var (tenant, _) = await CreateTenant.ProvisionAsync(db, keyRing, clock, Guid.CreateVersion7(), "Search benchmark", AuditActor.System, default);
            tenantId = tenant.Id;
        }

        var words = Words();
        var buckets = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            buckets[word] = await MessageSearchIndex.BucketAsync(blindIndex, tenantId, word, default);
        }

        var channelId = Guid.CreateVersion7();
        var contacts = new List<(Contact Contact, DataKey Key, byte[] SearchKey, Guid ConversationId)>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            for (var i = 0; i < contactCount; i++)
            {
                var contact = await directory.CreateAsync(db, tenantId, (15550000000L + i).ToString(CultureInfo.InvariantCulture), null, $"Customer {i}", default);
                var key = await contactKeys.KeyOfAsync(contact, default);
                var conversation = new Conversation { TenantId = tenantId, Id = Guid.CreateVersion7(), ChannelId = channelId, ContactId = contact.Id, Number = i + 1, CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() };
                db.Conversations.Add(conversation);
                contacts.Add((contact, key, MessageSearchIndex.SearchKeyOf(key), conversation.Id));
            }

            await db.SaveChangesAsync();
        }

        Console.Error.WriteLine($"{contactCount} contacts in {seedClock.Elapsed.TotalSeconds:F0} s; seeding {messages} messages");
        var random = new Random(42);
        var start = DateTimeOffset.UtcNow.AddDays(-365);
        long tokenRows = 0;
        for (var done = 0; done < messages; done += Batch)
        {
            var rows = new List<Message>(Batch);
            var tokens = new List<MessageSearchToken>(Batch * 10);
            for (var i = done; i < Math.Min(messages, done + Batch); i++)
            {
                var (contact, key, searchKey, conversationId) = contacts[random.Next(contacts.Count)];
                var at = start.AddSeconds(i * (365.0 * 86400 / messages));
                var message = new Message
                {
                    TenantId = tenantId,
                    Id = Guid.CreateVersion7(at),
                    ConversationId = conversationId,
                    ChannelId = channelId,
                    ContactId = contact.Id,
                    Wamid = "wamid.bench" + i.ToString(CultureInfo.InvariantCulture),
                    Direction = MessageDirection.Inbound,
                    Type = "text",
                    Timestamp = at,
                    Status = DeliveryState.Received,
                    StatusAt = at,
                    CreatedAt = at,
                };
                var text = Sentence(random, words);
                message.Content = Sealer.Seal(key, message.SealContext(nameof(Message.Content)), "{}");
                message.Text = Sealer.Seal(key, message.SealContext(nameof(Message.Text)), text);
                rows.Add(message);
                foreach (var token in SearchText.Tokenize(text))
                {
                    tokens.Add(new MessageSearchToken { TenantId = tenantId, Bucket = buckets[token], MessageId = message.Id, Proof = MessageSearchIndex.Proof(searchKey, token, message.Id), ContactId = contact.Id });
                }
            }

            await using var db = await dbFactory.CreateDbContextAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.InsertAsync(db, rows, default);
            await BulkInsert.InsertAsync(db, tokens.DistinctBy(t => (t.Bucket, t.MessageId, Convert.ToHexString(t.Proof))).ToList(), default);
            await transaction.CommitAsync();
            tokenRows += tokens.Count;
            if ((done / Batch) % 10 == 0)
            {
                Console.Error.WriteLine($"  {done + rows.Count:N0} messages, {tokenRows:N0} index rows, {seedClock.Elapsed.TotalSeconds:F0} s");
            }
        }

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await db.Database.ExecuteSqlRawAsync("ANALYZE \"Messages\"; ANALYZE \"MessageSearchTokens\";");
        }

        var seeded = seedClock.Elapsed;
        Console.Error.WriteLine($"Seeded in {seeded.TotalSeconds:F0} s; measuring {queries} queries per kind");
        var kinds = new (string Name, Func<Random, string> Query)[]
        {
            ("rare word (rank 5,000–20,000)", r => words[r.Next(5_000, Vocabulary)]),
            ("common word (rank 1–100)", r => words[r.Next(0, 100)]),
            ("two words (rank 100–2,000)", r => $"{words[r.Next(100, 2_000)]} {words[r.Next(100, 2_000)]}"),
            ("absent word", r => "zz" + r.Next(1_000_000).ToString(CultureInfo.InvariantCulture)),
        };
        Console.WriteLine($"### Message search — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, PostgreSQL");
        Console.WriteLine();
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average at start {LoadAverage()}.");
        Console.WriteLine($"Tenant: {messages:N0} messages from {contactCount:N0} contacts, {tokenRows:N0} index rows; seeded with COPY in {seeded.TotalSeconds:F0} s.");
        Console.WriteLine();
        Console.WriteLine("| query | runs | hits (mean) | p50 ms | p95 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var queryRandom = new Random(7);
        foreach (var (name, make) in kinds)
        {
            var times = new List<double>();
            var hits = 0;
            for (var q = 0; q < queries; q++)
            {
                await using var db = await dbFactory.CreateDbContextAsync();
                var watch = Stopwatch.StartNew();
                var result = await index.SearchAsync(db, tenantId, make(queryRandom), null, 20, visible: null, default);
                times.Add(watch.Elapsed.TotalMilliseconds);
                hits += result.Items.Count;
            }

            times.Sort();
            double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
            Console.WriteLine($"| {name} | {queries} | {hits / (double)queries:F1} | {P(0.50):F1} | {P(0.95):F1} | {P(0.99):F1} | {times[^1]:F1} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at the end: {LoadAverage()}.");
        return 0;
    }

    /// <summary>A fixed vocabulary of pronounceable words; sentences draw from it with a Zipf-like skew, as real text does.</summary>
    private static List<string> Words()
    {
        var random = new Random(1);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        const string consonants = "bcdfghjklmnprstvz";
        const string vowels = "aeiou";
        while (seen.Count < Vocabulary)
        {
            var length = random.Next(2, 5);
            var chars = new char[length * 2];
            for (var i = 0; i < length; i++)
            {
                chars[2 * i] = consonants[random.Next(consonants.Length)];
                chars[(2 * i) + 1] = vowels[random.Next(vowels.Length)];
            }

            seen.Add(new string(chars));
        }

        return [.. seen];
    }

    private static string Sentence(Random random, List<string> words)
    {
        var count = random.Next(4, 15);
        var picked = new string[count];
        for (var i = 0; i < count; i++)
        {
            // Rank ~ 1/u: a few words are everywhere, most are rare.
            var rank = (int)Math.Min(words.Count - 1, Math.Floor(Math.Pow(words.Count, random.NextDouble())) - 1);
            picked[i] = words[Math.Max(0, rank)];
        }

        return string.Join(' ', picked);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
