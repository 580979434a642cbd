using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>The Conversations feature's tables on the shared context, so <c>db.Contacts</c> reads as a DbSet (ADR 0020).</summary>
internal static class ConversationsTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<Contact> Contacts => db.Set<Contact>();

        public DbSet<Conversation> Conversations => db.Set<Conversation>();

        public DbSet<Message> Messages => db.Set<Message>();

        public DbSet<StatusUpdate> StatusUpdates => db.Set<StatusUpdate>();

        public DbSet<Reaction> Reactions => db.Set<Reaction>();

        public DbSet<RealtimeEvent> RealtimeEvents => db.Set<RealtimeEvent>();

        public DbSet<QueuedRealtimeEvent> QueuedRealtimeEvents => db.Set<QueuedRealtimeEvent>();

        public DbSet<Label> Labels => db.Set<Label>();

        public DbSet<ConversationLabel> ConversationLabels => db.Set<ConversationLabel>();

        /// <summary>Realtime events collected in this unit of work, written by RealtimeLog.FlushAsync before the commit.</summary>
        public List<RealtimeEvent> PendingRealtimeEvents => db.UnitOfWork<PendingRealtimeEvents>();
    }
}

/// <summary>The realtime events a unit of work has appended and not yet flushed.</summary>
internal sealed class PendingRealtimeEvents : List<RealtimeEvent>;
