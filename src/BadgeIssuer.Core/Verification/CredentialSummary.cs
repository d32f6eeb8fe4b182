// The employer-readable part of a verification report (issue 5 "Output"): what the credential claims, read from its
// signed content only (the signed view of a Data Integrity credential, the payload of a VC-JWT) and present only when
// a proof verified; it carries the report's verdict as "verified" (believe it only when that is true). Values are
// copied as signed (dates as their lexical form); absent members stay null and are not written.

using System.Text.Json;

namespace BadgeIssuer.Core.Verification;

/// <summary>The revocation state shown to a reader (<see cref="CredentialSummary.Status"/>).</summary>
public enum CredentialStatusState
{
    /// <summary>The credential has no <c>credentialStatus</c>: nothing can revoke it.</summary>
    None,

    /// <summary>Every status entry was checked against a verified list and none is set.</summary>
    Active,

    /// <summary>A revocation entry is set (or a revocation list names the credential).</summary>
    Revoked,

    /// <summary>A suspension entry is set.</summary>
    Suspended,

    /// <summary>A status entry could not be checked (list unavailable, not verifiable, or an unsupported method).</summary>
    Unknown,
}

/// <summary>An issuer or endorser as the credential presents it (OB Profile).</summary>
public sealed record ProfileSummary(string? Id, string? Name, string? Url, string? Image);

/// <summary>One alignment of the achievement (OB Alignment).</summary>
public sealed record AlignmentSummary(string? TargetName, string? TargetUrl, string? TargetFramework, string? TargetCode);

/// <summary>The achievement as the credential presents it (OB Achievement).</summary>
public sealed record AchievementSummary(
    string? Id,
    string? Name,
    string? Description,
    string? CriteriaId,
    string? CriteriaNarrative,
    string? Image,
    string? AchievementType,
    IReadOnlyList<AlignmentSummary> Alignments);

/// <summary>What an employer reads: issuer, achievement, recipient name, dates and status.</summary>
public sealed class CredentialSummary
{
    internal CredentialSummary()
    {
    }

    /// <summary><c>OpenBadgeCredential</c>, <c>AchievementCredential</c>, <c>EndorsementCredential</c> or <c>ClrCredential</c> (null if none).</summary>
    public string? Type { get; private init; }

    /// <summary>The credential's own <c>name</c>.</summary>
    public string? Name { get; private init; }

    public string? Description { get; private init; }

    public ProfileSummary? Issuer { get; private init; }

    public AchievementSummary? Achievement { get; private init; }

    /// <summary>
    /// The recipient's name when the credential states it in plain text: <c>credentialSubject.name</c> or an
    /// unhashed <c>identifier</c> of identityType <c>name</c>.
    /// </summary>
    public string? RecipientName { get; private init; }

    /// <summary><c>validFrom</c> (VC 2.0) or <c>issuanceDate</c> (VC 1.1), as written.</summary>
    public string? ValidFrom { get; private init; }

    /// <summary><c>validUntil</c> (VC 2.0) or <c>expirationDate</c> (VC 1.1), as written.</summary>
    public string? ValidUntil { get; private init; }

    public string? AwardedDate { get; private init; }

    /// <summary>For an EndorsementCredential: the endorsed entity and the comment.</summary>
    public string? EndorsementComment { get; private init; }

    public CredentialStatusState Status { get; private init; }

    internal static CredentialSummary Read(JsonElement credential, CredentialStatusState status)
    {
        JsonElement subject = Object(credential, "credentialSubject");
        if (subject.ValueKind == JsonValueKind.Array)
        {
            subject = subject.GetArrayLength() > 0 ? subject[0] : default;
        }

        JsonElement achievement = Object(subject, "achievement");
        return new CredentialSummary
        {
            Type = OpenBadgesType(credential),
            Name = Text(credential, "name"),
            Description = Text(credential, "description"),
            Issuer = Profile(credential, "issuer"),
            Achievement = achievement.ValueKind == JsonValueKind.Object ? ReadAchievement(achievement) : null,
            RecipientName = RecipientNameOf(subject),
            ValidFrom = Text(credential, "validFrom") ?? Text(credential, "issuanceDate"),
            ValidUntil = Text(credential, "validUntil") ?? Text(credential, "expirationDate"),
            AwardedDate = Text(credential, "awardedDate"),
            EndorsementComment = Text(subject, "endorsementComment"),
            Status = status,
        };
    }

    /// <summary>
    /// Writes the summary as a JSON object (null members omitted), led by <c>verified</c> (the report's verdict), so a
    /// client that shows only the summary cannot present an unverified credential as genuine.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer, bool verified)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteBoolean("verified", verified);
        Write(writer, "type", Type);
        Write(writer, "name", Name);
        Write(writer, "description", Description);
        if (Issuer is not null)
        {
            writer.WritePropertyName("issuer");
            WriteProfile(writer, Issuer);
        }

        if (Achievement is { } a)
        {
            writer.WriteStartObject("achievement");
            Write(writer, "id", a.Id);
            Write(writer, "name", a.Name);
            Write(writer, "description", a.Description);
            Write(writer, "achievementType", a.AchievementType);
            if (a.CriteriaId is not null || a.CriteriaNarrative is not null)
            {
                writer.WriteStartObject("criteria");
                Write(writer, "id", a.CriteriaId);
                Write(writer, "narrative", a.CriteriaNarrative);
                writer.WriteEndObject();
            }

            Write(writer, "image", a.Image);
            if (a.Alignments.Count > 0)
            {
                writer.WriteStartArray("alignments");
                foreach (AlignmentSummary alignment in a.Alignments)
                {
                    writer.WriteStartObject();
                    Write(writer, "targetName", alignment.TargetName);
                    Write(writer, "targetUrl", alignment.TargetUrl);
                    Write(writer, "targetFramework", alignment.TargetFramework);
                    Write(writer, "targetCode", alignment.TargetCode);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        if (RecipientName is not null)
        {
            writer.WriteStartObject("recipient");
            writer.WriteString("name", RecipientName);
            writer.WriteEndObject();
        }

        Write(writer, "endorsementComment", EndorsementComment);
        Write(writer, "validFrom", ValidFrom);
        Write(writer, "validUntil", ValidUntil);
        Write(writer, "awardedDate", AwardedDate);
        writer.WriteString("status", StatusName(Status));
        writer.WriteEndObject();
    }

    /// <summary>The wire name of a status: <c>none</c>, <c>active</c>, <c>revoked</c>, <c>suspended</c>, <c>unknown</c>.</summary>
    public static string StatusName(CredentialStatusState status) => status switch
    {
        CredentialStatusState.Active => "active",
        CredentialStatusState.Revoked => "revoked",
        CredentialStatusState.Suspended => "suspended",
        CredentialStatusState.Unknown => "unknown",
        _ => "none",
    };

    private static AchievementSummary ReadAchievement(JsonElement achievement)
    {
        JsonElement criteria = Object(achievement, "criteria");
        var alignments = new List<AlignmentSummary>();
        if (achievement.TryGetProperty("alignment", out JsonElement list))
        {
            foreach (JsonElement alignment in list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : Single(list))
            {
                if (alignment.ValueKind == JsonValueKind.Object)
                {
                    alignments.Add(new AlignmentSummary(
                        Text(alignment, "targetName"), Text(alignment, "targetUrl"), Text(alignment, "targetFramework"), Text(alignment, "targetCode")));
                }
            }
        }

        return new AchievementSummary(
            Text(achievement, "id"),
            Text(achievement, "name"),
            Text(achievement, "description"),
            Text(criteria, "id"),
            Text(criteria, "narrative"),
            ImageOf(achievement),
            Text(achievement, "achievementType"),
            alignments);
    }

    private static string? RecipientNameOf(JsonElement subject)
    {
        if (Text(subject, "name") is string name)
        {
            return name;
        }

        if (subject.ValueKind == JsonValueKind.Object && subject.TryGetProperty("identifier", out JsonElement identifiers))
        {
            foreach (JsonElement entry in identifiers.ValueKind == JsonValueKind.Array ? identifiers.EnumerateArray() : Single(identifiers))
            {
                if (string.Equals(Text(entry, "identityType"), "name", StringComparison.Ordinal)
                    && !(entry.TryGetProperty("hashed", out JsonElement hashed) && hashed.ValueKind == JsonValueKind.True)
                    && Text(entry, "identityHash") is string plain)
                {
                    return plain;
                }
            }
        }

        return null;
    }

    private static ProfileSummary? Profile(JsonElement owner, string member)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(member, out JsonElement profile))
        {
            return null;
        }

        return profile.ValueKind switch
        {
            JsonValueKind.String => new ProfileSummary(profile.GetString(), null, null, null),
            JsonValueKind.Object => new ProfileSummary(Text(profile, "id"), Text(profile, "name"), Text(profile, "url"), ImageOf(profile)),
            _ => null,
        };
    }

    private static void WriteProfile(Utf8JsonWriter writer, ProfileSummary profile)
    {
        writer.WriteStartObject();
        Write(writer, "id", profile.Id);
        Write(writer, "name", profile.Name);
        Write(writer, "url", profile.Url);
        Write(writer, "image", profile.Image);
        writer.WriteEndObject();
    }

    // OB Image is {"id", "type": "Image", "caption"?}; a plain URL string is tolerated.
    private static string? ImageOf(JsonElement owner)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty("image", out JsonElement image))
        {
            return null;
        }

        return image.ValueKind == JsonValueKind.String ? image.GetString() : Text(image, "id");
    }

    private static string? OpenBadgesType(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object || !credential.TryGetProperty("type", out JsonElement type))
        {
            return null;
        }

        foreach (JsonElement t in type.ValueKind == JsonValueKind.Array ? type.EnumerateArray() : Single(type))
        {
            if (t.ValueKind == JsonValueKind.String && t.GetString() is string s && s is "OpenBadgeCredential" or "AchievementCredential" or "EndorsementCredential" or "ClrCredential")
            {
                return s;
            }
        }

        return null;
    }

    private static JsonElement Object(JsonElement owner, string member)
        => owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(member, out JsonElement value) ? value : default;

    private static string? Text(JsonElement owner, string member)
        => owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(member, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Write(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static IEnumerable<JsonElement> Single(JsonElement value)
    {
        yield return value;
    }
}
