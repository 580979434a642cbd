using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Two contacts of one person are being merged (<see cref="ContactDirectory.MergeAsync"/>): rows of
/// <paramref name="From"/> move to <paramref name="To"/>, re-sealed from the old key to the new one.
/// </summary>
internal sealed record ContactMerge(Guid TenantId, Guid From, Guid To, DataKey OldKey, DataKey NewKey)
{
    /// <summary>A value sealed with the merged contact's key, sealed again with the survivor's.</summary>
    public byte[] Reseal(SealContext context, byte[] sealedValue) =>
        sealedValue.Length == 0 ? sealedValue : Sealer.Seal(NewKey, context, Sealer.Open(OldKey, context, sealedValue));
}

/// <summary>
/// The narrow entry point through which a feature that keeps rows of a contact (Media's files,
/// Outbound's queued replies) moves them in a merge, in the merge's unit of work; the caller saves.
/// Registered by that feature, so Conversations does not reach into its tables.
/// </summary>
internal interface IContactMergeStep
{
    Task MoveAsync(SwitchboardDbContext db, ContactMerge merge, CancellationToken ct);
}
