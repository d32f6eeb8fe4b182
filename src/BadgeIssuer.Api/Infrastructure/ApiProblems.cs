using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// The problems this service reports (RFC 9457): each has a stable <c>type</c> URI and a short <c>code</c>
/// extension that clients can switch on; the <c>detail</c> text may change.
/// </summary>
internal static class ApiProblems
{
    private const string TypeBase = "urn:badgeissuer:problem:";

    public static readonly ApiProblem MalformedBody = new("malformed-body", StatusCodes.Status400BadRequest, "The request body is malformed.");
    public static readonly ApiProblem UnsupportedRequest = new("unsupported-request", StatusCodes.Status400BadRequest, "The request is well-formed but not a supported shape.");
    public static readonly ApiProblem BodyTooLarge = new("body-too-large", StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
    public static readonly ApiProblem UnsupportedMediaType = new("unsupported-media-type", StatusCodes.Status415UnsupportedMediaType, "The request's Content-Type is not accepted here.");

    internal sealed record ApiProblem(string Code, int Status, string Title)
    {
        public string Type => TypeBase + Code;

        public ProblemHttpResult Result(string detail) => TypedResults.Problem(
            detail: detail,
            statusCode: Status,
            title: Title,
            type: Type,
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = Code });
    }
}
