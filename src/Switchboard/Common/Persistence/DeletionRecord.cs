namespace Switchboard.Common.Persistence;

/// <summary>The kinds of deletion the ledger records (ADR 0038).</summary>
internal static class DeletionKinds
{
    public const string ContactErased = "contact_erased";
    public const string ConversationDeleted = "conversation_deleted";
    public const string MessagesDeleted = "messages_deleted";
    public const string MediaPurged = "media_purged";
    public const string TenantErased = "tenant_erased";
    public const string UserDeleted = "user_deleted";
}

/// <summary>How the ledger names a destroyed key: a contact's data key, or a tenant key by purpose and version.</summary>
internal static class DeletionKeyIds
{
    public static string Contact(Guid contactId) => $"contact:{contactId}";

    public static string Tenant(Guid tenantId, string purpose, int version) => $"tenant:{tenantId}:{purpose}:{version}";
}

/// <summary>What one erase removed: its kind, tenant, the ids of what went and the ids of the keys destroyed; never content.</summary>
internal sealed record DeletionRecord(string Kind, Guid TenantId, IReadOnlyList<Guid> Subjects, IReadOnlyList<string> Keys);

/// <summary>A verified line of the deletion ledger.</summary>
internal sealed record DeletionLedgerEntry(long Sequence, DateTimeOffset At, DeletionRecord Record, string Mac);

/// <summary>Records an erase in the caller's unit of work (ADR 0038): the ledger itself, or a re-application marking its entry.</summary>
internal interface IDeletionRecorder
{
    Task RecordAsync(SwitchboardDbContext db, DeletionRecord record, CancellationToken ct);
}

/// <summary>The server must not start: what was found, and what the operator can do.</summary>
internal sealed class StartupRefusedException(string message) : Exception(message);

/// <summary>Work that must finish after the schema upgrade and before the node serves a request or runs a worker.</summary>
internal interface IStartupRepair
{
    Task RunAsync(CancellationToken ct);
}
