using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Switchboard.Common.Web;

internal static class ProblemDetailsSetup
{
    /// <summary>
    /// Every error body gets a Switchboard problem type; validation errors are keyed by the JSON (camelCase)
    /// field names the client sent, not by C# property names.
    /// </summary>
    public static IServiceCollection AddSwitchboardProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (problem is HttpValidationProblemDetails validation)
            {
                problem.Type = Problems.ValidationType;
                problem.Title = "One or more fields are invalid.";
                var renamed = validation.Errors.ToDictionary(
                    e => JsonPath(e.Key),
                    e => e.Value.Select(m => m.Replace($"The {e.Key} field", $"The {JsonPath(e.Key)} field", StringComparison.Ordinal)).ToArray());
                validation.Errors.Clear();
                foreach (var (key, value) in renamed)
                {
                    validation.Errors[key] = value;
                }
            }
            else if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                problem.Type = Problems.TypeFor(status);
            }

            problem.Extensions["traceId"] = context.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity.Id ?? context.HttpContext.TraceIdentifier;
        });

    /// <summary>"Credentials.AppSecret" → "credentials.appSecret"; "$" and already camelCase keys stay as they are.</summary>
    private static string JsonPath(string key) =>
        string.Join('.', key.Split('.').Select(part => JsonNamingPolicy.CamelCase.ConvertName(part)));
}
