using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Reads a bounded JSON body into a <see cref="JsonDocument"/>, with one problem for each way it can be wrong.</summary>
internal static class RequestJson
{
    public const int MaxDepth = 64;

    /// <summary>
    /// As <see cref="ReadObjectAsync(HttpRequest, int, CancellationToken)"/>, and then every member must be one
    /// <paramref name="shape"/> names: otherwise an <c>unknown-member</c> problem (400) lists each with its JSON pointer
    /// and a "did you mean" suggestion.
    /// </summary>
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, int maxBytes, RequestShape shape, CancellationToken cancellationToken)
    {
        (JsonDocument? document, ProblemHttpResult? problem) = await ReadObjectAsync(request, maxBytes, cancellationToken);
        if (document is null)
        {
            return (null, problem);
        }

        var unknown = new List<UnknownMember>();
        shape.FindUnknown(document.RootElement, string.Empty, unknown);
        if (unknown.Count > 0)
        {
            document.Dispose();
            return (null, RequestShape.Problem(unknown));
        }

        return (document, null);
    }

    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ApiProblems.UnsupportedMediaType.Result("Send Content-Type: application/json."));
        }

        byte[]? body = await RequestBody.ReadBoundedAsync(request, maxBytes, cancellationToken);
        if (body is null)
        {
            return (null, ApiProblems.BodyTooLarge.Result($"The body exceeds {maxBytes} bytes."));
        }

        if (body.Length == 0)
        {
            return (null, ApiProblems.MalformedBody.Result("The request body is empty."));
        }

        // JSON text is UTF-8 (RFC 8259 §8.1); the parser checks string contents only when they are read, so check it all here.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return (null, ApiProblems.MalformedBody.Result("The body is not valid UTF-8."));
        }

        JsonDocument document;
        try
        {
            // Duplicate members are refused: parsers disagree on which one wins, and a signed credential must mean one thing.
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.MalformedBody.Result("The body is not valid JSON: " + e.Message));
        }
        catch (InvalidOperationException)
        {
            // The duplicate check reads member names: an unpaired surrogate escape in one fails here, not as JsonException.
            return (null, ApiProblems.MalformedBody.Result("The body has a member name with an unpaired surrogate escape (\\uD800-\\uDFFF)."));
        }

        // Every member name and string value decodes to UTF-16; "\uD800" alone parses as JSON but cannot be read.
        if (!BadgeIssuer.JsonLd.JsonStrings.AreReadable(document.RootElement))
        {
            document.Dispose();
            return (null, ApiProblems.MalformedBody.Result("The body has a string with an unpaired surrogate escape (\\uD800-\\uDFFF)."));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, ApiProblems.UnsupportedRequest.Result("The body must be a JSON object."));
        }

        return (document, null);
    }


    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed)
        && parsed.MediaType.Value is string mediaType
        && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/ld+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/vc+ld+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>A string member, or null when absent/null; a violation when present with another type or empty.</summary>
    public static string? OptionalString(JsonElement obj, string name, string path, List<InputViolation> violations, int maxLength = 2048) =>
        OptionalString(obj, name, path, violations, maxLength, textField: false);

    /// <summary>
    /// A text field with a documented limit (<see cref="TextLimits"/>): as <see cref="OptionalString(JsonElement, string, string, List{InputViolation}, int)"/>,
    /// but over the limit it is a <c>field-too-long</c> violation.
    /// </summary>
    public static string? OptionalText(JsonElement obj, string name, string path, List<InputViolation> violations, int maxLength) =>
        OptionalString(obj, name, path, violations, maxLength, textField: true);

    private static string? OptionalString(JsonElement obj, string name, string path, List<InputViolation> violations, int maxLength, bool textField)
    {
        if (!obj.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            violations.Add(new(path + "/" + name, $"'{name}' must be a string."));
            return null;
        }

        string s = value.GetString()!;
        if (string.IsNullOrWhiteSpace(s))
        {
            violations.Add(new(path + "/" + name, $"'{name}' must not be empty."));
            return null;
        }

        if (s.Length > maxLength)
        {
            violations.Add(textField ? TextLimits.TooLong(path + "/" + name, name, maxLength) : new(path + "/" + name, $"'{name}' is longer than {maxLength} characters."));
            return null;
        }

        return s;
    }

    /// <summary>
    /// The problem for <paramref name="violations"/>, each in <c>errors</c> as {path, message}. When a text field is over its
    /// length limit the problem is <c>field-too-long</c> (400) listing only those fields, whatever <paramref name="problem"/> is:
    /// one stable answer for every endpoint, and the other checks may not have run on an oversized document.
    /// </summary>
    public static ProblemHttpResult Violations(ApiProblems.ApiProblem problem, string detail, IReadOnlyList<InputViolation> violations)
    {
        List<InputViolation> tooLong = violations.Where(v => v.TooLong).ToList();
        if (tooLong.Count > 0)
        {
            problem = ApiProblems.FieldTooLong;
            detail = string.Join(" ", tooLong.Take(5).Select(v => v.Path + ": " + v.Message)) + (tooLong.Count > 5 ? $" ({tooLong.Count - 5} more)" : string.Empty);
            violations = tooLong;
        }

        return problem.Result(detail, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["errors"] = violations.Select(v => new Dictionary<string, string>(StringComparer.Ordinal) { ["path"] = v.Path, ["message"] = v.Message }).ToList(),
        });
    }

    /// <summary>The Idempotency-Key header: 1–255 visible ASCII characters, or absent.</summary>
    public static bool TryReadIdempotencyKey(HttpRequest request, out string? key)
    {
        key = null;
        if (!request.Headers.TryGetValue("Idempotency-Key", out Microsoft.Extensions.Primitives.StringValues values))
        {
            return true;
        }

        if (values.Count != 1 || values[0] is not { Length: >= 1 and <= 255 } value || value.AsSpan().ContainsAnyExceptInRange((char)0x21, (char)0x7E))
        {
            return false;
        }

        key = value;
        return true;
    }

    public static bool IsAbsoluteUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && uri.Scheme.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
}
