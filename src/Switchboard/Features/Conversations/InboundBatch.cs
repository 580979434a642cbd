using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// The ledger's unit of inbound work (<see cref="ConversationLedger.NewBatch"/>): what a batch of webhook
/// events needs from the database, loaded set-based before any event is applied: the messages its wamids name (duplicates, reply targets, status targets), the statuses already
/// recorded, the contacts its senders are, and those contacts' current conversations on the batch's numbers. Events are then applied in
/// order against these in-memory views, which also learn every row the batch adds — so a handful of
/// queries serve the whole batch instead of several per message, and a customer's second message in
/// the same batch finds the contact and conversation the first one created.
/// </summary>
/// <remarks>
/// The views are authoritative for what was asked for before <see cref="LoadAsync"/>: a key that was
/// registered and is not found does not exist (or was added by this batch). On PostgreSQL the messages
/// and conversations the batch will change are read <c>FOR UPDATE</c> (in a fixed order), so another
/// processing loop or node, or an agent marking read or resolving, waits for this batch's commit and
/// then sees its result instead of overwriting it: a status can never move a message backwards and no
/// unread count is lost. SQLite has one writer at a time.
/// </remarks>
internal sealed partial class InboundBatch(BlindIndex blindIndex, IReadOnlyList<IConversationStep> steps)
{
    private readonly HashSet<Guid> tenants = [];
    private readonly HashSet<(Guid Tenant, Guid Channel, string Wamid)> wamidKeys = [];
    private readonly HashSet<(Guid Tenant, Guid Channel, string Wamid)> statusWamidKeys = [];
    private readonly Dictionary<(Guid Tenant, string Kind, string Value), byte[]> indexes = [];
    private readonly Dictionary<(Guid Tenant, Guid Channel, string Wamid), List<Message>> messages = [];
    private readonly HashSet<(Guid Tenant, Guid Channel, string Wamid, DeliveryState Status)> statuses = [];
    private readonly Dictionary<(Guid Tenant, string Index), Contact> contactsByWaId = [];
    private readonly Dictionary<(Guid Tenant, string Index), Contact> contactsByUserId = [];
    private readonly Dictionary<(Guid Tenant, Guid Channel, Guid Contact), Conversation> currentConversations = [];
    private SemaphoreSlim? creationLock;

    /// <summary>The steps that plan this batch's <see cref="Changes"/> (<see cref="ConversationLedger.WriteAsync"/>) and see them after the commit.</summary>
    public IReadOnlyList<IConversationStep> Steps => steps;

    /// <summary>What each stored customer message did to its conversation, in arrival order.</summary>
    public List<ConversationChange> Changes { get; } = [];

    /// <summary>Conversations opened by this batch, in order; they get their per-tenant numbers at the end.</summary>
    public List<Conversation> NewConversations { get; } = [];

    /// <summary>Messages this batch stores: written with one bulk insert, not through the change tracker.</summary>
    public List<Message> NewMessages { get; } = [];

    /// <summary>Customer profiles found unchanged: remembered once the batch has committed.</summary>
    public List<(Guid ContactId, byte[] Fingerprint)> UnchangedProfiles { get; } = [];

    /// <summary>Status wamids that matched no message when applied: checked again after the commit.</summary>
    public List<(Guid Tenant, Guid Channel, string Wamid)> UnmatchedStatuses { get; } = [];

    public void RegisterMessageWamid(Guid tenantId, Guid channelId, string? wamid)
    {
        if (wamid is not null)
        {
            tenants.Add(tenantId);
            wamidKeys.Add((tenantId, channelId, wamid));
        }
    }

    public void RegisterStatusWamid(Guid tenantId, Guid channelId, string? wamid)
    {
        if (wamid is not null)
        {
            RegisterMessageWamid(tenantId, channelId, wamid);
            statusWamidKeys.Add((tenantId, channelId, wamid));
        }
    }

    /// <summary>Computes (once per batch) and registers the blind index of a sender's id for loading.</summary>
    public async ValueTask<byte[]?> IndexAsync(Guid tenantId, string kind, string? value, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!indexes.TryGetValue((tenantId, kind, value), out var index))
        {
            index = await blindIndex.ComputeAsync(tenantId, kind, value, ct);
            indexes[(tenantId, kind, value)] = index;
            tenants.Add(tenantId);
        }

        return index;
    }

    /// <summary>True while this batch holds the node's lock for creating customers (see <see cref="LoadAsync"/>).</summary>
    public bool HoldsCreationLock { get; private set; }

    /// <summary>
    /// Loads everything registered. When some sender is not a known customer yet and
    /// <paramref name="creation"/> is given (several loops on this node), the batch first takes that lock
    /// and looks the customers up again: another loop creating the same new customer right now has then
    /// committed, so the two never both create it (which would fail one of the batches). The lock is
    /// taken before this transaction locks any row, so it cannot deadlock with row locks; the caller
    /// releases it after the commit (<see cref="ReleaseCreationLock"/>).
    /// </summary>
    public async Task LoadAsync(SwitchboardDbContext db, SemaphoreSlim? creation, CancellationToken ct)
    {
        if (tenants.Count == 0)
        {
            return;
        }

        var tenantIds = tenants.ToList();
        var contacts = await LoadContactsAsync(db, tenantIds, ct);
        if (creation is not null && HasUnknownSenders())
        {
            await creation.WaitAsync(ct);
            HoldsCreationLock = true;
            creationLock = creation;
            contacts = await LoadContactsAsync(db, tenantIds, ct);
        }

        if (wamidKeys.Count > 0)
        {
            foreach (var message in await MessagesByKeyAsync(db, wamidKeys, ct))
            {
                AddMessage(message);
            }
        }

        if (statusWamidKeys.Count > 0)
        {
            foreach (var (tenantId, channelId, wamid, status) in await StatusesByKeyAsync(db, statusWamidKeys, ct))
            {
                statuses.Add((tenantId, channelId, wamid, status));
            }
        }

        if (contacts.Count > 0)
        {
            foreach (var conversation in await ConversationsOfAsync(db, contacts, ct))
            {
                var key = (conversation.TenantId, conversation.ChannelId, conversation.ContactId);
                if (!currentConversations.TryGetValue(key, out var current) || conversation.Sequence > current.Sequence)
                {
                    currentConversations[key] = conversation;
                }
            }
        }
    }

    public void ReleaseCreationLock()
    {
        if (HoldsCreationLock)
        {
            HoldsCreationLock = false;
            creationLock?.Release();
        }
    }

    private async Task<List<Contact>> LoadContactsAsync(SwitchboardDbContext db, List<Guid> tenantIds, CancellationToken ct)
    {
        var waIdIndexes = indexes.Where(i => i.Key.Kind == BlindIndex.WaId).Select(i => i.Value).ToList();
        var userIdIndexes = indexes.Where(i => i.Key.Kind == BlindIndex.UserId).Select(i => i.Value).ToList();
        var contacts = new List<Contact>();
        if (waIdIndexes.Count > 0)
        {
            contacts.AddRange(await db.Contacts.Where(c => tenantIds.Contains(c.TenantId) && waIdIndexes.Contains(c.WaIdIndex!)).ToListAsync(ct));
        }

        if (userIdIndexes.Count > 0)
        {
            contacts.AddRange(await db.Contacts.Where(c => tenantIds.Contains(c.TenantId) && userIdIndexes.Contains(c.UserIdIndex!)).ToListAsync(ct));
        }

        // Both queries may return the same contact: EF hands back the one tracked instance.
        contacts = [.. contacts.Distinct()];
        foreach (var contact in contacts)
        {
            RememberContact(contact);
        }

        return contacts;
    }

    /// <summary>Whether some registered sender id matches no customer (a conservative answer: it may be found by its other id).</summary>
    private bool HasUnknownSenders() => indexes.Any(i =>
        !(i.Key.Kind == BlindIndex.WaId ? contactsByWaId : contactsByUserId).ContainsKey((i.Key.Tenant, Convert.ToBase64String(i.Value))));

    /// <summary>Whether this (number, wamid) is stored with this time of Meta's (with any time, when Meta gave none).</summary>
    public bool HasMessage(Guid tenantId, Guid channelId, string wamid, DateTimeOffset? timestamp) =>
        messages.TryGetValue((tenantId, channelId, wamid), out var list) && list.Any(m => timestamp is null || m.Timestamp == timestamp);

    public Guid? MessageIdOf(Guid tenantId, Guid channelId, string wamid) =>
        messages.TryGetValue((tenantId, channelId, wamid), out var list) ? list[0].Id : null;

    public Message? OutboundOf(Guid tenantId, Guid channelId, string wamid) =>
        messages.TryGetValue((tenantId, channelId, wamid), out var list) ? list.FirstOrDefault(m => m.Direction == MessageDirection.Outbound) : null;

    public void AddNewMessage(Message message)
    {
        NewMessages.Add(message);
        AddMessage(message);
    }

    private void AddMessage(Message message)
    {
        if (message.Wamid is null)
        {
            return;
        }

        var key = (message.TenantId, message.ChannelId, message.Wamid);
        if (!messages.TryGetValue(key, out var list))
        {
            messages[key] = list = [];
        }

        list.Add(message);
    }

    /// <summary>True when this (number, wamid, status) was already recorded; otherwise remembers it.</summary>
    public bool SeenStatus(Guid tenantId, Guid channelId, string wamid, DeliveryState status) =>
        !statuses.Add((tenantId, channelId, wamid, status));

    /// <summary>The contact with this user id (preferred, as Meta's newer identifier) or WhatsApp id.</summary>
    public Contact? FindContact(Guid tenantId, byte[]? waIdIndex, byte[]? userIdIndex)
    {
        if (userIdIndex is not null && contactsByUserId.TryGetValue((tenantId, Convert.ToBase64String(userIdIndex)), out var byUserId))
        {
            return byUserId;
        }

        return waIdIndex is not null && contactsByWaId.TryGetValue((tenantId, Convert.ToBase64String(waIdIndex)), out var byWaId) ? byWaId : null;
    }

    /// <summary>
    /// Every distinct contact that one of a sender's ids names, oldest first: more than one means one person
    /// was known as two contacts, which the caller merges.
    /// </summary>
    public List<Contact> FindContacts(Guid tenantId, byte[]?[] userIdIndexes, byte[]?[] waIdIndexes)
    {
        var found = new List<Contact>(1);
        foreach (var (indexes, view) in new[] { (userIdIndexes, contactsByUserId), (waIdIndexes, contactsByWaId) })
        {
            foreach (var index in indexes)
            {
                if (index is not null && view.TryGetValue((tenantId, Convert.ToBase64String(index)), out var contact) && !found.Contains(contact))
                {
                    found.Add(contact);
                }
            }
        }

        if (found.Count > 1)
        {
            found.Sort((a, b) => a.Id.CompareTo(b.Id));
        }

        return found;
    }

    /// <summary>A contact merged into another: nothing finds it any more, and its conversations are the survivor's.</summary>
    public void ForgetContact(Contact merged, Contact survivor)
    {
        foreach (var view in new[] { contactsByWaId, contactsByUserId })
        {
            foreach (var key in view.Where(e => ReferenceEquals(e.Value, merged)).Select(e => e.Key).ToList())
            {
                view.Remove(key);
            }
        }

        foreach (var (key, conversation) in currentConversations.Where(e => e.Key.Contact == merged.Id).ToList())
        {
            currentConversations.Remove(key);
            var survivorKey = (key.Tenant, key.Channel, survivor.Id);
            if (!currentConversations.TryGetValue(survivorKey, out var current) || conversation.Sequence > current.Sequence)
            {
                currentConversations[survivorKey] = conversation;
            }
        }
    }

    /// <summary>Files a contact under its current indexes (after it was created or changed number).</summary>
    public void RememberContact(Contact contact)
    {
        if (contact.WaIdIndex is not null)
        {
            contactsByWaId[(contact.TenantId, Convert.ToBase64String(contact.WaIdIndex))] = contact;
        }

        if (contact.UserIdIndex is not null)
        {
            contactsByUserId[(contact.TenantId, Convert.ToBase64String(contact.UserIdIndex))] = contact;
        }
    }

    public Conversation? CurrentConversation(Guid tenantId, Guid channelId, Guid contactId) =>
        currentConversations.GetValueOrDefault((tenantId, channelId, contactId));

    public void AddConversation(Conversation conversation)
    {
        currentConversations[(conversation.TenantId, conversation.ChannelId, conversation.ContactId)] = conversation;
        NewConversations.Add(conversation);
    }
}
