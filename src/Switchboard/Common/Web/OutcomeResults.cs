using Microsoft.AspNetCore.Http.HttpResults;

namespace Switchboard.Common.Web;

/// <summary>
/// A use case's <see cref="Outcome{T}"/> as the answer of a create, replace or delete endpoint: the value (201 with
/// its location, or 200), 400 with field errors for invalid input, the failure's problem otherwise.
/// </summary>
internal static class OutcomeResults
{
    public static Results<Created<TItem>, ValidationProblem, ProblemHttpResult> Created<T, TItem>(Outcome<T> outcome, Func<T, string> location, Func<T, TItem> item)
        where T : class => outcome switch
        {
            { Value: { } created } => TypedResults.Created(location(created), item(created)),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            _ => outcome.Failure!.ToProblem(),
        };

    public static Results<Ok<TItem>, ValidationProblem, ProblemHttpResult> Ok<T, TItem>(Outcome<T> outcome, Func<T, TItem> item)
        where T : class => outcome switch
        {
            { Value: { } value } => TypedResults.Ok(item(value)),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            _ => outcome.Failure!.ToProblem(),
        };

    public static Results<NoContent, ProblemHttpResult> NoContent(Failure? failure) => failure is null ? TypedResults.NoContent() : failure.ToProblem();
}
