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
    }
}
