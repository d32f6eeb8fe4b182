using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Api.Features.Issuers;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Issuance;
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
    /// The recipient's email address, normalised (never stored): keyed for recipient lookup when the recipient has no
    /// id. Without it, a <see cref="RecipientLabel"/> that is an absolute URI (the subject id) is keyed instead.
    /// </summary>
    public string? RecipientEmail { get; init; }

    /// <summary>For a composite credential: the part credentials it is awarded for, stored with it (<see cref="CredentialRecord.PathwayAward"/>).</summary>
    public PathwayAwardRecord? PathwayAward { get; init; }
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
        foreach (string purpose in parameters.StatusPurposes)
        {
            indexes.Add(await statusIndexes.TakeAsync(issuer.Record.Id, purpose, cancellationToken));
        }

        byte[]? statusJson = indexes.Count == 0 ? null : WriteStatusEntries(indexes, parameters.StatusPurposes);
        byte[] unsigned = template.Build(credentialId, statusJson);

        DateTimeOffset now = timeProvider.GetUtcNow();
        SigningOutcome signing = CredentialSigning.Sign(unsigned, new CredentialSigningOptions
        {
            Format = parameters.Format,
            Checks = template.Checks,
            DataIntegrityKey = issuer.Ed25519,
            Proof = parameters.Format == SecuringFormat.Jwt ? null : new ProofOptions
            {
                VerificationMethod = issuer.Ed25519MethodId,
                Created = CredentialSigning.WholeSeconds(now),
            },
            JwtAlgorithm = parameters.JwtAlgorithm,
            EdDsaJwt = issuer.EdDsaJwt,
            Rs256Jwt = issuer.Rs256Jwt,
        });
        if (!signing.Succeeded)
        {
            return Refused(signing);
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
            RecipientKey = RequestJson.IsAbsoluteUri(parameters.RecipientLabel) ? recipients.ForId(parameters.RecipientLabel)
                : parameters.RecipientEmail is { } email ? recipients.ForEmail(email)
                : (ReadOnlyMemory<byte>?)null,
            PathwayAward = parameters.PathwayAward,
        };
        CredentialAddResult stored = await storage.Credentials.AddAsync(record, indexes, cancellationToken);
        return new IssueOutcome(stored.Credential, stored.Created);
    }

    // Core's refusal as the service reports it (problem type, detail, violations).
    private static IssueOutcome Refused(in SigningOutcome signing) => signing.Failure switch
    {
        SigningFailure.SchemaViolations => new IssueOutcome(null, false, ProblemKind.InvalidCredential,
            "The credential does not conform to the Open Badges 3.0 JSON Schema.",
            signing.Schema!.Violations.Select(v => new InputViolation(v.InstanceLocation.Length == 0 ? "/" : v.InstanceLocation, v.Message)).ToList()),
        // A number jsonld.js canonicalizes differently: every one, with its path and what to send instead.
        SigningFailure.NumberNotPortable => new IssueOutcome(null, false, ProblemKind.InvalidCredential,
            "The credential has a number that Digital Bazaar-based verifiers (jsonld.js) canonicalize differently from the specification, so its signature would not verify there: "
            + signing.Exception!.Message + ".",
            [.. signing.NotPortableNumbers!.Select(n => new InputViolation(n.Pointer,
                $"{JsonLdJsCompatibility.JsonLdJsForm(n.Value)} in jsonld.js, {JsonLdJsCompatibility.SpecificationForm(n.Value)} in the specification; "
                + "send at least two significant digits (e.g. 1.5e-7), a larger unit, or a string"))]),
        SigningFailure.JsonLd when signing.Exception is JsonLdException e =>
            new IssueOutcome(null, false, ProblemKind.JsonLd, "JSON-LD processing failed (" + e.SpecCode + "): " + e.Message),
        // A poison graph (many alike blank nodes): refused once canonicalization has done its bounded work.
        SigningFailure.CanonicalizationWorkLimit => new IssueOutcome(null, false, ProblemKind.JsonLd,
            "RDF canonicalization exceeded its work limit: the credential has too many indistinguishable blank nodes to sign."),
        SigningFailure.UnsupportedAlgorithm => UnsupportedAlgorithm(signing.Algorithm!),
        _ => new IssueOutcome(null, false, ProblemKind.InvalidCredential, signing.Exception?.Message ?? "The credential could not be signed."),
    };

    private static IssueOutcome UnsupportedAlgorithm(string alg)
    {
        string message = $"JWT algorithm '{alg}' is not available for this issuer (RS256 for did:web issuers, EdDSA for all).";
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
