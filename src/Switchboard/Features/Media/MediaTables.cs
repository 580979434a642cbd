using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Media;

/// <summary>The Media feature's tables on the shared context, so <c>db.MediaObjects</c> reads as a DbSet (ADR 0020).</summary>
internal static class MediaTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<MediaObject> MediaObjects => db.Set<MediaObject>();

        public DbSet<MediaBlob> MediaBlobs => db.Set<MediaBlob>();
    }
}
