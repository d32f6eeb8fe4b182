using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Api.Features.Achievements;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Issue;

/// <summary>A composite credential an award completed: the pathway achievement, its credential, and whether this award issued it.</summary>
internal sealed record CompositeAward(string AchievementId, string Name, string CredentialId, bool Created);

/// <summary>A part credential just stored by an award, with the recipient as the award named them.</summary>
internal sealed record StoredPart(
    IssuerSigning Issuer,
    CredentialRecord Credential,
    Recipient Recipient,
    string RecipientLabel,
    string? RecipientEmail,
    SecuringFormat Format,
    string Actor);

/// <summary>
/// Automatic composite awards (stackable credentials). After an award stores a credential, every pathway achievement of the
/// same issuer that names its achievement as a part and asks for <c>autoAward</c> (and whose issuer has automatic awards,
/// <see cref="PathwayOptions"/>) is checked: when the recipient (by the keyed recipient hash) holds valid credentials for
/// enough parts (not revoked, not suspended, within validFrom/validUntil), the composite is issued through the same Core
/// issuance as any award, with one Evidence per part credential, and what it counted is stored with it. Its idempotency
/// key is derived from the pathway achievement and the recipient key, so however many awards complete a pathway at once,
/// on however many instances, one composite is stored per learner. A composite completes pathways above it in turn, at
/// most <see cref="PathwayOptions.MaxDepth"/> levels, each pathway at most once per award.
/// </summary>
internal sealed partial class PathwayAwarder(
    IBadgeStorage storage,
    IssuanceService issuance,
    AuditLog audit,
    IOptions<BadgeIssuerOptions> options,
    TimeProvider timeProvider,
    PathwayAwardSeam seam,
    ILogger<PathwayAwarder> logger)
{
    /// <summary>
    /// How often one composite is looked at again when a part it counted was revoked or suspended between the count and
    /// the composite's write (the write re-reads the parts and refuses; <see cref="PathwayPartsChangedException"/>).
    /// </summary>
    public const int MaxPartChanges = 3;

    /// <summary>Of each part achievement, the newest this many active credentials of the learner are considered.</summary>
    public const int CandidatesPerPart = 4;

    private const string KeyPrefix = "pathway:";

    // Ids per storage lookup (the stores take at most 1,000).
    private const int LookupChunk = 500;

    /// <summary>
    /// The idempotency key of <paramref name="pathwayAchievementId"/>'s composite for the recipient with keyed hash
    /// <paramref name="recipientKey"/>: <c>pathway:</c> + base64url(SHA-256(achievement id, 0x00, recipient key)). Without the
    /// service's recipient-lookup secret it cannot be computed, so no caller's own key meets it.
    /// </summary>
    public static string CompositeKey(string pathwayAchievementId, ReadOnlySpan<byte> recipientKey)
    {
        byte[] id = Encoding.UTF8.GetBytes(pathwayAchievementId);
        byte[] input = new byte[id.Length + 1 + recipientKey.Length];
        id.CopyTo(input, 0);
        recipientKey.CopyTo(input.AsSpan(id.Length + 1));
        return KeyPrefix + Convert.ToBase64String(SHA256.HashData(input)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The composites <paramref name="part"/> completed (issued now, or found issued by a concurrent award), in the order checked.</summary>
    public async Task<IReadOnlyList<CompositeAward>> AwardCompletedAsync(StoredPart part, HttpContext context, CancellationToken cancellationToken)
    {
        PathwayOptions settings = options.Value.Pathways;
        IssuerSigning issuer = part.Issuer;
        if (part.Credential.AchievementId is null || part.Credential.RecipientKey is not { } recipientKey
            || !settings.AutoAwardsFor(issuer.Record.Id, issuer.Record.Slug))
        {
            return [];
        }

        var awarded = new List<CompositeAward>();
        var checkedPathways = new HashSet<string>(StringComparer.Ordinal);
        // The credentials this award added, level by level: the part, then the composites it completed, and so on.
        List<CredentialRecord> frontier = [part.Credential];
        for (int level = 1; level <= settings.MaxDepth && frontier.Count > 0; level++)
        {
            var pathways = new List<PathwayRecord>();
            foreach (string[] ids in frontier.Select(c => c.AchievementId!).Distinct(StringComparer.Ordinal).Chunk(LookupChunk))
            {
                pathways.AddRange(await storage.Achievements.ListPathwaysContainingAsync(ids, cancellationToken));
            }

            var next = new List<CredentialRecord>();
            foreach (PathwayRecord pathway in pathways)
            {
                if (!pathway.AutoAward || !checkedPathways.Add(pathway.AchievementId))
                {
                    continue;
                }

                if (awarded.Count(a => a.Created) >= settings.MaxCompositesPerAward)
                {
                    // Bounds the signing one request sets off; the rest come with the learner's next award of a part.
                    CompositesDeferred(logger, settings.MaxCompositesPerAward, issuer.Record.Id);
                    return awarded;
                }

                (CompositeAward Award, CredentialRecord Credential)? result;
                try
                {
                    // The part is stored: its composites are not abandoned halfway because the caller went away.
                    result = await TryAwardAsync(part, pathway, recipientKey, frontier, context, CancellationToken.None);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The part's award stands; this composite is tried again at the learner's next award of a part.
                    CompositeRefused(logger, pathway.AchievementId, issuer.Record.Id, e.GetType().Name);
                    continue;
                }

                if (result is { } done)
                {
                    awarded.Add(done.Award);
                    next.Add(done.Credential);
                }
            }

            frontier = next;
        }

        return awarded;
    }

    /// <summary>
    /// For an award answered from its idempotency key (a retry): the composites that counted its credential, as issued
    /// then. Nothing new is awarded, since the retried request may name another recipient than the stored credential.
    /// </summary>
    public async Task<IReadOnlyList<CompositeAward>> CountedAsync(CredentialRecord credential, CancellationToken cancellationToken)
    {
        var counted = new List<CompositeAward>();
        foreach (PathwayAwardRecord award in await storage.Credentials.ListPathwayAwardsCountingAsync(credential.Id, cancellationToken))
        {
            AchievementRecord? achievement = await storage.Achievements.GetAsync(award.AchievementId, cancellationToken);
            counted.Add(new CompositeAward(award.AchievementId, achievement is null ? award.AchievementId : AchievementName(achievement.Json), award.CredentialId, Created: false));
        }

        return counted;
    }

    private async Task<(CompositeAward, CredentialRecord)?> TryAwardAsync(
        StoredPart part, PathwayRecord pathway, ReadOnlyMemory<byte> recipientKey, List<CredentialRecord> added, HttpContext context, CancellationToken cancellationToken)
    {
        IssuerSigning issuer = part.Issuer;
        AchievementRecord? composite = await storage.Achievements.GetAsync(pathway.AchievementId, cancellationToken);
        if (composite is null || !string.Equals(composite.IssuerId, issuer.Record.Id, StringComparison.Ordinal))
        {
            return null;
        }

        string name = AchievementName(composite.Json);
        string key = CompositeKey(pathway.AchievementId, recipientKey.Span);
        if (await storage.Credentials.GetByIdempotencyKeyAsync(issuer.Record.Id, key, cancellationToken) is { } earlier)
        {
            // Awarded before. Reported only when it counted a credential of this award (a retried award, or a concurrent
            // one that finished first), so a learner's later awards do not repeat it.
            PathwayAwardRecord? counted = await storage.Credentials.GetPathwayAwardAsync(earlier.Id, cancellationToken);
            return counted is not null && counted.Parts.Any(p => added.Any(a => string.Equals(a.Id, p.CredentialId, StringComparison.Ordinal)))
                ? (new CompositeAward(pathway.AchievementId, name, earlier.Id, Created: false), earlier)
                : null;
        }

        // Awarded by hand (no pathway key) and still active: the learner has it, so it is not issued again.
        if ((await storage.Credentials.ListActiveForRecipientAsync(issuer.Record.Id, recipientKey, [pathway.AchievementId], 1, cancellationToken)).Count > 0)
        {
            return null;
        }

        // Part credentials found revoked or suspended by the composite's write: not counted again.
        var changed = new HashSet<string>(StringComparer.Ordinal);
        for (int attempt = 1; ; attempt++)
        {
            DateTimeOffset now = timeProvider.GetUtcNow();
            IReadOnlyList<CredentialRecord> held = await storage.Credentials.ListActiveForRecipientAsync(
                issuer.Record.Id, recipientKey, pathway.Parts, CandidatesPerPart, cancellationToken);
            var counting = new List<(CredentialRecord Credential, PartValidity Validity)>();
            foreach (string partAchievement in pathway.Parts)
            {
                // This award's own credential first, then the newest held one that is valid now.
                IEnumerable<CredentialRecord> candidates = added.Where(a => a.AchievementId == partAchievement)
                    .Concat(held.Where(h => h.AchievementId == partAchievement))
                    .Where(c => !changed.Contains(c.Id));
                foreach (CredentialRecord candidate in candidates)
                {
                    PartValidity validity = PartValidity.Read(candidate);
                    if (validity.IsValidAt(now))
                    {
                        counting.Add((candidate, validity));
                        break;
                    }
                }
            }

            if (counting.Count < pathway.Required)
            {
                return null;
            }

            await seam.PartsCountedAsync(pathway, [.. counting.Select(c => c.Credential)], cancellationToken);
            string credentialId = issuance.NewCredentialId();
            var record = new PathwayAwardRecord(credentialId, pathway.AchievementId, pathway.Rule, pathway.Required,
                [.. counting.Select(c => new PathwayAwardPart(c.Credential.Id, c.Credential.AchievementId!, c.Validity.ValidUntil))]);
            IssueOutcome outcome;
            try
            {
                // The store re-reads the parts' states in the transaction that writes the composite and refuses it when one
                // was revoked or suspended since they were counted: a composite never counts a part withdrawn before it was
                // stored, and a part withdrawn after finds the composite in its revocation's answer.
                outcome = await issuance.IssueAsync(
                    issuer,
                    credentialId,
                    new IssueParameters(part.Format, null, ["revocation"], key, pathway.AchievementId, part.RecipientLabel, part.Actor)
                    {
                        RecipientEmail = part.RecipientEmail,
                        PathwayAward = record,
                    },
                    new OpenBadgeCredentialTemplate
                    {
                        IssuerProfile = issuer.EmbeddedProfile,
                        Achievement = AchievementDocuments.Embedded(composite.Json),
                        Name = name,
                        Recipient = part.Recipient,
                        ValidFrom = now,
                        EvidenceItems = [.. counting.Select(c => PartEvidence(c.Credential, c.Validity.AchievementName, pathway, name))],
                    },
                    cancellationToken);
            }
            catch (PathwayPartsChangedException e) when (attempt < MaxPartChanges)
            {
                PartsChanged(logger, pathway.AchievementId, string.Join(", ", e.Parts));
                changed.UnionWith(e.Parts);
                continue;
            }

            if (!outcome.Succeeded)
            {
                // The part's award stands; the composite is tried again at the learner's next award of a part.
                CompositeRefused(logger, pathway.AchievementId, issuer.Record.Id, outcome.Detail ?? outcome.Problem.ToString());
                return null;
            }

            return await StoredAsync(outcome, record, pathway, name, context);
        }
    }

    private async Task<(CompositeAward, CredentialRecord)> StoredAsync(IssueOutcome outcome, PathwayAwardRecord record, PathwayRecord pathway, string name, HttpContext context)
    {
        CredentialRecord stored = outcome.Credential!;
        if (outcome.Created)
        {
            await audit.AppendAsync(context, stored.IssuerId, "pathway.award", stored.Id, AuditDetails(record));
        }

        return (new CompositeAward(pathway.AchievementId, name, stored.Id, outcome.Created), stored);
    }

    // One Evidence per part credential: its URL, and the achievement it was awarded for.
    private static Evidence PartEvidence(CredentialRecord credential, string? achievementName, PathwayRecord pathway, string compositeName) => new()
    {
        Id = credential.Id,
        Name = achievementName ?? credential.AchievementId,
        Description = string.Create(CultureInfo.InvariantCulture,
            $"The credential for \u201c{achievementName ?? credential.AchievementId}\u201d ({credential.AchievementId}), one of the {(pathway.Rule == PathwayRules.AllOf ? "parts all" : pathway.Required + " of the " + pathway.Parts.Count + " parts")} required for \u201c{compositeName}\u201d."),
    };

    private static string AuditDetails(PathwayAwardRecord record) => Encoding.UTF8.GetString(IssuerService.WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteString("achievementId", record.AchievementId);
        w.WriteString("rule", record.Rule);
        w.WriteNumber("n", record.Required);
        w.WriteStartArray("parts");
        foreach (PathwayAwardPart p in record.Parts)
        {
            w.WriteStringValue(p.CredentialId);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }));

    private static string AchievementName(string achievementJson)
    {
        using JsonDocument document = JsonDocument.Parse(achievementJson);
        return document.RootElement.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "Achievement";
    }

    [LoggerMessage(140, LogLevel.Warning, "The composite credential of pathway achievement {AchievementId} (issuer {IssuerId}) was not issued: {Reason}. The part's award stands; it is tried again at the next award of a part.")]
    private static partial void CompositeRefused(ILogger logger, string achievementId, string issuerId, string reason);

    [LoggerMessage(142, LogLevel.Information, "A part credential counted for the composite of pathway achievement {AchievementId} was revoked or suspended before the composite was stored ({Parts}); the learner's parts are counted again.")]
    private static partial void PartsChanged(ILogger logger, string achievementId, string parts);

    [LoggerMessage(141, LogLevel.Warning, "An award completed more pathways than the {Max} composites one award issues (issuer {IssuerId}, BadgeIssuer:Pathways:MaxCompositesPerAward); the rest are issued at the learner's next award of a part.")]
    private static partial void CompositesDeferred(ILogger logger, int max, string issuerId);
}

/// <summary>
/// An internal seam of <see cref="PathwayAwarder"/>: called after a composite's parts are counted and before the
/// composite is issued. The service's own does nothing; tests replace it to revoke a part or fail an award at that moment.
/// </summary>
internal class PathwayAwardSeam
{
    /// <summary><paramref name="counted"/> are the part credentials about to be counted for <paramref name="pathway"/>'s composite.</summary>
    public virtual Task PartsCountedAsync(PathwayRecord pathway, IReadOnlyList<CredentialRecord> counted, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A part credential's validity period and achievement name, as signed in it (JSON-LD or VC-JWT payload).</summary>
internal readonly record struct PartValidity(DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, string? AchievementName)
{
    /// <summary>Within its validity period at <paramref name="now"/> (revocation and suspension are checked by the query).</summary>
    public bool IsValidAt(DateTimeOffset now) => (ValidFrom is not { } from || from <= now) && (ValidUntil is not { } until || until > now);

    public static PartValidity Read(CredentialRecord credential)
    {
        string? json = credential.SignedJson ?? JwtPayload(credential.Jwt);
        if (json is null)
        {
            return default;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        string? name = root.TryGetProperty("credentialSubject", out JsonElement subject) && subject.ValueKind == JsonValueKind.Object
            && subject.TryGetProperty("achievement", out JsonElement achievement) && achievement.ValueKind == JsonValueKind.Object
            && achievement.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String
                ? n.GetString()
                : null;
        return new PartValidity(Date(root, "validFrom") ?? Date(root, "issuanceDate"), Date(root, "validUntil") ?? Date(root, "expirationDate"), name);
    }

    private static DateTimeOffset? Date(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset parsed)
            ? parsed
            : null;

    /// <summary>The JSON payload of a compact JWS this service signed; null when it is not three segments.</summary>
    internal static string? JwtPayload(string? jwt)
    {
        string[]? segments = jwt?.Split('.');
        if (segments is not { Length: 3 })
        {
            return null;
        }

        string payload = segments[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(payload));
    }
}
