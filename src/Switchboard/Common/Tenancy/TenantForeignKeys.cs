using Microsoft.EntityFrameworkCore;

namespace Switchboard.Common.Tenancy;

/// <summary>
/// The model convention behind "every tenant-owned row points at its tenant": an entity with a non-nullable
/// <c>Guid TenantId</c> gets a foreign key to <see cref="Tenant"/> that cascades on delete
/// (<c>FK_&lt;Table&gt;_Tenants_TenantId</c>), unless it already has one or is marked
/// <see cref="NoTenantForeignKeyAttribute"/>. Features therefore never name <see cref="Tenant"/> in their configuration.
/// </summary>
internal static class TenantForeignKeys
{
    public const string Property = "TenantId";

    public static void Apply(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes().ToList())
        {
            if (entity.ClrType == typeof(Tenant)
                || entity.IsOwned()
                || Attribute.IsDefined(entity.ClrType, typeof(NoTenantForeignKeyAttribute))
                || entity.FindProperty(Property) is not { } property
                || property.ClrType != typeof(Guid)
                || entity.GetForeignKeys().Any(fk => fk.PrincipalEntityType.ClrType == typeof(Tenant) && fk.Properties.Count == 1 && fk.Properties[0] == property))
            {
                continue;
            }

            modelBuilder.Entity(entity.ClrType).HasOne(typeof(Tenant)).WithMany().HasForeignKey(Property).OnDelete(DeleteBehavior.Cascade);
        }
    }
}

/// <summary>A tenant-owned entity whose rows must not point at a <see cref="Tenant"/> row (see <see cref="TenantForeignKeys"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class NoTenantForeignKeyAttribute : Attribute;
