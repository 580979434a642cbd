using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Switchboard.Common.Web.OpenApi;

/// <summary>
/// Declares the error statuses every operation can answer, as <c>application/problem+json</c>, from
/// what its endpoint metadata says (ADR 0005): 400 when it reads a body, query or header; 401 and 403
/// when it requires authorization; 404 when its route names a resource (another tenant's id is a 404
/// too); 413 and 415 for a body; 429 under a rate limit. Statuses that only a handler's own logic
/// answers (a conflict, a closed window, erased data) are listed by endpoint name in <see cref="Raised"/>.
/// </summary>
internal sealed class ProblemResponses : IOpenApiDocumentTransformer
{
    /// <summary>Statuses a handler returns itself, beyond the ones its metadata implies.</summary>
    internal static readonly IReadOnlyDictionary<string, int[]> Raised = new Dictionary<string, int[]>(StringComparer.Ordinal)
    {
        ["AcceptInvite"] = [StatusCodes.Status404NotFound],
        ["SuggestReplies"] = [StatusCodes.Status409Conflict, StatusCodes.Status503ServiceUnavailable],
        ["SummarizeConversation"] = [StatusCodes.Status409Conflict, StatusCodes.Status503ServiceUnavailable],
        ["ChangeUserRole"] = [StatusCodes.Status409Conflict],
        ["DisableUser"] = [StatusCodes.Status409Conflict],
        ["DeleteUser"] = [StatusCodes.Status409Conflict],
        ["InviteUser"] = [StatusCodes.Status409Conflict],
        ["CreateChannel"] = [StatusCodes.Status409Conflict],
        ["RotateChannelCredentials"] = [StatusCodes.Status409Conflict],
        ["RotateTenantKey"] = [StatusCodes.Status409Conflict],
        ["SendMessage"] = [StatusCodes.Status409Conflict, StatusCodes.Status410Gone, StatusCodes.Status422UnprocessableEntity],
        ["ResendMessage"] = [StatusCodes.Status409Conflict, StatusCodes.Status410Gone],
        ["MarkConversationRead"] = [StatusCodes.Status410Gone],
        ["GetContact"] = [StatusCodes.Status410Gone],
        ["FindContact"] = [StatusCodes.Status410Gone],
        ["DownloadMedia"] = [StatusCodes.Status409Conflict, StatusCodes.Status410Gone],
        ["RetryMediaFetch"] = [StatusCodes.Status409Conflict],
        ["CreateTeam"] = [StatusCodes.Status409Conflict],
        ["CreateKnowledgeArticle"] = [StatusCodes.Status409Conflict],
        ["UpdateTeam"] = [StatusCodes.Status409Conflict],
        ["DeleteTeam"] = [StatusCodes.Status409Conflict],
        ["TransferConversation"] = [StatusCodes.Status409Conflict],
        ["CreateLabel"] = [StatusCodes.Status409Conflict],
        ["CreateAutomationRule"] = [StatusCodes.Status409Conflict],
        ["UpdateLabel"] = [StatusCodes.Status409Conflict],
        ["CreateCannedResponse"] = [StatusCodes.Status409Conflict],
        ["UpdateCannedResponse"] = [StatusCodes.Status409Conflict],
        ["DownloadExport"] = [StatusCodes.Status409Conflict, StatusCodes.Status410Gone],
        ["DeleteCalendar"] = [StatusCodes.Status409Conflict],
        ["CreateContactAttribute"] = [StatusCodes.Status409Conflict],

        // A legal hold refuses erasure and deletion; a closed data-rights request stays closed (ADR 0032).
        ["EraseContact"] = [StatusCodes.Status409Conflict],
        ["DeleteConversation"] = [StatusCodes.Status409Conflict],
        ["DeleteMessage"] = [StatusCodes.Status409Conflict],
        ["UpdateDataRightsRequest"] = [StatusCodes.Status409Conflict],
    };

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var problem = await ApiOperations.SchemaOfAsync(document, context, typeof(ProblemDetails), cancellationToken);
        var validation = await ApiOperations.SchemaOfAsync(document, context, typeof(HttpValidationProblemDetails), cancellationToken);
        foreach (var api in ApiOperations.In(document, context))
        {
            foreach (var status in StatusesOf(api))
            {
                api.Operation.Responses ??= [];
                api.Operation.Responses.TryAdd(status.ToString(CultureInfo.InvariantCulture), new OpenApiResponse
                {
                    Description = ReasonPhrases.GetReasonPhrase(status),
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                    {
                        ["application/problem+json"] = new() { Schema = status == StatusCodes.Status400BadRequest ? validation : problem },
                    },
                });
            }
        }
    }

    private static SortedSet<int> StatusesOf(ApiOperation api)
    {
        var statuses = new SortedSet<int>();
        var body = api.Has(BindingSource.Body) || api.Has(BindingSource.Form) || api.Has(BindingSource.FormFile);
        if (body || api.Has(BindingSource.Query) || api.Has(BindingSource.Header))
        {
            statuses.Add(StatusCodes.Status400BadRequest);
        }

        if (RequiresAuthorization(api.Metadata))
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
            statuses.Add(StatusCodes.Status403Forbidden);
        }

        if (api.Has(BindingSource.Path))
        {
            statuses.Add(StatusCodes.Status404NotFound);
        }

        if (body)
        {
            statuses.Add(StatusCodes.Status413PayloadTooLarge);
            statuses.Add(StatusCodes.Status415UnsupportedMediaType);
        }

        // The global limiter covers every /api route (RateLimits); endpoint policies add their own.
        if (api.Path.StartsWith("/api/", StringComparison.Ordinal) || api.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
        {
            statuses.Add(StatusCodes.Status429TooManyRequests);
        }

        if (api.Metadata.GetMetadata<IEndpointNameMetadata>() is { } name && Raised.TryGetValue(name.EndpointName, out var raised))
        {
            statuses.UnionWith(raised);
        }

        return statuses;
    }

    public static bool RequiresAuthorization(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<IAllowAnonymous>() is null && metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0;
}
