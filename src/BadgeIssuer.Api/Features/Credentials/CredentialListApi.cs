using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace BadgeIssuer.Api.Features.Credentials;

/// <summary>One page of an issuer's credentials, newest first; <paramref name="Next"/> is the cursor of the next page (absent on the last).</summary>
public sealed record CredentialList(IReadOnlyList<CredentialListEntry> Items, string? Next);

/// <summary>One listed credential: ids, issue time, state and download links (not the credential itself).</summary>
public sealed record CredentialListEntry(string Id, string Issuer, string? Achievement, DateTimeOffset IssuedAt, string Status, CredentialLinks Links);

/// <summary>Downloads of a credential: the JSON-LD and/or VC-JWT it was issued as, and baked PNG/SVG badges.</summary>
public sealed record CredentialLinks(string? Json, string? Jwt, string Png, string Svg);

/// <summary>
/// <c>GET /credentials</c>: the calling issuer's credentials (scope <c>manage</c>, <c>revoke</c> or
/// <c>…/credential.readonly</c>), filtered by achievement, recipient (keyed hash, see docs/listing.md), state and issue
/// time, with keyset cursor paging (limit 1..200, default 50).
/// </summary>
internal static partial class CredentialListApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    private const int MaxCursorLength = 4096;
    private static readonly string[] s_parameters = ["issuerId", "achievementId", "recipient", "status", "issuedAfter", "issuedBefore", "cursor", "limit"];

    public static IEndpointRouteBuilder MapCredentialList(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/credentials", List)
            .WithTags("Credentials")
            .WithName("ListCredentials")
            .WithSummary("List the issuer's credentials (newest first, cursor paging)")
            .WithDescription("Query: achievementId, recipient (an email address or a subject id; matched by a keyed hash, never stored in clear), status (active|revoked|suspended), issuedAfter (inclusive) and issuedBefore (exclusive) as RFC 3339 date-times, limit (1-200, default 50), cursor (the previous page's next). Admin keys name the issuer (issuerId).")
            .RequireAuthorization(ApiScopes.ReadCredentials)
            .ProducesProblems(ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound);
        return routes;
    }

    internal static async Task<Results<RawJsonResult<CredentialList>, ProblemHttpResult>> List(
        HttpRequest request, IBadgeStorage storage, RecipientLookup recipients, CancellationToken cancellationToken)
    {
        IQueryCollection q = request.Query;
        var violations = new List<InputViolation>();
        foreach (KeyValuePair<string, StringValues> parameter in q)
        {
            if (!s_parameters.Contains(parameter.Key, StringComparer.Ordinal))
            {
                violations.Add(new(parameter.Key, "unknown query parameter; known: " + string.Join(", ", s_parameters) + "."));
            }
            else if (parameter.Value.Count != 1)
            {
                violations.Add(new(parameter.Key, $"'{parameter.Key}' may be given once."));
            }
        }

        if (violations.Count > 0)
        {
            return RequestJson.Violations(ApiProblems.InvalidRequest, "The listing query is not valid.", violations);
        }

        string? issuerId = Text(q, "issuerId", TextLimits.Url, violations);
        string? achievementId = Text(q, "achievementId", TextLimits.Url, violations);
        string? recipient = Text(q, "recipient", TextLimits.Url, violations);
        CredentialListStatus? status = Text(q, "status", 16, violations) switch
        {
            null => null,
            "active" => CredentialListStatus.Active,
            "revoked" => CredentialListStatus.Revoked,
            "suspended" => CredentialListStatus.Suspended,
            _ => Invalid<CredentialListStatus>(violations, "status", "'status' must be active, revoked or suspended."),
        };
        DateTimeOffset? issuedAfter = Time(q, "issuedAfter", violations);
        DateTimeOffset? issuedBefore = Time(q, "issuedBefore", violations);
        if (issuedAfter is { } a && issuedBefore is { } b && a >= b)
        {
            violations.Add(new("issuedAfter", "'issuedAfter' must be before 'issuedBefore'."));
        }

        int limit = DefaultLimit;
        if (Text(q, "limit", 8, violations) is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            violations.Add(new("limit", $"'limit' must be a whole number from 1 to {MaxLimit}."));
        }

        CredentialPosition? after = null;
        if (Text(q, "cursor", MaxCursorLength, violations) is { } cursor && (after = ReadCursor(cursor)) is null)
        {
            violations.Add(new("cursor", "'cursor' is not a cursor this service returned; start again without it."));
        }

        if (recipient is not null && !RequestJson.IsAbsoluteUri(recipient) && recipient.IndexOf('@', StringComparison.Ordinal) < 1)
        {
            violations.Add(new("recipient", "'recipient' must be an email address or a subject id (an absolute URI)."));
        }

        if (violations.Count > 0)
        {
            return RequestJson.Violations(ApiProblems.InvalidRequest, "The listing query is not valid.", violations);
        }

        Caller caller = Caller.From(request.HttpContext.User);
        string? target = issuerId ?? caller.IssuerId;
        if (target is null || !caller.CanActFor(target))
        {
            return ApiProblems.IssuerNotFound.Result("Name an issuer this API key may read (issuerId).");
        }

        // An admin key may name any issuer: one that does not exist is a 404, not an empty page.
        if (issuerId is not null && await storage.Issuers.GetAsync(target, cancellationToken) is null)
        {
            return ApiProblems.IssuerNotFound.Result($"No issuer has the id '{target}'.");
        }

        // One row more than asked tells whether there is a next page.
        IReadOnlyList<CredentialListItem> rows = await storage.Credentials.QueryAsync(new CredentialQuery(target, limit + 1)
        {
            AchievementId = achievementId,
            // Typed as ReadOnlyMemory<byte>? so that no recipient stays null (a null byte[] would become an empty key).
            RecipientKey = recipient is null ? null : (ReadOnlyMemory<byte>?)recipients.ForQuery(recipient),
            Status = status,
            IssuedAfter = issuedAfter,
            IssuedBefore = issuedBefore,
            After = after,
        }, cancellationToken);
        bool more = rows.Count > limit;
        byte[] body = IssuerService.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            foreach (CredentialListItem item in rows.Take(limit))
            {
                w.WriteStartObject();
                w.WriteString("id", item.Id);
                w.WriteString("issuer", item.IssuerId);
                if (item.AchievementId is not null)
                {
                    w.WriteString("achievement", item.AchievementId);
                }

                w.WriteString("issuedAt", item.IssuedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
                w.WriteString("status", item.Status switch
                {
                    CredentialListStatus.Revoked => "revoked",
                    CredentialListStatus.Suspended => "suspended",
                    _ => "active",
                });
                w.WriteStartObject("links");
                if (item.HasJson)
                {
                    w.WriteString("json", item.Id + ".json");
                }

                if (item.HasJwt)
                {
                    w.WriteString("jwt", item.Id + ".jwt");
                }

                w.WriteString("png", item.Id + ".png");
                w.WriteString("svg", item.Id + ".svg");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (more)
            {
                CredentialListItem last = rows[limit - 1];
                w.WriteString("next", WriteCursor(new CredentialPosition(last.IssuedAt, last.Id)));
            }

            w.WriteEndObject();
        });
        return new RawJsonResult<CredentialList>(StatusCodes.Status200OK, body);
    }

    // An opaque cursor: base64url of "1|<UTC ticks>|<credential id>", the position of the last item of the page.
    internal static string WriteCursor(CredentialPosition position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"1|{position.IssuedAt.UtcTicks}|{position.Id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static CredentialPosition? ReadCursor(string cursor)
    {
        string base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        byte[] bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out int written) || !System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, written)))
        {
            return null;
        }

        string[] parts = Encoding.UTF8.GetString(bytes, 0, written).Split('|', 3);
        return parts.Length == 3 && parts[0] == "1"
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && parts[2].Length is > 0 and <= TextLimits.Url
            && !parts[2].Any(char.IsControl)
            ? new CredentialPosition(new DateTimeOffset(ticks, TimeSpan.Zero), parts[2])
            : null;
    }

    private static string? Text(IQueryCollection query, string name, int maxLength, List<InputViolation> violations)
    {
        if (!query.TryGetValue(name, out StringValues values) || values.Count != 1)
        {
            return null;
        }

        string value = values[0]!.Trim();
        if (value.Length == 0)
        {
            violations.Add(new(name, $"'{name}' must not be empty."));
            return null;
        }

        if (value.Length > maxLength)
        {
            violations.Add(TextLimits.TooLong(name, name, maxLength));
            return null;
        }

        if (value.Any(char.IsControl))
        {
            // No id, address or cursor holds one (and PostgreSQL text refuses NUL).
            violations.Add(new(name, $"'{name}' must not contain control characters."));
            return null;
        }

        return value;
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name, List<InputViolation> violations)
    {
        if (Text(query, name, 64, violations) is not { } text)
        {
            return null;
        }

        // RFC 3339 date-time with an offset (Z or ±hh:mm), nothing else DateTimeOffset.TryParse would also take. RFC 3339
        // allows any number of fractional digits; times are kept to 100 ns (7 digits), so further digits are dropped.
        Match match = Rfc3339().Match(text);
        if (match.Success && match.Groups["fraction"].Length > 8)
        {
            Group fraction = match.Groups["fraction"];
            text = string.Concat(text.AsSpan(0, fraction.Index + 8), text.AsSpan(fraction.Index + fraction.Length));
        }

        if (match.Success
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out DateTimeOffset value))
        {
            return value;
        }

        violations.Add(new(name, $"'{name}' must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T00:00:00Z."));
        return null;
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?<fraction>\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    private static T? Invalid<T>(List<InputViolation> violations, string name, string message)
        where T : struct
    {
        violations.Add(new(name, message));
        return null;
    }
}
