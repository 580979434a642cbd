using Microsoft.AspNetCore.Http.HttpResults;

namespace Switchboard.Common.Web;

/// <summary>RFC 9457 problem types: one stable URI per kind of error.</summary>
internal static class Problems
{
    public const string TypeBase = "https://switchboard.dev/problems/";
    public const string ValidationType = TypeBase + "validation";
    public const string NotFoundType = TypeBase + "not-found";
    public const string UnauthorizedType = TypeBase + "unauthorized";
    public const string ForbiddenType = TypeBase + "forbidden";
    public const string ConflictType = TypeBase + "conflict";
    public const string PayloadTooLargeType = TypeBase + "payload-too-large";
    public const string UnavailableType = TypeBase + "unavailable";
    public const string RateLimitedType = TypeBase + "rate-limited";
    public const string ErasedType = TypeBase + "erased";
    public const string InternalType = TypeBase + "internal";
    public const string WindowClosedType = TypeBase + "window-closed";

    public static ProblemHttpResult NotFound(string title = "Not found.") =>
        TypedResults.Problem(title: title, statusCode: StatusCodes.Status404NotFound, type: NotFoundType);

    public static ProblemHttpResult Conflict(string title, string? detail = null) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status409Conflict, type: ConflictType);

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "One or more fields are invalid.", type: ValidationType);

    public static ValidationProblem Validation(string field, string error) =>
        Validation(new Dictionary<string, string[]> { [field] = [error] });

    public static string TypeFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => ValidationType,
        StatusCodes.Status401Unauthorized => UnauthorizedType,
        StatusCodes.Status403Forbidden => ForbiddenType,
        StatusCodes.Status404NotFound => NotFoundType,
        StatusCodes.Status409Conflict => ConflictType,
        StatusCodes.Status410Gone => ErasedType,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLargeType,
        StatusCodes.Status429TooManyRequests => RateLimitedType,
        StatusCodes.Status503ServiceUnavailable => UnavailableType,
        StatusCodes.Status500InternalServerError => InternalType,
        _ => TypeBase + statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
