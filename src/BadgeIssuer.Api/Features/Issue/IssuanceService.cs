using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.JsonLd;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Issue;

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
    /// Where the credential sits in the request, as a JSON pointer (<c>/credential</c> for VC-API issue): the prefix of
    /// the paths of its violations. Empty when the service wrote the credential (an award: paths into the credential).
    /// </summary>
    public string CredentialPointer { get; init; } = string.Empty;

    /// <summary>
    /// The recipient's email address, normalised (never stored): keyed for recipient lookup when the recipient has no
    /// id. Without it, a <see cref="RecipientLabel"/> that is an absolute URI (the subject id) is keyed instead.
    /// </summary>
    public string? RecipientEmail { get; init; }

    /// <summary>For a composite credential: the part credentials it is awarded for, stored with it (<see cref="CredentialRecord.PathwayAward"/>).</summary>
    public PathwayAwardRecord? PathwayAward { get; init; }

    /// <summary>
    /// The credential this one re-issues (a holder-bound copy for a wallet): it takes no status index of its own but
    /// carries the original's status entries (<see cref="StatusPurposes"/> is ignored), and is stored as linked to it.
    /// </summary>
    public CredentialRecord? ReissueOf { get; init; }
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
/// status entries at random indexes, the checks the template declares (OB schema, JSON-LD safe mode), signing
/// (Data Integrity and/or VC-JWT), durable storage. Nothing is stored unless it validated and signed.
/// </summary>
internal sealed class IssuanceService(IBadgeStorage storage, StatusIndexPool statusIndexes, PublicUrls urls, TimeProvider timeProvider, RecipientLookup recipients)
{
    /// <summary>A new unguessable credential URL (128 random bits).</summary>
    public string NewCredentialId()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return urls.Credential(Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
    }

    /// <summary>
    /// Issues the credential of <paramref name="template"/> (a Core builder for its family), which receives the
    /// credential id and the status entries and writes the unsigned credential; Core then runs the checks the
    /// template declares (<see cref="ICredentialTemplate.Checks"/>) and signs it.
    /// </summary>
    public async Task<IssueOutcome> IssueAsync(
        IssuerSigning issuer,
        string credentialId,
        IssueParameters parameters,
        ICredentialTemplate template,
        CancellationToken cancellationToken)
    {
        if (parameters.IdempotencyKey is { } key
            && await storage.Credentials.GetByIdempotencyKeyAsync(issuer.Record.Id, key, cancellationToken) is { } earlier)
        {
            return new IssueOutcome(earlier, Created: false);
        }

        var indexes = new List<StatusListIndex>(parameters.StatusPurposes.Count);
        byte[]? statusJson;
        if (parameters.ReissueOf is { } original)
        {
            // A re-issue shares its original's entries: one bit, so both always read the same status.
            statusJson = original.StatusEntriesJson is null ? null : Encoding.UTF8.GetBytes(original.StatusEntriesJson);
        }
        else
        {
            foreach (string purpose in parameters.StatusPurposes)
            {
                indexes.Add(await statusIndexes.TakeAsync(issuer.Record.Id, purpose, cancellationToken));
            }

            statusJson = indexes.Count == 0 ? null : WriteStatusEntries(indexes, parameters.StatusPurposes);
        }

        byte[] unsigned = template.Build(credentialId, statusJson);

        DateTimeOffset now = timeProvider.GetUtcNow();
        SigningOutcome signing = CredentialSigning.Sign(unsigned, new CredentialSigningOptions
        {
            Format = parameters.Format,
            Checks = template.Checks,
            DataIntegrityKey = issuer.DataIntegrityKey,
            // The key's type chooses the Data Integrity cryptosuite (Ed25519: eddsa-rdfc-2022, P-256: ecdsa-rdfc-2019).
            Proof = parameters.Format == SecuringFormat.Jwt ? null : CredentialSigning.ProofOptionsFor(issuer.DataIntegrityKey, issuer.DataIntegrityMethodId, now),
            JwtAlgorithm = parameters.JwtAlgorithm,
            EdDsaJwt = issuer.EdDsaJwt,
            Es256Jwt = issuer.Es256Jwt,
            Rs256Jwt = issuer.Rs256Jwt,
        });
        if (!signing.Succeeded)
        {
            return Refused(signing, parameters.CredentialPointer);
        }

        var record = new CredentialRecord(
            credentialId,
            issuer.Record.Id,
            parameters.AchievementId,
            parameters.RecipientLabel,
            signing.DataIntegrity is { } signed ? Encoding.UTF8.GetString(signed) : null,
            signing.Jwt,
            statusJson is null ? null : Encoding.UTF8.GetString(statusJson),
            now,
            parameters.IdempotencyKey)
        {
            IssuedBy = parameters.Actor,
            RecipientKey = RecipientKey(parameters.RecipientLabel, parameters.RecipientEmail),
            PathwayAward = parameters.PathwayAward,
            ReissueOf = parameters.ReissueOf?.Id,
        };
        CredentialAddResult stored = await storage.Credentials.AddAsync(record, indexes, cancellationToken);
        return new IssueOutcome(stored.Credential, stored.Created);
    }

    /// <summary>
    /// The keyed recipient hash stored with a credential for this recipient: of the subject id when the label is one (an
    /// absolute URI), else of the normalised email address; null when there is neither.
    /// </summary>
    public ReadOnlyMemory<byte>? RecipientKey(string recipientLabel, string? recipientEmail) =>
        RequestJson.IsAbsoluteUri(recipientLabel) ? recipients.ForId(recipientLabel)
            : recipientEmail is { } email ? recipients.ForEmail(email)
            : null;

    // Core's refusal as the service reports it (problem type, detail, violations).
    private static IssueOutcome Refused(in SigningOutcome signing, string at) => signing.Failure switch
    {
        SigningFailure.SchemaViolations => new IssueOutcome(null, false, ProblemKind.InvalidCredential,
            "The credential does not conform to the Open Badges 3.0 JSON Schema.",
            signing.Schema!.Violations.Select(v => new InputViolation(Pointer(at, v.InstanceLocation), v.Message)).ToList()),
        // A number jsonld.js canonicalizes differently: every one, with its path and what to send instead.
        SigningFailure.NumberNotPortable => new IssueOutcome(null, false, ProblemKind.InvalidCredential,
            "The credential has a number that Digital Bazaar-based verifiers (jsonld.js) canonicalize differently from the specification, so its signature would not verify there: "
            + signing.Exception!.Message + ".",
            [.. signing.NotPortableNumbers!.Select(n => new InputViolation(Pointer(at, n.Pointer),
                JsonLdJsCompatibility.BothForms(n.Value) + "; " + JsonLdJsCompatibility.WhatToSend))]),
        SigningFailure.ValidationFailed => new IssueOutcome(null, false, ProblemKind.InvalidCredential,
            string.Create(CultureInfo.InvariantCulture, $"The credential breaks {signing.Validation!.Violations.Count} rule(s) of the VC Data Model or of the profile its type claims ({CredentialProfiles.Describe(signing.Validation.Profile ?? CredentialProfile.Vc)}); each is listed in errors."),
            ToViolations(signing.Validation.Violations, at)),
        SigningFailure.JsonLd when signing.Exception is JsonLdException e =>
            new IssueOutcome(null, false, ProblemKind.JsonLd, "JSON-LD processing failed (" + e.SpecCode + "): " + e.Message),
        // A poison graph (many alike blank nodes): refused once canonicalization has done its bounded work.
        SigningFailure.CanonicalizationWorkLimit => new IssueOutcome(null, false, ProblemKind.JsonLd,
            "RDF canonicalization exceeded its work limit: the credential has too many indistinguishable blank nodes to sign."),
        SigningFailure.UnsupportedAlgorithm => UnsupportedAlgorithm(signing.Algorithm!),
        _ => new IssueOutcome(null, false, ProblemKind.InvalidCredential, signing.Exception?.Message ?? "The credential could not be signed."),
    };

    /// <summary>Every violation as an error of the request: its JSON pointer under <paramref name="at"/>, and its rule code.</summary>
    internal static List<InputViolation> ToViolations(IEnumerable<CredentialViolation> violations, string at)
        => [.. violations.Select(v => new InputViolation(Pointer(at, v.InstanceLocation), $"{v.Message} [{v.Code}]"))];

    private static string Pointer(string at, string pointer) => at + pointer is { Length: > 0 } full ? full : "/";

    private static IssueOutcome UnsupportedAlgorithm(string alg)
    {
        string message = $"JWT algorithm '{alg}' is not available for this issuer (Ed25519 issuers: EdDSA, and RS256 for did:web; P-256 issuers: ES256).";
        return new IssueOutcome(null, false, ProblemKind.InvalidRequest, message, [new InputViolation("/options/alg", message)]);
    }

    // One entry is written as an object (the OB schema's 0..1 credentialStatus, trap T-8); several as an array.
    private byte[] WriteStatusEntries(List<StatusListIndex> indexes, IReadOnlyList<string> purposes)
    {
        var entries = new BitstringStatusListEntry[indexes.Count];
        for (int i = 0; i < indexes.Count; i++)
        {
            entries[i] = new BitstringStatusListEntry(purposes[i], indexes[i].Index, urls.StatusList(indexes[i].ListId));
        }

        return CredentialStatusJson.Write(entries);
    }
}
