using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Web;

/// <summary>
/// The one place exceptions become responses. Bodies carry a stable type and a human title, never
/// exception messages (they may hold data a customer sent).
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => InvalidJson(json),
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request is malformed.",
            },
            KeyDestroyedException => new ProblemDetails { Status = StatusCodes.Status410Gone, Title = "This data has been erased." },
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ when DbErrors.IsUnavailable(exception) => Unavailable(httpContext),
            _ => new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." },
        };

        if (problem is null)
        {
            return true;
        }

        if (problem.Status == StatusCodes.Status500InternalServerError)
        {
            // The type and stack trace only: exception messages can carry values from the request.
            LogUnhandled(exception.GetType().FullName, exception.StackTrace);
        }

        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        problem.Type ??= Problems.TypeFor(status);
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The database is away for the moment: the caller is told to try again shortly, as a webhook is.</summary>
    private static ProblemDetails Unavailable(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = "2";
        return new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "The database is not available at the moment; try again shortly.", Type = Problems.UnavailableType };
    }

    private static HttpValidationProblemDetails InvalidJson(JsonException json)
    {
        var field = FieldName(json.Path);
        var message = json.Path is null or "$" ? "The body is not valid JSON." : "The value has the wrong type or format.";
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are invalid.",
            Type = Problems.ValidationType,
        };
    }

    /// <summary>"$.credentials.appSecret" → "credentials.appSecret"; the root stays "$".</summary>
    private static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} at {StackTrace}")]
    private partial void LogUnhandled(string? exceptionType, string? stackTrace);
}
