using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Workspace;

/// <summary>The Workspace feature's tables on the shared context (ADR 0020).</summary>
internal static class WorkspaceTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<CannedResponse> CannedResponses => db.Set<CannedResponse>();
    }
}
