using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issue;

/// <summary>
/// <c>POST /clrs</c>: a Comprehensive Learner Record 2.0 (<c>ClrCredential</c>) for one learner, embedding credentials the
/// issuer already issued to that learner, as issued (proofs intact): picked by id, or as everything of a completed
/// pathway (the composite credential and the part credentials it counted, nested pathways included). Its ClrSubject lists
/// their achievements and the associations the issuer's pathways declare between them (a part <c>isChildOf</c> its
/// pathway achievement, which <c>isParentOf</c> it; the part <c>isPartOf</c> and <c>precedes</c> it). Only credentials valid now may be embedded: a revoked, suspended,
/// expired or not yet valid one would make the CLR fail verification from the start. Core writes, checks (VC Data Model
/// and CLR 2.0 rules, each embedded credential's own VC rules, JSON-LD safe mode) and signs it through
/// <see cref="IssuanceService"/>, as any credential; it is stored as a credential, so it has a status entry and the
/// same downloads (JSON, JWT, baked PNG/SVG). Sizes are bounded by <see cref="ClrOptions"/>.
/// </summary>
internal static class ClrApi
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapClrs(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/clrs", IssueClr)
            .WithTags("CLR")
            .RequireAuthorization(ApiScopes.Issue)
            .WithName("IssueClr")
            .WithSummary("Issue a Comprehensive Learner Record (CLR 2.0) for one learner")
            .WithDescription("Embeds credentials already issued to the learner (by id, or every credential of a completed pathway) as issued, proofs intact, with their achievements and the associations their pathways declare; signs a ClrCredential (eddsa-rdfc-2022, and VC-JWT on request) with a status entry. Every embedded credential must be this issuer's, the learner's and valid now. At most BadgeIssuer:Clr:MaxCredentials credentials and BadgeIssuer:Clr:MaxBytes bytes of them. Honours the Idempotency-Key header.")
            .AcceptsJson<ClrRequest>()
            .AcceptsIdempotencyKey("1 to 255 visible ASCII characters. A retry with the same key for the same learner returns the CLR the first request issued (200), as stored, even if the rest of the body differs or an embedded credential changed since; a key that named a CLR of another learner, or another kind of credential (an award), is 409 conflict.")
            .ProducesProblems(
                ProblemStatus.BadRequest, ProblemStatus.Unauthorized, ProblemStatus.Forbidden, ProblemStatus.NotFound, ProblemStatus.Conflict, ProblemStatus.PayloadTooLarge,
                ProblemStatus.UnsupportedMediaType, ProblemStatus.UnprocessableEntity);
        return routes;
    }

    internal static async Task<Results<CreatedJsonResult<ClrResponse>, RawJsonResult<ClrResponse>, ProblemHttpResult>> IssueClr(
        HttpRequest request,
        IBadgeStorage storage,
        IssuerService issuers,
        IssuanceService issuance,
        RecipientLookup recipients,
        PublicUrls urls,
        IOptions<BadgeIssuerOptions> options,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        if (!RequestJson.TryReadIdempotencyKey(request, out string? idempotencyKey))
        {
            return ApiProblems.IdempotencyKeyInvalid.Result("Idempotency-Key must be one header of 1 to 255 visible ASCII characters.");
        }

        (JsonDocument? document, ProblemHttpResult? problem) = await RequestJson.ReadObjectAsync(request, options.Value.MaxRequestBytes, RequestShape.Of<ClrRequest>(), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            ClrOptions limits = options.Value.Clr;
            JsonElement body = document!.RootElement;
            var violations = new List<InputViolation>();
            Learner? learner = ReadLearner(body, violations);
            List<string> ids = ReadIds(body, "credentials", limits.MaxCredentials, violations);
            List<string> pathways = ReadIds(body, "pathways", limits.MaxCredentials, violations);
            string? name = RequestJson.OptionalText(body, "name", string.Empty, violations, TextLimits.Name);
            string? description = RequestJson.OptionalText(body, "description", string.Empty, violations, TextLimits.Text);
            string? issuerId = RequestJson.OptionalString(body, "issuerId", string.Empty, violations, TextLimits.Url);
            bool? partial = null;
            if (body.TryGetProperty("partial", out JsonElement p) && p.ValueKind != JsonValueKind.Null)
            {
                if (p.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    partial = p.GetBoolean();
                }
                else
                {
                    violations.Add(new("/partial", "partial must be true or false."));
                }
            }

            SecuringFormat format = IssueApi.ReadFormat(RequestJson.OptionalString(body, "format", string.Empty, violations), "/format", violations);
            List<string> purposes = AwardsApi.ReadStatus(body, string.Empty, violations);
            if (violations.Count == 0 && ids.Count == 0 && pathways.Count == 0)
            {
                violations.Add(new("/credentials", "Name at least one credential (credentials) or completed pathway (pathways)."));
            }

            if (violations.Count > 0)
            {
                return RequestJson.Violations(ApiProblems.InvalidRequest, "The CLR request is not valid.", violations);
            }

            Caller caller = Caller.From(request.HttpContext.User);
            issuerId ??= caller.IssuerId;
            if (issuerId is null || !caller.CanActFor(issuerId) || await issuers.GetSigningAsync(issuerId, cancellationToken) is not { } issuer)
            {
                return ApiProblems.IssuerNotFound.Result("Name an issuer this API key may issue for (issuerId).");
            }

            byte[] learnerKey = learner!.Id is { } learnerId ? recipients.ForId(learnerId) : recipients.ForEmail(learner.Email!);

            // A retry: the key already names a credential of this issuer. A CLR of this same learner is answered as stored,
            // whatever else this body names and whatever became of the credentials it embeds since (as every endpoint answers
            // a retried key); a key is never an answer about another learner.
            if (idempotencyKey is not null
                && await storage.Credentials.GetByIdempotencyKeyAsync(issuer.Record.Id, idempotencyKey, cancellationToken) is { } earlier)
            {
                return Retried(earlier, idempotencyKey, learnerKey);
            }

            DateTimeOffset now = timeProvider.GetUtcNow();
            var selection = new Selection(storage, issuer.Record.Id, caller, limits);

            // Everything of each completed pathway: the learner's composite and what it counted, nested pathways included.
            for (int i = 0; i < pathways.Count; i++)
            {
                string at = "/pathways/" + i.ToString(CultureInfo.InvariantCulture);
                AchievementRecord? achievement = await storage.Achievements.GetAsync(pathways[i], cancellationToken);
                if (achievement is null || !string.Equals(achievement.IssuerId, issuer.Record.Id, StringComparison.Ordinal))
                {
                    return ApiProblems.AchievementNotFound.Result($"{at}: no achievement '{pathways[i]}' of this issuer.");
                }

                CredentialRecord? composite = await storage.Credentials.GetByIdempotencyKeyAsync(
                    issuer.Record.Id, PathwayAwarder.CompositeKey(achievement.Id, learnerKey), cancellationToken);
                if (composite is null)
                {
                    return ApiProblems.InvalidClr.Result($"{at}: the learner has not completed the pathway '{achievement.Id}' (no composite credential was awarded for it).");
                }

                if (await selection.AddPathwayAsync(composite, at, options.Value.Pathways.MaxDepth, cancellationToken) is { } refused)
                {
                    return refused;
                }
            }

            for (int i = 0; i < ids.Count; i++)
            {
                if (await selection.AddAsync(ids[i], "/credentials/" + i.ToString(CultureInfo.InvariantCulture), cancellationToken) is { } refused)
                {
                    return refused;
                }
            }

            // Every embedded credential: the learner's, valid now, secured as JSON; bounded in count and bytes.
            var embedded = new List<ReadOnlyMemory<byte>>(selection.Credentials.Count);
            var achievements = new List<ReadOnlyMemory<byte>>();
            var achievementIds = new List<string>();
            long bytes = 0;
            foreach ((CredentialRecord credential, string at) in selection.Credentials)
            {
                if (credential.SignedJson is null)
                {
                    return ApiProblems.InvalidClr.Result($"{at}: '{credential.Id}' was issued only as a VC-JWT; a CLR embeds Data Integrity credentials as issued.");
                }

                // The bound is in bytes: the credential's UTF-8, as embedded (not its UTF-16 length, up to 3 times less).
                byte[] json = Encoding.UTF8.GetBytes(credential.SignedJson);
                bytes += json.Length;
                if (bytes > limits.MaxBytes)
                {
                    return ApiProblems.ClrTooLarge.Result($"The credentials to embed exceed {limits.MaxBytes} bytes (BadgeIssuer:Clr:MaxBytes).");
                }

                using JsonDocument signed = JsonDocument.Parse(json);
                JsonElement root = signed.RootElement;
                if (learner.Id is { } id ? !RecipientMatcher.MatchesId(root, id) : !RecipientMatcher.MatchesIdentifier(root, IdentityObject.EmailAddress, learner.Email!))
                {
                    return ApiProblems.InvalidClr.Result($"{at}: '{credential.Id}' was not issued to this learner.");
                }

                if (CredentialProfiles.Detect(root) == CredentialProfile.Clr)
                {
                    return ApiProblems.InvalidClr.Result($"{at}: '{credential.Id}' is a CLR; a CLR embeds the credentials themselves, not other CLRs.");
                }

                if (NotValidNow(root, now) is { } why)
                {
                    return ApiProblems.InvalidClr.Result($"{at}: '{credential.Id}' {why}; only credentials valid now are embedded.");
                }

                if (await selection.StatusAsync(credential, urls, cancellationToken) is { } status)
                {
                    return ApiProblems.InvalidClr.Result($"{at}: '{credential.Id}' is {status}; only credentials valid now are embedded.");
                }

                embedded.Add(json);
                if (root.TryGetProperty("credentialSubject", out JsonElement subject) && subject.ValueKind == JsonValueKind.Object
                    && subject.TryGetProperty("achievement", out JsonElement achievement) && achievement.ValueKind == JsonValueKind.Object
                    && achievement.TryGetProperty("id", out JsonElement achievementId) && achievementId.ValueKind == JsonValueKind.String
                    && !achievementIds.Contains(achievementId.GetString()!, StringComparer.Ordinal))
                {
                    achievementIds.Add(achievementId.GetString()!);
                    achievements.Add(Encoding.UTF8.GetBytes(achievement.GetRawText()));
                }
            }

            IReadOnlyList<ClrAssociation> associations = await AssociationsAsync(storage, achievementIds, cancellationToken);
            string label = learner.Id ?? learner.Subject.Identifiers[0].IdentityHash;
            IssueOutcome outcome = await issuance.IssueAsync(
                issuer,
                issuance.NewCredentialId(),
                new IssueParameters(format, null, purposes, idempotencyKey, null, label, caller.Actor) { RecipientEmail = learner.Email },
                new ClrCredentialTemplate
                {
                    IssuerProfile = issuer.EmbeddedProfile,
                    Name = name ?? "Comprehensive Learner Record",
                    Description = description,
                    Learner = learner.Subject,
                    Credentials = embedded,
                    ValidFrom = now,
                    Partial = partial,
                    Achievements = achievements,
                    Associations = associations,
                },
                cancellationToken);
            if (!outcome.Succeeded)
            {
                return IssueProblems.From(outcome);
            }

            CredentialRecord record = outcome.Credential!;
            if (!outcome.Created)
            {
                // A concurrent request with the same key stored its credential first.
                return Retried(record, idempotencyKey!, learnerKey);
            }

            return new CreatedJsonResult<ClrResponse>(WriteResponse(record, embedded.Count, associations.Count), record.Id);
        }
    }

    /// <summary>
    /// The answer to a retried Idempotency-Key: the stored CLR (200) with its own counts, not the retried body's; or 409
    /// <c>conflict</c> when the key named a CLR of another learner, or a credential of another kind (an award's badge),
    /// which must not be answered as this CLR.
    /// </summary>
    private static Results<CreatedJsonResult<ClrResponse>, RawJsonResult<ClrResponse>, ProblemHttpResult> Retried(CredentialRecord earlier, string key, byte[] learnerKey)
    {
        if (earlier.RecipientKey is not { } storedKey || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(storedKey.Span, learnerKey))
        {
            return ApiProblems.Conflict.Result($"The Idempotency-Key '{key}' already named a credential that is not a CLR of this learner; send this CLR with a key of its own.");
        }

        using JsonDocument stored = JsonDocument.Parse(earlier.SignedJson ?? PartValidity.JwtPayload(earlier.Jwt) ?? "{}");
        JsonElement root = stored.RootElement;
        if (earlier.SignedJson is null && root.TryGetProperty("vc", out JsonElement vc) && vc.ValueKind == JsonValueKind.Object)
        {
            root = vc;
        }

        if (CredentialProfiles.Detect(root) != CredentialProfile.Clr)
        {
            return ApiProblems.Conflict.Result($"The Idempotency-Key '{key}' already named '{earlier.Id}', which is not a CLR; send this CLR with a key of its own.");
        }

        int embedded = 0, associations = 0;
        if (root.TryGetProperty("credentialSubject", out JsonElement subject) && subject.ValueKind == JsonValueKind.Object)
        {
            embedded = subject.TryGetProperty("verifiableCredential", out JsonElement vcs) && vcs.ValueKind == JsonValueKind.Array ? vcs.GetArrayLength() : 0;
            associations = subject.TryGetProperty("association", out JsonElement a) && a.ValueKind == JsonValueKind.Array ? a.GetArrayLength() : 0;
        }

        return new RawJsonResult<ClrResponse>(StatusCodes.Status200OK, WriteResponse(earlier, embedded, associations)) { Location = earlier.Id };
    }

    /// <summary>
    /// The associations the issuer's pathways declare between the achievements in the CLR: for each pathway achievement
    /// present, each of its parts present <c>isChildOf</c> it, it <c>isParentOf</c> the part, the part <c>isPartOf</c> it and
    /// <c>precedes</c> it (a part is earned before what it makes up) (CLR 2.0 AssociationType).
    /// </summary>
    internal static async Task<IReadOnlyList<ClrAssociation>> AssociationsAsync(IBadgeStorage storage, IReadOnlyList<string> achievementIds, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(achievementIds, StringComparer.Ordinal);
        var associations = new List<ClrAssociation>();
        foreach (string[] chunk in achievementIds.Chunk(500))
        {
            foreach (PathwayRecord pathway in await storage.Achievements.GetPathwaysAsync(chunk, cancellationToken))
            {
                foreach (string part in pathway.Parts.Where(present.Contains))
                {
                    associations.Add(new ClrAssociation("isChildOf", part, pathway.AchievementId));
                    associations.Add(new ClrAssociation("isParentOf", pathway.AchievementId, part));
                    associations.Add(new ClrAssociation("isPartOf", part, pathway.AchievementId));
                    associations.Add(new ClrAssociation("precedes", part, pathway.AchievementId));
                }
            }
        }

        return associations;
    }

    private static string? NotValidNow(JsonElement credential, DateTimeOffset now)
    {
        if (credential.TryGetProperty("validUntil", out JsonElement until) && until.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(until.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset end) && end <= now)
        {
            return "has expired";
        }

        if (credential.TryGetProperty("validFrom", out JsonElement from) && from.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(from.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset start) && start > now)
        {
            return "is not valid yet";
        }

        return null;
    }

    private static Learner? ReadLearner(JsonElement body, List<InputViolation> violations)
    {
        if (!body.TryGetProperty("learner", out JsonElement l) || l.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new("/learner", "required: an object with the learner's email or id"));
            return null;
        }

        string? email = RequestJson.OptionalText(l, "email", "/learner", violations, TextLimits.Email);
        string? id = RequestJson.OptionalText(l, "id", "/learner", violations, TextLimits.Url);
        if (violations.Count > 0)
        {
            return null;
        }

        if ((email is null) == (id is null))
        {
            violations.Add(new("/learner", "The learner is an email or an id (DID or URL), one of them."));
            return null;
        }

        if (id is not null)
        {
            if (!RequestJson.IsAbsoluteUri(id))
            {
                violations.Add(new("/learner/id", "id must be an absolute URI (a DID or URL)."));
                return null;
            }

            return new Learner(id, null, Recipient.FromId(id));
        }

        if (!EmailAddress.TryNormalize(email!, out string normalized, out string? error))
        {
            violations.Add(new("/learner/email", "email is not a valid address: " + error));
            return null;
        }

        return new Learner(null, normalized, Recipient.FromEmail(normalized));
    }

    private static List<string> ReadIds(JsonElement body, string member, int max, List<InputViolation> violations)
    {
        var ids = new List<string>();
        if (!body.TryGetProperty(member, out JsonElement list) || list.ValueKind == JsonValueKind.Null)
        {
            return ids;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            violations.Add(new("/" + member, member + " must be an array of ids."));
            return ids;
        }

        int length = list.GetArrayLength();
        if (length > max)
        {
            violations.Add(new("/" + member, $"{member} names {length} ids; a CLR embeds at most {max} credentials (BadgeIssuer:Clr:MaxCredentials)."));
            return ids;
        }

        int i = 0;
        foreach (JsonElement item in list.EnumerateArray())
        {
            string at = "/" + member + "/" + i.ToString(CultureInfo.InvariantCulture);
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= TextLimits.Url } id)
            {
                violations.Add(new(at, $"each id is a non-empty string of at most {TextLimits.Url} characters."));
            }
            else if (!ids.Contains(id, StringComparer.Ordinal))
            {
                ids.Add(id);
            }

            i++;
        }

        return ids;
    }

    private static byte[] WriteResponse(CredentialRecord record, int embedded, int associations)
    {
        var buffer = new ArrayBufferWriter<byte>((record.SignedJson?.Length ?? 0) + (record.Jwt?.Length ?? 0) + 1024);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            w.WriteStartObject();
            w.WriteString("credentialId", record.Id);
            w.WriteNumber("embedded", embedded);
            w.WriteNumber("associations", associations);
            AwardsApi.WriteCredentialAndJwt(w, record);

            w.WriteStartObject("links");
            w.WriteString("credential", record.Id);
            w.WriteString("json", record.SignedJson is null ? null : record.Id + ".json");
            w.WriteString("jwt", record.Jwt is null ? null : record.Id + ".jwt");
            w.WriteString("png", record.Id + ".png");
            w.WriteString("svg", record.Id + ".svg");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed record Learner(string? Id, string? Email, Recipient Subject);

    /// <summary>The credentials picked so far, in order, each once, with where the request named it; bounded by <see cref="ClrOptions.MaxCredentials"/>.</summary>
    private sealed class Selection(IBadgeStorage storage, string issuerId, Caller caller, ClrOptions limits)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, StatusListRecord?> _lists = new(StringComparer.Ordinal);

        public List<(CredentialRecord Credential, string At)> Credentials { get; } = [];

        public async Task<ProblemHttpResult?> AddAsync(string id, string at, CancellationToken cancellationToken)
        {
            if (_seen.Contains(id))
            {
                return null;
            }

            // Another tenant's credential answers as one that does not exist.
            CredentialRecord? credential = await storage.Credentials.GetAsync(id, cancellationToken);
            if (credential is null || !string.Equals(credential.IssuerId, issuerId, StringComparison.Ordinal) || !caller.CanActFor(credential.IssuerId))
            {
                return ApiProblems.CredentialNotFound.Result($"{at}: no credential '{id}' of this issuer.");
            }

            return Add(credential, at);
        }

        public async Task<ProblemHttpResult?> AddPathwayAsync(CredentialRecord composite, string at, int maxDepth, CancellationToken cancellationToken)
        {
            var level = new List<CredentialRecord> { composite };
            for (int depth = 0; level.Count > 0 && depth <= maxDepth; depth++)
            {
                var next = new List<CredentialRecord>();
                foreach (CredentialRecord credential in level)
                {
                    if (_seen.Contains(credential.Id))
                    {
                        continue;
                    }

                    if (Add(credential, at) is { } refused)
                    {
                        return refused;
                    }

                    if (await storage.Credentials.GetPathwayAwardAsync(credential.Id, cancellationToken) is { } award)
                    {
                        foreach (PathwayAwardPart part in award.Parts)
                        {
                            if (!_seen.Contains(part.CredentialId) && await storage.Credentials.GetAsync(part.CredentialId, cancellationToken) is { } found)
                            {
                                next.Add(found);
                            }
                        }
                    }
                }

                level = next;
            }

            return null;
        }

        private ProblemHttpResult? Add(CredentialRecord credential, string at)
        {
            if (Credentials.Count >= limits.MaxCredentials)
            {
                return ApiProblems.ClrTooLarge.Result($"{at}: the CLR would embed more than {limits.MaxCredentials} credentials (BadgeIssuer:Clr:MaxCredentials).");
            }

            _seen.Add(credential.Id);
            Credentials.Add((credential, at));
            return null;
        }

        /// <summary>"revoked" or "suspended" when a status entry of the credential is set now; null otherwise. Each list is read once.</summary>
        public async Task<string?> StatusAsync(CredentialRecord credential, PublicUrls urls, CancellationToken cancellationToken)
        {
            if (credential.StatusEntriesJson is null)
            {
                return null;
            }

            using JsonDocument status = JsonDocument.Parse(credential.StatusEntriesJson);
            foreach (BitstringStatusListEntry entry in BitstringStatusListEntry.ParseCredentialStatus(status.RootElement))
            {
                if (urls.LocalId(entry.StatusListCredential, "/status-lists/") is not { } listId)
                {
                    continue;
                }

                if (!_lists.TryGetValue(listId, out StatusListRecord? list))
                {
                    list = await storage.StatusLists.GetAsync(listId, cancellationToken);
                    _lists[listId] = list;
                }

                if (list is not null && entry.StatusListIndex < list.Length && list.GetStatus((int)entry.StatusListIndex) != 0)
                {
                    return entry.StatusPurpose == "revocation" ? "revoked" : "suspended";
                }
            }

            return null;
        }
    }
}
