using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Issue;

/// <summary>How to secure a credential.</summary>
internal enum SecuringFormat
{
    /// <summary>Data Integrity proof, eddsa-rdfc-2022.</summary>
    DataIntegrity,
    /// <summary>VC-JWT (VC-JOSE), RS256 unless another alg is asked.</summary>
    Jwt,
    /// <summary>Both: one stored credential with a Data Integrity JSON and a JWT form.</summary>
    Both,
}

/// <summary>What the caller asked for.</summary>
internal sealed record IssueParameters(
    SecuringFormat Format,
    string? JwtAlgorithm,
    IReadOnlyList<string> StatusPurposes,
    string? IdempotencyKey,
    string? AchievementId,
    string RecipientLabel,
    string Actor)
{
    /// <summary>
    /// The recipient's email address, normalised (never stored): keyed for recipient lookup when the recipient has no
    /// id. Without it, a <see cref="RecipientLabel"/> that is an absolute URI (the subject id) is keyed instead.
    /// </summary>
    public string? RecipientEmail { get; init; }

    /// <summary>
    /// Run the OB JSON Schema on the credential before signing (default). Awards turn it off when every part of the
    /// credential was validated on its own: the achievement when it was stored, the recipient and dates by the award
    /// handler, and the frame by construction (a test checks award output against the schema).
    /// </summary>
    public bool ValidateSchema { get; init; } = true;
}

/// <summary>The outcome of an issue call: the stored credential, or what was wrong.</summary>
internal sealed record IssueOutcome(CredentialRecord? Credential, bool Created, ProblemKind Problem = ProblemKind.None, string? Detail = null, IReadOnlyList<InputViolation>? Violations = null)
{
    public bool Succeeded => Credential is not null;
}

internal enum ProblemKind
{
    None,
    InvalidCredential,
    JsonLd,
    InvalidRequest,
}

/// <summary>
/// The one issuance pipeline behind <c>POST /credentials/issue</c> and <c>POST /awards</c>: idempotency check,
/// status entries at random indexes, OB schema validation (for OB credentials), JSON-LD safe mode, signing
/// (Data Integrity and/or VC-JWT), durable storage. Nothing is stored unless it validated and signed.
/// </summary>
internal sealed class IssuanceService(IBadgeStorage storage, StatusIndexPool statusIndexes, PublicUrls urls, TimeProvider timeProvider, RecipientLookup recipients)
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A new unguessable credential URL (128 random bits).</summary>
    public string NewCredentialId()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return urls.Credential(Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
    }

    /// <summary>
    /// Issues a credential built by <paramref name="build"/>, which receives the credential id and the status entries
    /// (JSON: one object, or an array when there are several) and returns the unsigned credential as UTF-8 JSON.
    /// </summary>
    public async Task<IssueOutcome> IssueAsync(
        IssuerSigning issuer,
        string credentialId,
        IssueParameters parameters,
        Func<string, byte[]?, byte[]> build,
        CancellationToken cancellationToken)
    {
        if (parameters.IdempotencyKey is { } key
            && await storage.Credentials.GetByIdempotencyKeyAsync(issuer.Record.Id, key, cancellationToken) is { } earlier)
        {
            return new IssueOutcome(earlier, Created: false);
        }

        var indexes = new List<StatusListIndex>(parameters.StatusPurposes.Count);
        foreach (string purpose in parameters.StatusPurposes)
        {
            indexes.Add(await statusIndexes.TakeAsync(issuer.Record.Id, purpose, cancellationToken));
        }

        byte[]? statusJson = indexes.Count == 0 ? null : WriteStatusEntries(indexes, parameters.StatusPurposes);
        byte[] unsigned = build(credentialId, statusJson);

        using JsonDocument document = JsonDocument.Parse(unsigned);
        JsonElement credential = document.RootElement;
        if (parameters.ValidateSchema && IsOpenBadge(credential))
        {
            ObSchemaValidationResult schema = ObSchemaValidator.Shared.Validate(credential);
            if (!schema.IsValid)
            {
                return new IssueOutcome(null, false, ProblemKind.InvalidCredential,
                    "The credential does not conform to the Open Badges 3.0 JSON Schema.",
                    schema.Violations.Select(v => new InputViolation(v.InstanceLocation.Length == 0 ? "/" : v.InstanceLocation, v.Message)).ToList());
            }
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        string? signedJson = null;
        string? jwt = null;
        try
        {
            if (parameters.Format is SecuringFormat.DataIntegrity or SecuringFormat.Both)
            {
                // Signing canonicalizes in JSON-LD safe mode: an undefined term or a dropped value fails here.
                byte[] signed = EddsaRdfc2022.Sign(credential, new ProofOptions
                {
                    VerificationMethod = issuer.Ed25519MethodId,
                    Created = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero),
                }, issuer.Ed25519);
                signedJson = Encoding.UTF8.GetString(signed);
            }

            if (parameters.Format is SecuringFormat.Jwt or SecuringFormat.Both)
            {
                if (signedJson is null)
                {
                    // No proof to canonicalize: check safe mode explicitly.
                    JsonLdProcessor.ToRdf(credential, JsonLdOptions.Safe);
                }

                jwt = (parameters.JwtAlgorithm ?? (issuer.Rs256Jwt is null ? "EdDSA" : "RS256")) switch
                {
                    "RS256" when issuer.Rs256Jwt is { } rs => rs.Sign(unsigned),
                    "EdDSA" => issuer.EdDsaJwt.Sign(unsigned),
                    string alg => throw new UnsupportedAlgorithmException(alg),
                };
            }
        }
        catch (JsonLdException e)
        {
            return new IssueOutcome(null, false, ProblemKind.JsonLd, "JSON-LD processing failed (" + e.SpecCode + "): " + e.Message);
        }
        catch (RdfcWorkLimitExceededException)
        {
            // A poison graph (many alike blank nodes): refused once canonicalization has done its bounded work.
            return new IssueOutcome(null, false, ProblemKind.JsonLd, "RDF canonicalization exceeded its work limit: the credential has too many indistinguishable blank nodes to sign.");
        }
        catch (UnsupportedAlgorithmException e)
        {
            return new IssueOutcome(null, false, ProblemKind.InvalidRequest, e.Message, [new InputViolation("/options/alg", e.Message)]);
        }
        catch (ArgumentException e)
        {
            return new IssueOutcome(null, false, ProblemKind.InvalidCredential, e.Message);
        }

        var record = new CredentialRecord(
            credentialId,
            issuer.Record.Id,
            parameters.AchievementId,
            parameters.RecipientLabel,
            signedJson,
            jwt,
            statusJson is null ? null : Encoding.UTF8.GetString(statusJson),
            now,
            parameters.IdempotencyKey)
        {
            IssuedBy = parameters.Actor,
            RecipientKey = RequestJson.IsAbsoluteUri(parameters.RecipientLabel) ? recipients.ForId(parameters.RecipientLabel)
                : parameters.RecipientEmail is { } email ? recipients.ForEmail(email)
                : (ReadOnlyMemory<byte>?)null,
        };
        CredentialAddResult stored = await storage.Credentials.AddAsync(record, indexes, cancellationToken);
        return new IssueOutcome(stored.Credential, stored.Created);
    }

    public static bool IsOpenBadge(JsonElement credential)
    {
        if (!credential.TryGetProperty("type", out JsonElement type))
        {
            return false;
        }

        static bool IsOb(JsonElement t) => t.ValueKind == JsonValueKind.String && t.GetString() is "OpenBadgeCredential" or "AchievementCredential";
        return type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Any(IsOb) : IsOb(type);
    }

    // One entry is written as an object (the OB schema's 0..1 credentialStatus, trap T-8); several as an array.
    private byte[] WriteStatusEntries(List<StatusListIndex> indexes, IReadOnlyList<string> purposes)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * indexes.Count);
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            if (indexes.Count > 1)
            {
                w.WriteStartArray();
            }

            for (int i = 0; i < indexes.Count; i++)
            {
                string list = urls.StatusList(indexes[i].ListId);
                string index = indexes[i].Index.ToString(CultureInfo.InvariantCulture);
                w.WriteStartObject();
                w.WriteString("id", list + "#" + index);
                w.WriteString("type", "BitstringStatusListEntry");
                w.WriteString("statusPurpose", purposes[i]);
                w.WriteString("statusListIndex", index);
                w.WriteString("statusListCredential", list);
                w.WriteEndObject();
            }

            if (indexes.Count > 1)
            {
                w.WriteEndArray();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed class UnsupportedAlgorithmException(string alg)
        : Exception($"JWT algorithm '{alg}' is not available for this issuer (RS256 for did:web issuers, EdDSA for all).");
}
