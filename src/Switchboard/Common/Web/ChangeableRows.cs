using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Switchboard.Common.Web;

/// <summary>The start every change of a tenant's managed row shares (canned responses, knowledge articles).</summary>
internal static class ChangeableRows
{
    /// <summary>
    /// The row the caller sees (404 otherwise: another tenant's row or someone else's personal one is as unknown as a
    /// made-up id), if the caller may change it (else <paramref name="mayChange"/>'s refusal), tracked for the change.
    /// </summary>
    public static async Task<Outcome<T>> FindChangeableAsync<T>(this IQueryable<T> visible, Expression<Func<T, bool>> which, Func<T, Failure?> mayChange, CancellationToken ct)
        where T : class =>
        await visible.FirstOrDefaultAsync(which, ct) is not { } row ? Failure.NotFound()
        : mayChange(row) is { } refused ? refused
        : row;
}
