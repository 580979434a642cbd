namespace Switchboard.Features.Tenants;

internal sealed record TenantResponse(Guid Id, string Name, string Status, DateTimeOffset CreatedAt, int DataKeyVersion);
