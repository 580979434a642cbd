using Microsoft.AspNetCore.Http.HttpResults;

namespace Switchboard.Common.Web;

/// <summary>Why a use case refused, in the use case's own terms; endpoints map it to a ProblemDetails, pages show <see cref="Failure.Message"/>.</summary>
internal enum FailureKind
{
    Invalid,
    NotFound,
    Conflict,
    Unprocessable,
    Forbidden,
    Unavailable,
}

/// <summary>
/// A refusal independent of HTTP: a title (and detail), field errors when the input was invalid, and for
/// the kinds that have their own problem type (the 24-hour window) that type and its extra fields.
/// </summary>
internal sealed record Failure(
    FailureKind Kind,
    string Title,
    string? Detail = null,
    IDictionary<string, string[]>? Errors = null,
    string? ProblemType = null,
    IDictionary<string, object?>? Extensions = null)
{
    public static Failure NotFound() => new(FailureKind.NotFound, "Not found.");

    public static Failure Conflict(string title, string? detail = null) => new(FailureKind.Conflict, title, detail);

    public static Failure Invalid(IDictionary<string, string[]> errors) => new(FailureKind.Invalid, "One or more fields are invalid.", Errors: errors);

    public static Failure Invalid(string field, string error) => Invalid(new Dictionary<string, string[]> { [field] = [error] });

    /// <summary>The request asks for permissions the caller does not hold; names them.</summary>
    public static Failure Forbidden(string title, string[] missing) => new(
        FailureKind.Forbidden,
        title,
        $"You do not hold: {string.Join(", ", missing)}.",
        ProblemType: Problems.ForbiddenType,
        Extensions: new Dictionary<string, object?> { ["missingPermissions"] = missing });

    /// <summary>The sentence a page shows: the field errors of invalid input, the title and the permissions lacking when forbidden, otherwise the title.</summary>
    public string Message => Errors is { } errors ? string.Join(" ", errors.SelectMany(e => e.Value))
        : Kind == FailureKind.Forbidden && Detail is { } detail ? $"{Title} {detail}"
        : Title;

    /// <summary>The message with the detail after the title when there is one, for pages that explain a refusal in full.</summary>
    public string FullMessage => Errors is null && Detail is { } detail ? $"{Title} {detail}" : Message;

    public bool IsInvalid => Kind == FailureKind.Invalid;

    /// <summary>The 400 an invalid input answers (only for <see cref="FailureKind.Invalid"/>).</summary>
    public ValidationProblem ToValidationProblem() => Problems.Validation(Errors ?? new Dictionary<string, string[]>());

    /// <summary>The problem every other kind answers.</summary>
    public ProblemHttpResult ToProblem() => TypedResults.Problem(
        title: Title,
        detail: Detail,
        statusCode: Kind switch
        {
            FailureKind.NotFound => StatusCodes.Status404NotFound,
            FailureKind.Conflict => StatusCodes.Status409Conflict,
            FailureKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
            FailureKind.Forbidden => StatusCodes.Status403Forbidden,
            FailureKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status400BadRequest,
        },
        type: ProblemType ?? Kind switch
        {
            FailureKind.NotFound => Problems.NotFoundType,
            FailureKind.Conflict => Problems.ConflictType,
            FailureKind.Unavailable => Problems.UnavailableType,
            _ => Problems.ValidationType,
        },
        extensions: Extensions);
}

/// <summary>A use case's answer: its value, or the <see cref="Failure"/> that stopped it.</summary>
internal readonly record struct Outcome<T>(T? Value, Failure? Failure)
    where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Failure failure) => new(null, failure);
}
