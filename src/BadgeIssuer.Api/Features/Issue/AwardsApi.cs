using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Achievements;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issue;

/// <summary>
/// The Open Badges way to issue: <c>POST /awards</c> names an achievement and a recipient; the service writes the
/// OpenBadgeCredential (issuer profile, achievement, hashed recipient, status entry), signs and stores it and answers
/// with the credential and its download links. <c>POST /awards/batch</c> does the same for many, one result each.
/// </summary>
internal static class AwardsApi
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapAwards(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder group = routes.MapGroup("/awards").WithTags("Awards").RequireAuthorization(ApiScopes.Issue);

        group.MapPost("/", Award)
            .WithName("Award")
            .WithSummary("Award an achievement to a learner")
            .WithDescription("Writes, signs and stores an OpenBadgeCredential. The recipient's email is stored in the credential only as a salted SHA-256 (unless hashed is false). Honours the Idempotency-Key header: a retry returns the same credential (200) instead of a second one.")
            .AcceptsJson<AwardRequest>()
            .AcceptsIdempotencyKey("1 to 255 visible ASCII characters. A retry with the same key returns the credential the first request issued (200, created: false) instead of issuing another.")
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.PayloadTooLarge,
                ProblemStatus.UnsupportedMediaType, ProblemStatus.UnprocessableEntity);

        group.MapPost("/batch", AwardBatch)
            .WithName("AwardBatch")
            .WithSummary("Award achievements in bulk")
            .WithDescription("Up to BadgeIssuer:MaxBatchSize awards; each gets its own result (one bad item does not fail the others). With an Idempotency-Key header, item i uses '<key>#i' unless it has its own idempotencyKey.")
            .AcceptsJson<AwardBatchRequest>()
            .AcceptsIdempotencyKey("1 to 255 visible ASCII characters. Item i uses '<key>#i' unless it has its own idempotencyKey, so a retried batch returns the credentials already issued.")
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.PayloadTooLarge,
                ProblemStatus.UnsupportedMediaType);

        return routes;
    }

    internal static async Task<Results<CreatedJsonResult<AwardResponse>, RawJsonResult<AwardResponse>, ProblemHttpResult>> Award(
        HttpRequest request, [AsParameters] AwardServices services, CancellationToken cancellationToken)
    {
        if (!RequestJson.TryReadIdempotencyKey(request, out string? idempotencyKey))
        {
            return ApiProblems.IdempotencyKeyInvalid.Result("Idempotency-Key must be one header of 1 to 255 visible ASCII characters.");
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, services.Options.Value.MaxRequestBytes, RequestShape.Of<AwardRequest>(), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            Caller caller = Caller.From(request.HttpContext.User);
            (byte[]? body, ProblemHttpResult? failure, bool created, string? location) =
                await AwardOneAsync(document!.RootElement, string.Empty, idempotencyKey, caller, request.HttpContext, services, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }

            return created
                ? new CreatedJsonResult<AwardResponse>(body!, location!)
                : new RawJsonResult<AwardResponse>(StatusCodes.Status200OK, body!) { Location = location };
        }
    }

    internal static async Task<Results<RawJsonResult<AwardBatchResponse>, ProblemHttpResult>> AwardBatch(
        HttpRequest request, [AsParameters] AwardServices services, CancellationToken cancellationToken)
    {
        if (!RequestJson.TryReadIdempotencyKey(request, out string? idempotencyKey))
        {
            return ApiProblems.IdempotencyKeyInvalid.Result("Idempotency-Key must be one header of 1 to 255 visible ASCII characters.");
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, services.Options.Value.MaxBatchRequestBytes, RequestShape.Of<AwardBatchRequest>(), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            if (!document!.RootElement.TryGetProperty("awards", out JsonElement awards) || awards.ValueKind != JsonValueKind.Array)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The request needs an 'awards' array.", [new("/awards", "required: an array of awards")]);
            }

            int count = awards.GetArrayLength();
            int max = services.Options.Value.MaxBatchSize;
            if (count == 0 || count > max)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, $"A batch holds 1 to {max} awards.", [new("/awards", $"has {count} items; allowed 1 to {max}")]);
            }

            Caller caller = Caller.From(request.HttpContext.User);
            var results = new (byte[]? Body, ProblemHttpResult? Problem, bool Created)[count];
            // Items run concurrently (signing is CPU-bound; storage groups the commits); order is kept in the answer.
            await Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    JsonElement item = awards[i];
                    string? key = idempotencyKey is null ? null : idempotencyKey + "#" + i.ToString(CultureInfo.InvariantCulture);
                    (byte[]? body, ProblemHttpResult? failure, bool created, _) = item.ValueKind == JsonValueKind.Object
                        ? await AwardOneAsync(item, $"/awards/{i}", key, caller, request.HttpContext, services, ct)
                        : (null, RequestJson.Violations(ApiProblems.InvalidRequest, "An award must be an object.", [new($"/awards/{i}", "must be an object")]), false, null);
                    results[i] = (body, failure, created);
                });

            int succeeded = results.Count(r => r.Body is not null);
            byte[] response = IssuerService.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteNumber("succeeded", succeeded);
                w.WriteNumber("failed", count - succeeded);
                w.WriteStartArray("results");
                for (int i = 0; i < count; i++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", i);
                    if (results[i].Body is { } body)
                    {
                        w.WriteNumber("status", results[i].Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
                        w.WritePropertyName("award");
                        w.WriteRawValue(body, skipInputValidation: true);
                    }
                    else
                    {
                        ProblemHttpResult p = results[i].Problem!;
                        w.WriteNumber("status", p.StatusCode);
                        w.WritePropertyName("problem");
                        JsonSerializer.Serialize(w, p.ProblemDetails, JsonSerializerOptions.Web);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return new RawJsonResult<AwardBatchResponse>(StatusCodes.Status200OK, response);
        }
    }

    private static async Task<(byte[]? Body, ProblemHttpResult? Problem, bool Created, string? Location)> AwardOneAsync(
        JsonElement award, string path, string? idempotencyKey, Caller caller, HttpContext context, AwardServices services, CancellationToken cancellationToken)
    {
        var violations = new List<InputViolation>();
        string? achievementId = RequestJson.OptionalString(award, "achievementId", path, violations);
        if (achievementId is null && violations.Count == 0)
        {
            violations.Add(new(path + "/achievementId", "required: the achievement's id"));
        }

        string? itemKey = RequestJson.OptionalString(award, "idempotencyKey", path, violations, 255);
        idempotencyKey = itemKey ?? idempotencyKey;
        SecuringFormat format = IssueApi.ReadFormat(RequestJson.OptionalString(award, "format", path, violations), path + "/format", violations);
        DateTimeOffset now = services.TimeProvider.GetUtcNow();
        DateTimeOffset validFrom = ReadDate(award, "validFrom", path, violations) ?? now;
        DateTimeOffset? validUntil = ReadDate(award, "validUntil", path, violations);
        if (validUntil is { } until && until <= validFrom)
        {
            violations.Add(new(path + "/validUntil", "validUntil must be after validFrom."));
        }

        List<string> purposes = ReadStatus(award, path, violations);
        Recipient? recipient = ReadRecipient(award, path, violations, out string recipientLabel, out string? recipientEmail);
        JsonElement? evidence = ReadArray(award, "evidence", path, violations);
        JsonElement? results = ReadArray(award, "results", path, violations);
        OfferOptions? offer = award.TryGetProperty("delivery", out JsonElement delivery) && delivery.ValueKind != JsonValueKind.Null
            ? services.Offers.ReadDelivery(delivery, path + "/delivery", violations)
            : null;
        if (violations.Count > 0)
        {
            return (null, RequestJson.Violations(ApiProblems.InvalidRequest, "The award is not valid.", violations), false, null);
        }

        AchievementRecord? achievement = await services.Storage.Achievements.GetAsync(achievementId!, cancellationToken);
        if (achievement is null || !caller.CanActFor(achievement.IssuerId))
        {
            return (null, ApiProblems.AchievementNotFound.Result($"No achievement '{achievementId}' that this API key may award."), false, null);
        }

        IssuerSigning issuer = await services.Issuers.GetSigningAsync(achievement.IssuerId, cancellationToken)
            ?? throw new InvalidOperationException("The achievement's issuer is gone.");
        (byte[] embeddedAchievement, string achievementName) = s_achievements.Get(achievement);

        IssueOutcome outcome = await services.Issuance.IssueAsync(
            issuer,
            services.Issuance.NewCredentialId(),
            new IssueParameters(format, null, purposes, idempotencyKey, achievement.Id, recipientLabel, caller.Actor)
            {
                RecipientEmail = recipientEmail,
            },
            new OpenBadgeCredentialTemplate
            {
                IssuerProfile = issuer.EmbeddedProfile,
                Achievement = embeddedAchievement,
                Name = achievementName,
                Recipient = recipient!,
                ValidFrom = validFrom,
                ValidUntil = validUntil,
                Evidence = evidence,
                Results = results,
            },
            cancellationToken);
        if (!outcome.Succeeded)
        {
            return (null, IssueProblems.From(outcome), false, null);
        }

        CredentialRecord record = outcome.Credential!;
        // Pathways this award completed (stackable credentials): composites issued now, and the ones that already counted
        // its credential. A retried award (same idempotency key) looks at its pathways again, so a composite its first
        // attempt failed to issue is issued now (still at most once per learner: the composite's own key). It does so only
        // when the retry names the same learner and achievement as the stored credential (by the keyed recipient hash):
        // a body naming someone else is answered with the stored credential, and completes nothing for anyone.
        // They are due whatever becomes of a wallet offer below.
        IReadOnlyList<CompositeAward> composites;
        if (outcome.Created)
        {
            composites = await services.Pathways.AwardCompletedAsync(
                new StoredPart(issuer, record, recipient!, recipientLabel, recipientEmail, format, caller.Actor), context, cancellationToken);
        }
        else if (services.Issuance.RecipientKey(recipientLabel, recipientEmail) is { } recipientKey
            && await SameLearnerAsync(services.Storage, record, achievement.Id, recipientKey, cancellationToken))
        {
            IReadOnlyList<CompositeAward> awarded = await services.Pathways.AwardCompletedAsync(
                new StoredPart(issuer, record, recipient!, recipientLabel, recipientEmail, FormatOf(record), caller.Actor), context, cancellationToken);
            composites = [.. awarded, .. (await services.Pathways.CountedAsync(record, cancellationToken))
                .Where(c => !awarded.Any(a => string.Equals(a.CredentialId, c.CredentialId, StringComparison.Ordinal)))];
        }
        else
        {
            composites = await services.Pathways.CountedAsync(record, cancellationToken);
        }
        byte[]? offerJson = null;
        if (offer is not null)
        {
            // A retried award (same idempotency key) gets a new offer too; earlier ones stay valid until used, withdrawn or expired.
            (offerJson, ProblemHttpResult? refused) = await services.Offers.CreateAsync(record, offer, caller.Actor, context, cancellationToken);
            if (refused is not null)
            {
                return (null, refused, false, null);
            }
        }

        return (WriteAwardResponse(record, issuer.Name, achievementName, services.Urls, outcome.Created, composites, offerJson), null, outcome.Created, record.Id);
    }

    private static readonly EmbeddedAchievements s_achievements = new();

    // The stored credential answered for a retry is one this request's learner holds: one of their newest active
    // credentials of the achievement, found by the keyed recipient hash. A revoked or suspended one, or one older than the
    // newest few, completes nothing anyway: the learner's next award does.
    private static async Task<bool> SameLearnerAsync(
        IBadgeStorage storage, CredentialRecord stored, string achievementId, ReadOnlyMemory<byte> recipientKey, CancellationToken cancellationToken) =>
        string.Equals(stored.AchievementId, achievementId, StringComparison.Ordinal)
        && (await storage.Credentials.ListActiveForRecipientAsync(stored.IssuerId, recipientKey, [achievementId], PathwayAwarder.CandidatesPerPart, cancellationToken))
            .Any(c => string.Equals(c.Id, stored.Id, StringComparison.Ordinal));

    // The securing format the stored credential was issued in (its composites are issued in the same).
    private static SecuringFormat FormatOf(CredentialRecord credential) =>
        credential.SignedJson is not null && credential.Jwt is not null ? SecuringFormat.Both
            : credential.Jwt is not null ? SecuringFormat.Jwt
            : SecuringFormat.DataIntegrity;

    /// <summary>The achievement as embedded in credentials, parsed once per stored version (keyed by id, checked against the stored JSON).</summary>
    private sealed class EmbeddedAchievements
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Json, byte[] Embedded, string Name)> _cache = new(StringComparer.Ordinal);

        public (byte[] Embedded, string Name) Get(AchievementRecord achievement)
        {
            if (_cache.TryGetValue(achievement.Id, out var cached) && string.Equals(cached.Json, achievement.Json, StringComparison.Ordinal))
            {
                return (cached.Embedded, cached.Name);
            }

            var entry = (achievement.Json, AchievementDocuments.Embedded(achievement.Json), ReadName(achievement.Json));
            if (_cache.Count > 10_000)
            {
                _cache.Clear();
            }

            _cache[achievement.Id] = entry;
            return (entry.Item2, entry.Item3);
        }
    }

    private static string ReadName(string achievementJson)
    {
        using JsonDocument document = JsonDocument.Parse(achievementJson);
        return document.RootElement.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "Achievement";
    }

    private static DateTimeOffset? ReadDate(JsonElement award, string name, string path, List<InputViolation> violations)
    {
        string? value = RequestJson.OptionalString(award, name, path, violations, 64);
        if (value is null)
        {
            return null;
        }

        // xsd:dateTime with a time zone (T-13).
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset parsed)
            && value.IndexOf('T', StringComparison.Ordinal) is > 0 and int t
            && (value.EndsWith('Z') || value.LastIndexOfAny(['+', '-']) > t))
        {
            return parsed;
        }

        violations.Add(new(path + "/" + name, $"'{name}' must be a date-time with a time zone, e.g. 2026-01-31T09:00:00Z."));
        return null;
    }

    internal static List<string> ReadStatus(JsonElement award, string path, List<InputViolation> violations)
    {
        if (!award.TryGetProperty("status", out JsonElement status) || status.ValueKind == JsonValueKind.Null)
        {
            return ["revocation"];
        }

        var purposes = new List<string>();
        if (status.ValueKind != JsonValueKind.Array)
        {
            violations.Add(new(path + "/status", "status must be an array: [\"revocation\"], [\"suspension\"] or []."));
            return purposes;
        }

        foreach (JsonElement item in status.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is "revocation" or "suspension" && !purposes.Contains(item.GetString()!))
            {
                purposes.Add(item.GetString()!);
            }
            else
            {
                violations.Add(new(path + "/status", "status items are 'revocation' or 'suspension', each at most once."));
            }
        }

        if (purposes.Count > 1)
        {
            violations.Add(new(path + "/status", "An Open Badges 3.0 credential carries one credentialStatus object (its JSON Schema allows no array): choose revocation or suspension."));
        }

        return purposes;
    }

    private static Recipient? ReadRecipient(JsonElement award, string path, List<InputViolation> violations, out string label, out string? normalizedEmail)
    {
        label = string.Empty;
        normalizedEmail = null;
        if (!award.TryGetProperty("recipient", out JsonElement r) || r.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new(path + "/recipient", "required: an object with email or id (and optionally name)"));
            return null;
        }

        string p = path + "/recipient";
        string? email = RequestJson.OptionalText(r, "email", p, violations, TextLimits.Email);
        string? id = RequestJson.OptionalText(r, "id", p, violations, TextLimits.Url);
        string? name = RequestJson.OptionalText(r, "name", p, violations, TextLimits.Name);
        bool hashed = true;
        if (r.TryGetProperty("hashed", out JsonElement h) && h.ValueKind != JsonValueKind.Null)
        {
            if (h.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                violations.Add(new(p + "/hashed", "hashed must be true or false."));
            }
            else
            {
                hashed = h.GetBoolean();
            }
        }

        if (email is null && id is null)
        {
            if (!violations.Any(v => v.Path.StartsWith(p, StringComparison.Ordinal)))
            {
                violations.Add(new(p, "A recipient needs an email or an id."));
            }

            return null;
        }

        // Trimmed, lower-cased, IDN domain in ASCII, then the addr-spec grammar (EmailAddress). For an address that was
        // accepted before, the hashed form is unchanged (trimmed and lower-cased); a non-ASCII domain now hashes as its A-label.
        string? normalized = null;
        if (email is not null && !EmailAddress.TryNormalize(email, out normalized, out string? emailError))
        {
            violations.Add(new(p + "/email", "email is not a valid address: " + emailError));
            return null;
        }

        if (id is not null && !RequestJson.IsAbsoluteUri(id))
        {
            violations.Add(new(p + "/id", "id must be an absolute URI (a DID or URL)."));
            return null;
        }

        normalizedEmail = normalized;
        var identifiers = new List<IdentityObject>();
        if (normalized is not null)
        {
            identifiers.Add(hashed
                ? Recipient.FromEmail(normalized).Identifiers[0]
                : new IdentityObject(IdentityObject.EmailAddress, false, normalized));
        }

        if (name is not null)
        {
            identifiers.Add(new IdentityObject("name", false, name));
        }

        // The stored label is the subject id or the identity hash as signed (the address itself is not stored).
        label = id ?? identifiers[0].IdentityHash;
        return Recipient.Create(id, identifiers);
    }

    private static JsonElement? ReadArray(JsonElement award, string name, string path, List<InputViolation> violations)
    {
        if (!award.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
        {
            violations.Add(new(path + "/" + name, $"'{name}' must be an array of objects."));
            return null;
        }

        // Evidence and results text (narrative, description, name, urls) within the documented limits.
        TextLimits.Check(value, path + "/" + name, violations, name);

        return value.GetArrayLength() == 0 ? null : value;
    }

    /// <summary>
    /// The <c>credential</c> (Data Integrity JSON) and <c>jwt</c> members of an award or CLR answer: both always written,
    /// null for the format not issued, as their OpenAPI schemas require them.
    /// </summary>
    internal static void WriteCredentialAndJwt(Utf8JsonWriter w, CredentialRecord record)
    {
        w.WritePropertyName("credential");
        if (record.SignedJson is not null)
        {
            w.WriteRawValue(record.SignedJson, skipInputValidation: true);
        }
        else
        {
            w.WriteNullValue();
        }

        w.WriteString("jwt", record.Jwt);
    }

    internal static byte[] WriteAwardResponse(
        CredentialRecord record, string issuerName, string achievementName, PublicUrls urls, bool created, IReadOnlyList<CompositeAward>? composites = null, byte[]? offer = null)
    {
        var buffer = JsonScratch.Rent();
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            w.WriteString("credentialId", record.Id);
            WriteCredentialAndJwt(w, record);

            w.WriteStartObject("links");
            w.WriteString("credential", record.Id);
            if (record.SignedJson is not null)
            {
                w.WriteString("json", record.Id + ".json");
            }

            if (record.Jwt is not null)
            {
                w.WriteString("jwt", record.Id + ".jwt");
            }

            w.WriteString("png", record.Id + ".png");
            w.WriteString("svg", record.Id + ".svg");
            w.WriteString("linkedIn", LinkedIn.AddToProfileUrl(achievementName, issuerName, record.IssuedAt, record.Id, urls.LocalId(record.Id, "/credentials/") ?? record.Id));
            w.WriteEndObject();
            w.WriteBoolean("created", created);
            if (composites is { Count: > 0 })
            {
                w.WriteStartArray("composites");
                foreach (CompositeAward composite in composites)
                {
                    w.WriteStartObject();
                    w.WriteString("achievementId", composite.AchievementId);
                    w.WriteString("name", composite.Name);
                    w.WriteString("credentialId", composite.CredentialId);
                    w.WriteBoolean("created", composite.Created);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (offer is not null)
            {
                w.WritePropertyName("offer");
                w.WriteRawValue(offer, skipInputValidation: true);
            }

            w.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }
}

/// <summary>What the award handlers need from DI.</summary>
internal sealed record AwardServices(
    IBadgeStorage Storage,
    IssuerService Issuers,
    IssuanceService Issuance,
    PublicUrls Urls,
    IOptions<BadgeIssuerOptions> Options,
    TimeProvider TimeProvider,
    PathwayAwarder Pathways,
    IOfferDelivery Offers);

/// <summary>LinkedIn's "Add to profile" link for a certification (documented query parameters).</summary>
internal static class LinkedIn
{
    public static string AddToProfileUrl(string name, string organization, DateTimeOffset issued, string certUrl, string certId) =>
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"
        + "&name=" + Uri.EscapeDataString(name)
        + "&organizationName=" + Uri.EscapeDataString(organization)
        + "&issueYear=" + issued.UtcDateTime.Year.ToString(CultureInfo.InvariantCulture)
        + "&issueMonth=" + issued.UtcDateTime.Month.ToString(CultureInfo.InvariantCulture)
        + "&certUrl=" + Uri.EscapeDataString(certUrl)
        + "&certId=" + Uri.EscapeDataString(certId);
}
