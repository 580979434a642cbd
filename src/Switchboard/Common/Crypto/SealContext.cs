using System.Text;

namespace Switchboard.Common.Crypto;

/// <summary>
/// Where a sealed value lives: tenant, table, row and column. It is the associated data of the seal,
/// so a value only opens in the exact place it was written.
/// </summary>
internal readonly record struct SealContext(Guid TenantId, string Table, Guid RowId, string Column)
{
    public byte[] ToAssociatedData() => Encoding.UTF8.GetBytes($"sb1|{TenantId:N}|{Table}|{RowId:N}|{Column}");
}
