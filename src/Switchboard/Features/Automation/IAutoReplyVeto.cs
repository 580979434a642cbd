using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Automation;

/// <summary>
/// Lets another feature keep the greeting, away and out-of-hours replies out of a conversation (ADR 0028): chatbot
/// flows will say so while a flow runs on it. Every registered veto is asked; one true suppresses the reply.
/// </summary>
internal interface IAutoReplyVeto
{
    Task<bool> SuppressesAsync(SwitchboardDbContext db, Conversation conversation, CancellationToken ct);
}
