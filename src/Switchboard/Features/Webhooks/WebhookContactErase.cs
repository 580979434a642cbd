using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Raw webhook events that name an erased contact (their phone number or business-scoped user id as a JSON
/// string) are deleted: they are sealed with the tenant key, not the contact's, so destroying the contact
/// key alone would leave them readable. The tenant's events and the platform URL's unrouted ones are read.
/// </summary>
internal sealed class WebhookContactErase(WebhookSealer sealer) : IContactEraseStep
{
    private const int Page = 500;

    public async Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct)
    {
        var needles = new[] { erasure.WaId, erasure.UserId }
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(v)))
            .ToList();
        if (needles.Count == 0)
        {
            return;
        }

        var holding = new List<Guid>();
        for (var offset = 0; ; offset += Page)
        {
            var page = await db.WebhookEvents.AsNoTracking()
                .Where(e => e.TenantId == erasure.TenantId || e.TenantId == null)
                .OrderBy(e => e.Id).Skip(offset).Take(Page).ToListAsync(ct);
            foreach (var item in page)
            {
                if (await NamesAsync(item, needles, ct))
                {
                    holding.Add(item.Id);
                }
            }

            if (page.Count < Page)
            {
                break;
            }
        }

        foreach (var chunk in holding.Chunk(Page))
        {
            var ids = chunk.ToList();
            await db.WebhookEvents.Where(e => EF.Parameter(ids).Contains(e.Id)).ExecuteDeleteAsync(ct);
        }
    }

    private async Task<bool> NamesAsync(WebhookEvent item, List<byte[]> needles, CancellationToken ct)
    {
        byte[] body;
        try
        {
            body = await sealer.OpenAsync(item, ct);
        }
        catch (CryptographicException)
        {
            return false; // Sealed with a key that is gone: nobody can read it any more.
        }

        return needles.Any(n => body.AsSpan().IndexOf(n) >= 0);
    }
}
