using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// The per-request <c>trustVerificationMethodFragment</c> policy: whether a signature under a key named only by the
/// verification method's Multikey fragment (the issuer does not publish it) may still verify. It overrides the server
/// default (<c>Verify:TrustVerificationMethodFragment</c>) for one request and comes from the VC-API
/// <c>options</c> object, a form field of an upload, or the query string (for raw bodies, which carry no options).
/// </summary>
internal static class TrustOption
{
    public const string Name = "trustVerificationMethodFragment";

    /// <summary>Reads <c>options.trustVerificationMethodFragment</c>: absent or null → null; a boolean → its value; anything else → a problem.</summary>
    public static ProblemHttpResult? FromOptions(JsonElement options, out bool? trust)
    {
        trust = null;
        if (!options.TryGetProperty(Name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return ApiProblems.UnsupportedRequest.Result($"'options.{Name}' must be true or false.");
        }

        trust = value.ValueKind == JsonValueKind.True;
        return null;
    }

    /// <summary>Reads the form field or query value: "true" or "false" (any case).</summary>
    public static ProblemHttpResult? FromText(string? text, string where, out bool? trust)
    {
        trust = null;
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text.Trim(), out bool value))
        {
            trust = value;
            return null;
        }

        return ApiProblems.UnsupportedRequest.Result($"The {where} '{Name}' must be true or false.");
    }

    /// <summary>The query string's value (one at most).</summary>
    public static ProblemHttpResult? FromQuery(HttpRequest request, out bool? trust)
    {
        trust = null;
        if (!request.Query.TryGetValue(Name, out Microsoft.Extensions.Primitives.StringValues values))
        {
            return null;
        }

        return values.Count != 1
            ? ApiProblems.UnsupportedRequest.Result($"Give the query parameter '{Name}' once.")
            : FromText(values[0], "query parameter", out trust);
    }

    /// <summary>The request's policy: the body's and the query's must agree when both are given.</summary>
    public static ProblemHttpResult? Combine(bool? fromQuery, bool? fromBody, out bool? trust)
    {
        trust = fromBody ?? fromQuery;
        return fromQuery is bool q && fromBody is bool b && q != b
            ? ApiProblems.UnsupportedRequest.Result($"'{Name}' is {b.ToString().ToLowerInvariant()} in the body and {q.ToString().ToLowerInvariant()} in the query; give one.")
            : null;
    }
}
