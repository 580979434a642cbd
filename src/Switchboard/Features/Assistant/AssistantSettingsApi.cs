using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Assistant;

/// <summary>A tenant's AI settings (CONTRACT: <c>GET/PUT …/ai</c>): the key sealed with the tenant key and masked in every answer (ADR 0035).</summary>
internal static class AssistantSettingsApi
{
    public sealed record SettingsBody(bool? Enabled, string? Provider, string? BaseUrl, string? Model, string? ApiKey);

    public static async Task<Ok<SettingsBody>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(ToBody(await db.AssistantSettings.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId, ct) ?? new AssistantSettings { TenantId = tenantId }));

    /// <summary>Changes the fields named (the others stay); an empty <c>apiKey</c> removes the key. Bad input changes nothing.</summary>
    public static async Task<Results<Ok<SettingsBody>, ValidationProblem>> UpdateAsync(
        Guid tenantId, SettingsBody request, SwitchboardDbContext db, Sealer sealer, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var settings = await db.AssistantSettings.FirstOrDefaultAsync(s => s.TenantId == tenantId, ct);
        var errors = new Dictionary<string, string[]>();
        AssistantProviderKind? provider = request.Provider switch
        {
            null => null,
            "local" => AssistantProviderKind.Local,
            "openai" => AssistantProviderKind.OpenAi,
            _ => null,
        };
        if (request.Provider is not null && provider is null)
        {
            errors["provider"] = ["Either \"local\" (built in, no network) or \"openai\" (any OpenAI-compatible endpoint)."];
        }

        var baseUrl = request.BaseUrl is null ? settings?.BaseUrl : request.BaseUrl.Trim();
        if (request.BaseUrl is { } url && (url.Length > 512 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment)))
        {
            errors["baseUrl"] = ["An absolute http or https URL of at most 512 characters, without credentials or fragment (for example https://api.openai.com/v1)."];
        }

        var model = request.Model is null ? settings?.Model : request.Model.Trim();
        if (request.Model is { } m && (string.IsNullOrWhiteSpace(m) || m.Length > 128))
        {
            errors["model"] = ["From 1 to 128 characters."];
        }

        if (request.ApiKey is { Length: > 4096 })
        {
            errors["apiKey"] = ["At most 4096 characters."];
        }

        var effective = provider ?? settings?.Provider ?? AssistantProviderKind.Local;
        if (effective == AssistantProviderKind.OpenAi && !errors.ContainsKey("baseUrl") && !errors.ContainsKey("model"))
        {
            if (string.IsNullOrEmpty(baseUrl))
            {
                errors["baseUrl"] = ["Required for the \"openai\" provider."];
            }

            if (string.IsNullOrEmpty(model))
            {
                errors["model"] = ["Required for the \"openai\" provider."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = clock.GetUtcNow();
        if (settings is null)
        {
            settings = new AssistantSettings { TenantId = tenantId };
            db.AssistantSettings.Add(settings);
        }

        var before = ToBody(settings);
        settings.Enabled = request.Enabled ?? settings.Enabled;
        settings.Provider = effective;
        settings.BaseUrl = baseUrl;
        settings.Model = model;
        var keyChanged = false;
        if (request.ApiKey is { } apiKey)
        {
            keyChanged = true;
            settings.ApiKey = apiKey.Length == 0 ? null : await sealer.SealAsync(settings.ApiKeyContext, apiKey, ct);
            settings.ApiKeyHint = apiKey.Length == 0 ? null : apiKey.Length >= 12 ? apiKey[^4..] : "";
        }

        settings.UpdatedAt = now;
        var after = ToBody(settings);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AssistantAudit.SettingsChanged, "ai", new { from = before, to = after, keyChanged }, now, ct);
        return TypedResults.Ok(after);
    }

    /// <summary>The key as "••••" and its last four characters when it is long enough to show them; null when none is set.</summary>
    private static SettingsBody ToBody(AssistantSettings s) => new(
        s.Enabled,
        s.Provider == AssistantProviderKind.OpenAi ? "openai" : "local",
        s.BaseUrl,
        s.Model,
        s.ApiKey is null ? null : "••••" + s.ApiKeyHint);
}
