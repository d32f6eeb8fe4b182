using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Schemas;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.Issuance;

/// <summary>What <see cref="CredentialSigning"/> checks before it signs.</summary>
public enum CredentialChecks
{
    /// <summary>
    /// Nothing beyond signing itself. Data Integrity signing canonicalizes in JSON-LD safe mode, so an undefined term
    /// still fails there; a JWT alone is signed unchecked.
    /// </summary>
    None,

    /// <summary>JSON-LD safe mode, for a JWT alone too (an explicit toRdf when there is no proof to canonicalize).</summary>
    JsonLdSafeMode,

    /// <summary>
    /// The OB 3.0 JSON Schema when the credential is an Open Badges credential (<see cref="CredentialJson.IsOpenBadge"/>),
    /// then JSON-LD safe mode as <see cref="JsonLdSafeMode"/>.
    /// </summary>
    OpenBadgesSchemaAndJsonLdSafeMode,

    /// <summary>Every check of <see cref="CredentialValidator.Default"/> (schema, safe mode, the OB rules), whatever the type.</summary>
    Full,

    /// <summary>
    /// The VC Data Model rules of the credential's version and the rules of the profile its types claim
    /// (<see cref="CredentialValidator.ValidateProfile"/>: OB, endorsement, CLR or none), every violation reported; then
    /// JSON-LD safe mode as <see cref="JsonLdSafeMode"/>. For a credential of any type (the VC-API issue path, <c>badge sign</c>).
    /// </summary>
    Profile,
}

/// <summary>Why <see cref="CredentialSigning"/> did not sign.</summary>
public enum SigningFailure
{
    /// <summary>It signed.</summary>
    None,

    /// <summary>An Open Badges credential does not conform to the OB JSON Schema (<see cref="SigningOutcome.Schema"/>).</summary>
    SchemaViolations,

    /// <summary><see cref="CredentialChecks.Full"/> or <see cref="CredentialChecks.Profile"/> found violations (<see cref="SigningOutcome.Validation"/>).</summary>
    ValidationFailed,

    /// <summary>JSON-LD processing failed (<see cref="SigningOutcome.Exception"/> is the <see cref="JsonLdException"/>).</summary>
    JsonLd,

    /// <summary>RDF canonicalization reached its work limit (a poison graph of many alike blank nodes).</summary>
    CanonicalizationWorkLimit,

    /// <summary>The JWT algorithm asked for has no key (<see cref="SigningOutcome.Algorithm"/>).</summary>
    UnsupportedAlgorithm,

    /// <summary>Signing refused the credential (<see cref="SigningOutcome.Exception"/> is the <see cref="ArgumentException"/>).</summary>
    InvalidCredential,

    /// <summary>
    /// The credential has a number that jsonld.js, and so every Digital Bazaar-based verifier, canonicalizes
    /// differently from the specification (<see cref="SigningOutcome.NotPortableNumbers"/>; <see cref="JsonLdJsNumbers"/>).
    /// </summary>
    NumberNotPortable,
}

/// <summary>How to check and secure one credential.</summary>
public readonly record struct CredentialSigningOptions
{
    /// <summary>Data Integrity, VC-JWT or both.</summary>
    public SecuringFormat Format { get; init; }

    /// <summary>What to check before signing.</summary>
    public CredentialChecks Checks { get; init; }

    /// <summary>
    /// The key for the Data Integrity proof (required unless the format is <see cref="SecuringFormat.Jwt"/>): an Ed25519
    /// key signs eddsa-rdfc-2022, a P-256 key ecdsa-rdfc-2019 (<see cref="Proof"/> names the suite; see
    /// <see cref="CredentialSigning.ProofOptionsFor"/>).
    /// </summary>
    public SigningKey? DataIntegrityKey { get; init; }

    /// <summary>The proof's options: verification method, created, purpose, type and cryptosuite (required with <see cref="DataIntegrityKey"/>).</summary>
    public ProofOptions? Proof { get; init; }

    /// <summary>The cryptosuites signing may use; null means <see cref="CryptosuiteSet.Default"/>.</summary>
    public CryptosuiteSet? Cryptosuites { get; init; }

    /// <summary>
    /// The JWT signer to use; when null, one of <see cref="Rs256Jwt"/>, <see cref="EdDsaJwt"/> and <see cref="Es256Jwt"/>
    /// is chosen by <see cref="JwtAlgorithm"/>.
    /// </summary>
    public VcJwtSigner? JwtSigner { get; init; }

    /// <summary>
    /// RS256, EdDSA or ES256; null means <see cref="CredentialSigning.DefaultJwtAlgorithm(VcJwtSigner?, VcJwtSigner?, VcJwtSigner?)"/>
    /// (RS256 when there is an <see cref="Rs256Jwt"/>, else EdDSA when there is an <see cref="EdDsaJwt"/>, else ES256).
    /// </summary>
    public string? JwtAlgorithm { get; init; }

    /// <summary>The issuer's EdDSA JWT signer, when it has an Ed25519 key.</summary>
    public VcJwtSigner? EdDsaJwt { get; init; }

    /// <summary>The issuer's RS256 JWT signer, when it has an RSA key.</summary>
    public VcJwtSigner? Rs256Jwt { get; init; }

    /// <summary>The issuer's ES256 JWT signer, when it has a P-256 key.</summary>
    public VcJwtSigner? Es256Jwt { get; init; }

    internal bool HasJwtSigner => JwtSigner is not null || EdDsaJwt is not null || Rs256Jwt is not null || Es256Jwt is not null;
}

/// <summary>The secured forms of a credential, or why it was not signed.</summary>
public readonly record struct SigningOutcome
{
    /// <summary>True when the credential was signed in every form asked for.</summary>
    public bool Succeeded => Failure == SigningFailure.None;

    /// <summary>The Data Integrity credential (UTF-8 JSON), when asked for.</summary>
    public byte[]? DataIntegrity { get; init; }

    /// <summary>The VC-JWT (compact JWS), when asked for.</summary>
    public string? Jwt { get; init; }

    /// <summary>Why it was not signed.</summary>
    public SigningFailure Failure { get; init; }

    /// <summary>The schema result, for <see cref="SigningFailure.SchemaViolations"/>.</summary>
    public ObSchemaValidationResult? Schema { get; init; }

    /// <summary>The validation result, for <see cref="SigningFailure.ValidationFailed"/>.</summary>
    public CredentialValidationResult? Validation { get; init; }

    /// <summary>The exception signing threw, for <see cref="SigningFailure.JsonLd"/>, <see cref="SigningFailure.NumberNotPortable"/>, <see cref="SigningFailure.CanonicalizationWorkLimit"/> and <see cref="SigningFailure.InvalidCredential"/>.</summary>
    public Exception? Exception { get; init; }

    /// <summary>
    /// For <see cref="SigningFailure.NumberNotPortable"/>: the JSON Pointers and values of the numbers jsonld.js
    /// canonicalizes differently (<see cref="JsonLdJsCompatibility"/>).
    /// </summary>
    public IReadOnlyList<(string Pointer, double Value)>? NotPortableNumbers { get; init; }

    /// <summary>The algorithm asked for, for <see cref="SigningFailure.UnsupportedAlgorithm"/>.</summary>
    public string? Algorithm { get; init; }
}

/// <summary>
/// The one validate-then-sign sequence, for the issuing service and <c>badge sign</c>: the checks asked for
/// (<see cref="CredentialChecks"/>), then a Data Integrity proof (the cryptosuite the proof options name, which must
/// sign with the key's type: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for P-256) and/or a VC-JWT (EdDSA, ES256 or RS256). Refusals of the
/// credential come back as a <see cref="SigningOutcome"/>, never as an exception.
/// </summary>
public static class CredentialSigning
{
    private static readonly DataIntegrityOptions s_signing = new() { JsonLd = JsonLdOptions.SafeForSigning };

    /// <summary>The JWT algorithm used when none is asked for: RS256 when the issuer has an RSA signer, else EdDSA.</summary>
    public static string DefaultJwtAlgorithm(VcJwtSigner? rs256Jwt) => rs256Jwt is null ? JwsAlgorithms.EdDsa : JwsAlgorithms.RS256;

    /// <summary>
    /// The JWT algorithm used when none is asked for: RS256 when the issuer has an RSA signer, else EdDSA when it has
    /// an Ed25519 one, else ES256 (an issuer whose one key is P-256).
    /// </summary>
    public static string DefaultJwtAlgorithm(VcJwtSigner? rs256Jwt, VcJwtSigner? edDsaJwt, VcJwtSigner? es256Jwt)
        => rs256Jwt is not null ? JwsAlgorithms.RS256
            : edDsaJwt is null && es256Jwt is not null ? JwsAlgorithms.ES256
            : JwsAlgorithms.EdDsa;

    /// <summary>
    /// <paramref name="time"/> in UTC without its fractional seconds: the form of a proof's <c>created</c> and of the
    /// dates the service derives from its clock or its records (credentials carry whole-second XSD dateTimes).
    /// </summary>
    public static DateTimeOffset WholeSeconds(DateTimeOffset time)
        => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>
    /// Proof options for a <c>DataIntegrityProof</c> by <paramref name="key"/>: its type chooses the cryptosuite (the
    /// first suite of <paramref name="cryptosuites"/>, default <see cref="CryptosuiteSet.Default"/>, that signs with it).
    /// </summary>
    /// <exception cref="ArgumentException">No suite of the set signs with the key's type.</exception>
    public static ProofOptions ProofOptionsFor(SigningKey key, string verificationMethod, DateTimeOffset created, CryptosuiteSet? cryptosuites = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(verificationMethod);
        CryptosuiteSet set = cryptosuites ?? CryptosuiteSet.Default;
        IDataIntegrityCryptosuite suite = set.FindSigningSuite(key.KeyType)
            ?? throw new ArgumentException($"No enabled cryptosuite signs with a {key.KeyType} key (enabled: {set.Names}).", nameof(key));
        return new ProofOptions { Cryptosuite = suite.Name, VerificationMethod = verificationMethod, Created = WholeSeconds(created) };
    }

    /// <summary>
    /// Checks and signs <paramref name="credential"/> (an unsigned credential object, UTF-8 JSON). A JWT alone with
    /// <see cref="CredentialChecks.None"/> signs the bytes as they are, without parsing them; anything else parses them
    /// once and signs as <see cref="Sign(JsonElement, in CredentialSigningOptions)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options lack the key, proof options or JWT signers the format needs.</exception>
    public static SigningOutcome Sign(ReadOnlyMemory<byte> credential, in CredentialSigningOptions options)
    {
        if (options.Format == SecuringFormat.Jwt && options.Checks == CredentialChecks.None)
        {
            if (!options.HasJwtSigner)
            {
                throw new ArgumentException("JWT signing needs a signer.", nameof(options));
            }

            string algorithm = string.Empty;
            VcJwtSigner? signer = options.JwtSigner ?? ChooseJwtSigner(options, out algorithm);
            if (signer is null)
            {
                return new SigningOutcome { Failure = SigningFailure.UnsupportedAlgorithm, Algorithm = algorithm };
            }

            try
            {
                return new SigningOutcome { Jwt = signer.Sign(credential.Span) };
            }
            catch (ArgumentException e)
            {
                return new SigningOutcome { Failure = SigningFailure.InvalidCredential, Exception = e };
            }
        }

        using JsonDocument document = JsonDocument.Parse(credential);
        return Sign(document.RootElement, options);
    }

    /// <summary>Checks and signs <paramref name="credential"/> (an unsigned credential object).</summary>
    /// <exception cref="ArgumentException">The options lack the key, proof options or JWT signers the format needs.</exception>
    public static SigningOutcome Sign(JsonElement credential, in CredentialSigningOptions options)
    {
        bool dataIntegrity = options.Format is SecuringFormat.DataIntegrity or SecuringFormat.Both;
        bool jwt = options.Format is SecuringFormat.Jwt or SecuringFormat.Both;
        if (dataIntegrity && (options.DataIntegrityKey is null || options.Proof is null))
        {
            throw new ArgumentException("Data Integrity signing needs a key and proof options.", nameof(options));
        }

        CryptosuiteSet cryptosuites = options.Cryptosuites ?? CryptosuiteSet.Default;
        if (dataIntegrity)
        {
            // The proof options must name a suite that signs with this key (an Ed25519 key and ecdsa-rdfc-2019 do not go together).
            _ = cryptosuites.SigningSuite(options.Proof!, options.DataIntegrityKey!.KeyType);
        }

        if (jwt && !options.HasJwtSigner)
        {
            throw new ArgumentException("JWT signing needs a signer.", nameof(options));
        }

        switch (options.Checks)
        {
            case CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode when CredentialJson.IsOpenBadge(credential):
            {
                ObSchemaValidationResult schema = ObSchemaValidator.Shared.Validate(credential);
                if (!schema.IsValid)
                {
                    return new SigningOutcome { Failure = SigningFailure.SchemaViolations, Schema = schema };
                }

                break;
            }

            case CredentialChecks.Full:
            {
                CredentialValidationResult validation = CredentialValidator.Default.Validate(credential);
                if (!validation.IsValid)
                {
                    return new SigningOutcome { Failure = SigningFailure.ValidationFailed, Validation = validation };
                }

                break;
            }

            case CredentialChecks.Profile:
            {
                CredentialValidationResult validation = CredentialValidator.Default.ValidateProfile(credential);
                if (!validation.IsValid)
                {
                    return new SigningOutcome { Failure = SigningFailure.ValidationFailed, Validation = validation };
                }

                break;
            }
        }

        byte[]? signed = null;
        string? token = null;
        try
        {
            if (dataIntegrity)
            {
                // Signing canonicalizes in JSON-LD safe mode: an undefined term or a dropped value fails here, and so
                // does a number jsonld.js-based verifiers would canonicalize differently (JsonLdOptions.SafeForSigning).
                // One proof: an array in the Open Badges and CLR families, an object otherwise (SingleProofForm.For).
                signed = SingleProofForm.For(credential, cryptosuites.Sign(credential, options.Proof!, options.DataIntegrityKey!, s_signing));
            }

            if (jwt)
            {
                if (signed is null && options.Checks is CredentialChecks.JsonLdSafeMode or CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode or CredentialChecks.Profile)
                {
                    // No proof to canonicalize: check safe mode explicitly. A JWT signs bytes, not RDF, so a number
                    // jsonld.js canonicalizes differently does not matter to it.
                    JsonLdProcessor.ToRdf(credential, JsonLdOptions.Safe);
                }

                string algorithm = string.Empty;
                VcJwtSigner? signer = options.JwtSigner;
                signer ??= ChooseJwtSigner(options, out algorithm);
                if (signer is null)
                {
                    return new SigningOutcome { Failure = SigningFailure.UnsupportedAlgorithm, Algorithm = algorithm };
                }

                token = signer.Sign(credential);
            }
        }
        catch (JsonLdException e) when (e.Code == JsonLdErrorCode.NumberNotPortable)
        {
            return new SigningOutcome { Failure = SigningFailure.NumberNotPortable, Exception = e, NotPortableNumbers = JsonLdJsCompatibility.FindNumbersReadAsIntegers(credential) };
        }
        catch (JsonLdException e)
        {
            return new SigningOutcome { Failure = SigningFailure.JsonLd, Exception = e };
        }
        catch (RdfcWorkLimitExceededException e)
        {
            return new SigningOutcome { Failure = SigningFailure.CanonicalizationWorkLimit, Exception = e };
        }
        catch (ArgumentException e)
        {
            return new SigningOutcome { Failure = SigningFailure.InvalidCredential, Exception = e };
        }

        return new SigningOutcome { DataIntegrity = signed, Jwt = token };
    }

    private static VcJwtSigner? ChooseJwtSigner(in CredentialSigningOptions options, out string algorithm)
    {
        algorithm = options.JwtAlgorithm ?? DefaultJwtAlgorithm(options.Rs256Jwt, options.EdDsaJwt, options.Es256Jwt);
        return algorithm switch
        {
            JwsAlgorithms.RS256 => options.Rs256Jwt,
            JwsAlgorithms.EdDsa => options.EdDsaJwt,
            JwsAlgorithms.ES256 => options.Es256Jwt,
            _ => null,
        };
    }
}
