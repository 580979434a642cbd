using Switchboard.Common.Persistence;
using Switchboard.Features.Automation;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Flows;

/// <summary>While a flow answers a conversation, the greeting, away and out-of-hours replies stay silent (ADR 0028, 0029).</summary>
internal sealed class FlowAutoReplyVeto : IAutoReplyVeto
{
    public Task<bool> SuppressesAsync(SwitchboardDbContext db, Conversation conversation, CancellationToken ct) =>
        FlowSessions.IsActiveAsync(db, conversation.TenantId, conversation.Id, ct);
}
