using Npgsql;

namespace Switchboard.LoadTest;

/// <summary>
/// Every half second, in one snapshot: each team whose oldest waiting conversation could have been
/// taken by an online member below the team's capacity. The same conversation found so in samples
/// at least a second apart is one violation (dispatching takes a moment; waiting on it does not).
/// </summary>
internal sealed class ViolationSampler(string db, Guid tenantId)
{
    private const string Sql =
        """
        SELECT t."Id",
               (SELECT c."Id" FROM "Conversations" c WHERE c."TenantId" = t."TenantId" AND c."TeamId" = t."Id" AND c."WaitingSince" IS NOT NULL
                ORDER BY c."WaitingSince", c."Number" LIMIT 1) AS oldest,
               (SELECT count(*) FROM "Conversations" c WHERE c."TenantId" = t."TenantId" AND c."TeamId" = t."Id" AND c."WaitingSince" IS NOT NULL) AS waiting,
               EXISTS (
                 SELECT 1 FROM "TeamMembers" m
                 JOIN "AgentStates" a ON a."TenantId" = m."TenantId" AND a."UserId" = m."UserId" AND a."Status" = 'online'
                 WHERE m."TenantId" = t."TenantId" AND m."TeamId" = t."Id"
                   AND (SELECT count(*) FROM "Conversations" o WHERE o."TenantId" = t."TenantId" AND o."AssignedUserId" = m."UserId" AND o."Status" = 'open') < t."Capacity"
               ) AS free
        FROM "Teams" t WHERE t."TenantId" = @tenant
        """;

    private readonly Dictionary<Guid, (Guid Conversation, DateTime Since)> suspects = [];
    private readonly HashSet<Guid> counted = [];

    public int Samples { get; private set; }

    public int Violations => counted.Count;

    public long LongestQueue { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            await using (var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct))
            await using (var command = new NpgsqlCommand(Sql, connection, transaction))
            {
                command.Parameters.AddWithValue("tenant", tenantId);
                await using var reader = await command.ExecuteReaderAsync(ct);
                var now = DateTime.UtcNow;
                while (await reader.ReadAsync(ct))
                {
                    var team = reader.GetGuid(0);
                    var waiting = reader.GetInt64(2);
                    LongestQueue = Math.Max(LongestQueue, waiting);
                    if (waiting > 0 && reader.GetBoolean(3) && !reader.IsDBNull(1))
                    {
                        var oldest = reader.GetGuid(1);
                        if (suspects.TryGetValue(team, out var s) && s.Conversation == oldest)
                        {
                            if (now - s.Since >= TimeSpan.FromSeconds(1) && counted.Add(oldest))
                            {
                                Console.Error.WriteLine($"  [violation] team {team}: conversation {oldest} waiting with free capacity since {s.Since:HH:mm:ss.fff}");
                            }
                        }
                        else
                        {
                            suspects[team] = (oldest, now);
                        }
                    }
                    else
                    {
                        suspects.Remove(team);
                    }
                }
            }

            Samples++;
            await Task.Delay(500, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
