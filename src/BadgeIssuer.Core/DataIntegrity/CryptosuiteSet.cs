// The Data Integrity proof algorithms (VC Data Integrity 1.0 §4.2 "Add Proof", §4.4 "Verify Proof", proof sets and
// chains §2.1.2), shared by every cryptosuite that canonicalizes with RDFC-1.0 and signs
//   hashData = hash(RDFC(proof configuration)) ‖ hash(RDFC(document without proof, or with its previous proofs))
// (eddsa-rdfc-2022, ecdsa-rdfc-2019, and the legacy Ed25519Signature2018/2020 Linked Data proofs). What differs per
// suite — names, the signature member and its encoding, the key types, the hash, the signature algorithm — is the
// IDataIntegrityCryptosuite's. A set is what a signer or verifier is configured with: a proof no suite of the set
// matches is reported "unsupported cryptosuite <name>", never an exception.

using System.Buffers;
using BadgeIssuer.Core;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>
/// The cryptosuites a signer or verifier uses (configuration: <c>Verify:Cryptosuites</c>), and the Data Integrity
/// proof algorithms over them: <see cref="Sign"/> picks the suite by the proof options and the key's type,
/// <see cref="VerifyAll(JsonElement, IProofKeyResolver, DataIntegrityOptions?)"/> each proof's suite by its
/// <c>type</c> and <c>cryptosuite</c>. Immutable and thread-safe.
/// </summary>
public sealed partial class CryptosuiteSet
{
    private const int MaxHashLength = 48;

    /// <summary>Copied members keep their original bytes; names and new strings are written without needless escaping.</summary>
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IDataIntegrityCryptosuite[] _suites;

    /// <summary>A set of <paramref name="suites"/>, in the order they are tried.</summary>
    /// <exception cref="ArgumentException">No suite, or two with one name.</exception>
    public CryptosuiteSet(IEnumerable<IDataIntegrityCryptosuite> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        _suites = [.. suites];
        if (_suites.Length == 0)
        {
            throw new ArgumentException("A cryptosuite set needs at least one suite.", nameof(suites));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (IDataIntegrityCryptosuite suite in _suites)
        {
            ArgumentNullException.ThrowIfNull(suite, nameof(suites));
            if (!names.Add(suite.Name))
            {
                throw new ArgumentException($"The cryptosuite '{suite.Name}' is listed twice.", nameof(suites));
            }
        }

        Names = string.Join(", ", _suites.Select(s => s.Name));
    }

    /// <summary>
    /// Every suite this library implements: <c>eddsa-rdfc-2022</c> (which also verifies the legacy <c>eddsa-2022</c>
    /// and <c>Ed25519Signature2020</c>), <c>ecdsa-rdfc-2019</c> (P-256 and P-384), and <c>Ed25519Signature2018</c>
    /// (verification only).
    /// </summary>
    public static IReadOnlyList<IDataIntegrityCryptosuite> BuiltIn { get; } = [EddsaRdfc2022.Instance, EcdsaRdfc2019.Instance, Ed25519Signature2018.Instance];

    /// <summary>All of <see cref="BuiltIn"/>: the default of signers and verifiers.</summary>
    public static CryptosuiteSet Default { get; } = new(BuiltIn);

    /// <summary>The suites, in the order they are tried.</summary>
    public IReadOnlyList<IDataIntegrityCryptosuite> Suites => _suites;

    /// <summary>The suites' names, comma-separated, for messages.</summary>
    public string Names { get; }

    /// <summary>The built-in suites named (configuration), in that order.</summary>
    /// <exception cref="ArgumentException">A name is not a built-in suite, is listed twice, or there is none.</exception>
    public static CryptosuiteSet FromNames(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var suites = new List<IDataIntegrityCryptosuite>();
        foreach (string name in names)
        {
            IDataIntegrityCryptosuite suite = BuiltIn.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal))
                ?? throw new ArgumentException($"Unknown cryptosuite '{name}' (known: {string.Join(", ", BuiltIn.Select(s => s.Name))}).", nameof(names));
            suites.Add(suite);
        }

        return new CryptosuiteSet(suites);
    }

    /// <summary>The suite of a proof with this <c>type</c> and <c>cryptosuite</c>, or null when none of the set's matches.</summary>
    public IDataIntegrityCryptosuite? Find(string? proofType, string? cryptosuite)
    {
        foreach (IDataIntegrityCryptosuite suite in _suites)
        {
            if (suite.Matches(proofType, cryptosuite))
            {
                return suite;
            }
        }

        return null;
    }

    /// <summary>The first suite of the set that signs with keys of <paramref name="keyType"/>, or null.</summary>
    public IDataIntegrityCryptosuite? FindSigningSuite(KeyType keyType)
    {
        foreach (IDataIntegrityCryptosuite suite in _suites)
        {
            if (suite.CanSign(keyType))
            {
                return suite;
            }
        }

        return null;
    }

    /// <summary>
    /// Adds a proof to <paramref name="unsecuredDocument"/> with the suite that <paramref name="options"/> name
    /// (<c>type</c>, <c>cryptosuite</c>) and that signs with <paramref name="key"/>'s type; returns the secured document
    /// as UTF-8 JSON. Existing proofs are kept (a proof set); they are signed over only when
    /// <see cref="ProofOptions.PreviousProof"/> names them (a chain).
    /// </summary>
    /// <exception cref="ArgumentException">No suite of the set signs such proofs with such a key, or the document is not an object with an <c>@context</c>.</exception>
    public byte[] Sign(JsonElement unsecuredDocument, ProofOptions options, SigningKey key, DataIntegrityOptions? diOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        IDataIntegrityCryptosuite suite = SigningSuite(options, key.KeyType);
        RdfcHashAlgorithm hash = suite.HashFor(key.PublicKey);
        return SignCore(unsecuredDocument, options, suite, hash, data => suite.CreateProofValue(data, key), diOptions ?? DataIntegrityOptions.Default);
    }

    /// <summary>The suite that <see cref="Sign"/> would use for <paramref name="options"/> and a key of <paramref name="keyType"/>.</summary>
    /// <exception cref="ArgumentException">None of the set's.</exception>
    public IDataIntegrityCryptosuite SigningSuite(ProofOptions options, KeyType keyType)
    {
        ArgumentNullException.ThrowIfNull(options);
        IDataIntegrityCryptosuite? named = null;
        foreach (IDataIntegrityCryptosuite suite in _suites)
        {
            if (suite.Matches(options.Type, options.Cryptosuite))
            {
                if (suite.CanSign(keyType))
                {
                    return suite;
                }

                named ??= suite;
            }
        }

        string asked = options.Cryptosuite ?? options.Type;
        throw new ArgumentException(
            named is not null
                ? $"{named.Name} cannot sign with a {keyType} key (it {(Enum.GetValues<KeyType>().Any(named.CanSign) ? "needs " + named.KeyDescription : "only verifies")})."
                : $"No enabled cryptosuite signs '{asked}' proofs (enabled: {Names}).",
            nameof(options));
    }

    /// <summary>Verifies every proof of <paramref name="securedDocument"/>, one result per proof, each with the set's suite for it.</summary>
    public IReadOnlyList<ProofVerificationResult> VerifyAll(JsonElement securedDocument, IProofKeyResolver resolver, DataIntegrityOptions? diOptions = null)
        => VerifyAll(securedDocument, resolver, diOptions, canonicalDocumentWithoutProof: null);

    /// <summary>
    /// As <see cref="VerifyAll(JsonElement, IProofKeyResolver, DataIntegrityOptions?)"/>, reusing the RDFC-1.0 canonical
    /// N-Quads of the document without <c>proof</c> when the caller already has them (computed with the same options).
    /// </summary>
    internal IReadOnlyList<ProofVerificationResult> VerifyAll(JsonElement securedDocument, IProofKeyResolver resolver, DataIntegrityOptions? diOptions, string? canonicalDocumentWithoutProof)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        DataIntegrityOptions o = diOptions ?? DataIntegrityOptions.Default;
        if (securedDocument.ValueKind != JsonValueKind.Object)
        {
            return [ProofVerificationResult.Fail(ProofFailure.MalformedProof, "the credential is not a JSON object")];
        }

        List<JsonElement> proofs = ReadProofs(securedDocument);
        if (proofs.Count == 0)
        {
            return [ProofVerificationResult.Fail(ProofFailure.MissingProof, "the credential has no proof")];
        }

        var hashes = new DocumentHashes(canonicalDocumentWithoutProof);
        var results = new List<ProofVerificationResult>(proofs.Count);
        foreach (JsonElement proof in proofs)
        {
            results.Add(VerifyOne(securedDocument, proof, proofs, resolver, o, ref hashes));
        }

        return results;
    }

    /// <summary>The proof's type and cryptosuite as read (for a caller that reports before verifying).</summary>
    internal static (string? Type, string? Cryptosuite) TypeOf(JsonElement proof)
        => proof.ValueKind == JsonValueKind.Object
            ? (CredentialJson.StringMember(proof, "type"), CredentialJson.StringMember(proof, "cryptosuite"))
            : (null, null);

    /// <summary>
    /// The Add Proof algorithm with <paramref name="suite"/>: hashes the proof configuration written from
    /// <paramref name="options"/> and the document (or the document with its chained previous proofs), asks
    /// <paramref name="writeProofValue"/> for the signature member's value, and appends the proof.
    /// </summary>
    internal static byte[] SignCore(JsonElement unsecuredDocument, ProofOptions options, IDataIntegrityCryptosuite suite, RdfcHashAlgorithm hash, ProofValueWriter writeProofValue, DataIntegrityOptions o)
    {
        if (unsecuredDocument.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The document must be a JSON object.", nameof(unsecuredDocument));
        }

        if (!unsecuredDocument.TryGetProperty("@context", out JsonElement context))
        {
            throw new ArgumentException("The document has no @context.", nameof(unsecuredDocument));
        }

        List<JsonElement> existing = ReadProofs(unsecuredDocument);
        List<JsonElement> chained = options.PreviousProof is null ? [] : MatchPreviousProofs(existing, [options.PreviousProof], out _);

        int hashLength = HashLength(hash);
        RdfcOptions rdfc = RdfcFor(hash, o);
        Span<byte> hashData = stackalloc byte[2 * MaxHashLength];
        hashData = hashData[..(2 * hashLength)];
        HashCanonical(WriteProofConfig(options, context), o.JsonLd, rdfc, hash, hashData[..hashLength]);
        if (chained.Count == 0)
        {
            HashString(JsonLdProcessor.CanonicalizeWithout(unsecuredDocument, "proof", o.JsonLd, rdfc), hash, hashData[hashLength..]);
        }
        else
        {
            HashCanonical(WriteDocument(unsecuredDocument, chained), o.JsonLd, rdfc, hash, hashData[hashLength..]);
        }

        string proofValue = writeProofValue(hashData);
        string signatureMember = suite.SignatureMember;

        ReadOnlySpan<byte> raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(unsecuredDocument);
        if (existing.Count == 0 && !unsecuredDocument.TryGetProperty("proof", out _))
        {
            // Fast path: keep the document's bytes exactly and append the proof before the final '}'.
            var proofBuffer = JsonScratch.Rent();
            using (var proofWriter = new Utf8JsonWriter(proofBuffer, s_writerOptions))
            {
                proofWriter.WriteStartArray();
                proofWriter.WriteStartObject();
                WriteProofOptionMembers(proofWriter, options);
                proofWriter.WriteString(signatureMember, proofValue);
                proofWriter.WriteEndObject();
                proofWriter.WriteEndArray();
            }

            int close = raw.LastIndexOf((byte)'}');
            ReadOnlySpan<byte> separator = ",\"proof\":"u8;
            var output = new byte[close + separator.Length + proofBuffer.WrittenCount + 1];
            raw[..close].CopyTo(output);
            separator.CopyTo(output.AsSpan(close));
            proofBuffer.WrittenSpan.CopyTo(output.AsSpan(close + separator.Length));
            output[^1] = (byte)'}';
            JsonScratch.Return(proofBuffer);
            return output;
        }

        var buffer = JsonScratch.Rent();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            foreach (JsonProperty p in unsecuredDocument.EnumerateObject())
            {
                if (!p.NameEquals("proof"))
                {
                    WriteVerbatim(writer, p);
                }
            }

            writer.WriteStartArray("proof");
            foreach (JsonElement e in existing)
            {
                writer.WriteRawValue(e.GetRawText(), skipInputValidation: true);
            }

            writer.WriteStartObject();
            WriteProofOptionMembers(writer, options);
            writer.WriteString(signatureMember, proofValue);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }

    /// <summary>hash(RDFC(proof configuration)) ‖ hash(RDFC(document without proof)) with <paramref name="hash"/>.</summary>
    internal static byte[] ComputeHashData(JsonElement document, JsonElement proofConfig, RdfcHashAlgorithm hash, DataIntegrityOptions o)
    {
        int hashLength = HashLength(hash);
        RdfcOptions rdfc = RdfcFor(hash, o);
        var result = new byte[2 * hashLength];
        HashString(JsonLdProcessor.Canonicalize(proofConfig, o.JsonLd, rdfc), hash, result.AsSpan(0, hashLength));
        HashString(JsonLdProcessor.CanonicalizeWithout(document, "proof", o.JsonLd, rdfc), hash, result.AsSpan(hashLength));
        return result;
    }

    private ProofVerificationResult VerifyOne(
        JsonElement document,
        JsonElement proof,
        List<JsonElement> allProofs,
        IProofKeyResolver resolver,
        DataIntegrityOptions o,
        ref DocumentHashes hashes)
    {
        if (proof.ValueKind != JsonValueKind.Object)
        {
            return ProofVerificationResult.Fail(ProofFailure.MalformedProof, "a proof is not a JSON object");
        }

        ProofDescription d = Describe(proof);
        IDataIntegrityCryptosuite? suite = Find(d.Type, d.Cryptosuite);
        if (suite is null)
        {
            return ProofVerificationResult.Fail(ProofFailure.UnsupportedCryptosuite, UnsupportedMessage(d), d);
        }

        string signatureMember = suite.SignatureMember;
        if (d.VerificationMethod is null || d.ProofPurpose is null
            || !proof.TryGetProperty(signatureMember, out JsonElement signatureElement) || signatureElement.ValueKind != JsonValueKind.String)
        {
            return ProofVerificationResult.Fail(ProofFailure.MalformedProof, $"the proof lacks verificationMethod, proofPurpose or {signatureMember}", d);
        }

        foreach (string dateMember in (ReadOnlySpan<string>)["created", "expires"])
        {
            if (proof.TryGetProperty(dateMember, out JsonElement date) && (date.ValueKind != JsonValueKind.String || !DateTimePattern().IsMatch(date.GetString()!)))
            {
                return ProofVerificationResult.Fail(ProofFailure.InvalidProofDate, $"proof {dateMember} is not a valid xsd:dateTime", d);
            }
        }

        if (!string.Equals(d.ProofPurpose, o.ExpectedProofPurpose, StringComparison.Ordinal))
        {
            return ProofVerificationResult.Fail(ProofFailure.ProofPurposeMismatch, $"proof purpose is '{d.ProofPurpose}', expected '{o.ExpectedProofPurpose}'", d);
        }

        if (!suite.TryDecodeSignature(signatureElement.GetString()!, out ProofSignature signature, out string signatureError))
        {
            return ProofVerificationResult.Fail(ProofFailure.InvalidProofValue, signatureError, d);
        }

        ResolvedProofKey? resolved = resolver.Resolve(d.VerificationMethod, d.ProofPurpose);
        VerificationKey? key = resolved?.PublicKey;
        VerificationKey? owned = null;
        if (resolved is not null && key is null && resolved.Ed25519PublicKey.Length == 32)
        {
            try
            {
                key = owned = Ed25519PublicKey.Import(resolved.Ed25519PublicKey.Span);
            }
            catch (FormatException)
            {
                return ProofVerificationResult.Fail(ProofFailure.VerificationMethodNotFound, $"verification method {d.VerificationMethod} has an invalid Ed25519 key", d);
            }
        }

        if (resolved is null || key is null)
        {
            return ProofVerificationResult.Fail(ProofFailure.VerificationMethodNotFound, $"verification method {d.VerificationMethod} could not be resolved to {suite.KeyDescription}", d);
        }

        using (owned)
        {
            return VerifyWithKey(document, proof, allProofs, d, suite, signature, resolved, key, o, ref hashes);
        }
    }

    private static ProofVerificationResult VerifyWithKey(
        JsonElement document,
        JsonElement proof,
        List<JsonElement> allProofs,
        ProofDescription d,
        IDataIntegrityCryptosuite suite,
        in ProofSignature signature,
        ResolvedProofKey resolved,
        VerificationKey key,
        DataIntegrityOptions o,
        ref DocumentHashes hashes)
    {
        if (suite.CheckKey(key, signature) is KeyMismatch mismatchedKey)
        {
            return ProofVerificationResult.Fail(mismatchedKey.Failure, mismatchedKey.Message, d) with { Controller = resolved.Controller };
        }

        if (!resolved.AuthorizedForPurpose)
        {
            return ProofVerificationResult.Fail(ProofFailure.VerificationMethodNotAuthorized, $"verification method {d.VerificationMethod} is not listed under {d.ProofPurpose} by its controller", d) with { Controller = resolved.Controller };
        }

        if (o.ExpectedController is not null && !string.Equals(resolved.Controller, o.ExpectedController, StringComparison.Ordinal))
        {
            return ProofVerificationResult.Fail(ProofFailure.ControllerMismatch, $"the key's controller '{resolved.Controller}' is not the issuer '{o.ExpectedController}'", d) with { Controller = resolved.Controller };
        }

        RdfcHashAlgorithm hash = suite.HashFor(key);
        int hashLength = HashLength(hash);
        RdfcOptions rdfc = RdfcFor(hash, o);
        Span<byte> hashData = stackalloc byte[2 * MaxHashLength];
        hashData = hashData[..(2 * hashLength)];
        try
        {
            if (!document.TryGetProperty("@context", out JsonElement context))
            {
                return ProofVerificationResult.Fail(ProofFailure.CanonicalizationFailed, "the document has no @context", d);
            }

            byte[] proofConfig = WriteProofConfigFromProof(proof, context, suite.UnsignedProofMembers);
            using (JsonDocument config = JsonDocument.Parse(proofConfig, new JsonDocumentOptions { MaxDepth = o.JsonLd.MaxDepth }))
            {
                RdfcResult signedConfig = JsonLdProcessor.CanonicalizeDetailed(config.RootElement, o.JsonLd, rdfc);
                HashString(signedConfig.CanonicalNQuads, hash, hashData[..hashLength]);

                // The options this verifier acts on (purpose, method, dates, challenge, domain, …) are read from the
                // proof's JSON: they must be what the signature covers, member for member (see SignedProof).
                if (SignedProof.Mismatch(proof, signedConfig.Quads, suite.UnsignedProofMembers) is string mismatch)
                {
                    return ProofVerificationResult.Fail(ProofFailure.MalformedProof, $"the proof's JSON does not say what its signed form says: {mismatch}", d);
                }
            }

            if (d.PreviousProof is null)
            {
                hashes.Get(document, hash, rdfc, o).CopyTo(hashData[hashLength..]);
            }
            else
            {
                List<JsonElement> previous = MatchPreviousProofs(allProofs, ReadPreviousProofIds(proof), out string? missing);
                if (missing is not null)
                {
                    return ProofVerificationResult.Fail(ProofFailure.PreviousProofMissing, $"previousProof '{missing}' is not in the document", d);
                }

                HashCanonical(WriteDocument(document, previous), o.JsonLd, rdfc, hash, hashData[hashLength..]);
            }
        }
        catch (JsonLdException ex)
        {
            return ProofVerificationResult.Fail(ProofFailure.CanonicalizationFailed, ex.Message, d);
        }
        catch (RdfcWorkLimitExceededException ex)
        {
            return ProofVerificationResult.Fail(ProofFailure.CanonicalizationFailed, ex.Message, d);
        }

        bool valid = suite.Verify(key, hashData, signature);
        return valid
            ? new ProofVerificationResult
            {
                Verified = true,
                ProofType = d.Type,
                Cryptosuite = d.Cryptosuite,
                VerificationMethod = d.VerificationMethod,
                ProofPurpose = d.ProofPurpose,
                Controller = resolved.Controller,
                Message = "signature verified",
            }
            : ProofVerificationResult.Fail(ProofFailure.SignatureInvalid, "the signature does not match the credential", d) with { Controller = resolved.Controller };
    }

    private string UnsupportedMessage(ProofDescription d)
    {
        if (d.Type is null)
        {
            return "unsupported cryptosuite: the proof has no type";
        }

        if (d.Cryptosuite is null && string.Equals(d.Type, ProofOptions.DataIntegrityProofType, StringComparison.Ordinal))
        {
            return "unsupported cryptosuite: the DataIntegrityProof names no cryptosuite";
        }

        // A legacy proof type is its own suite name.
        string name = d.Cryptosuite ?? d.Type;
        bool builtIn = BuiltIn.Any(s => s.Matches(d.Type, d.Cryptosuite));
        return builtIn
            ? $"unsupported cryptosuite {name} (not enabled in this verifier; enabled: {Names})"
            : $"unsupported cryptosuite {name} (this verifier supports {Names})";
    }

    /// <summary>The RDFC-1.0 options for <paramref name="hash"/>: the configured ones for SHA-256, those with SHA-384 for SHA-384.</summary>
    private static RdfcOptions RdfcFor(RdfcHashAlgorithm hash, DataIntegrityOptions o)
        => hash == RdfcHashAlgorithm.Sha256 || o.Rdfc.HashAlgorithm == hash
            ? o.Rdfc
            : new RdfcOptions { HashAlgorithm = hash, MaxHashNDegreeCalls = o.Rdfc.MaxHashNDegreeCalls };

    private static int HashLength(RdfcHashAlgorithm hash) => hash == RdfcHashAlgorithm.Sha384 ? SHA384.HashSizeInBytes : SHA256.HashSizeInBytes;

    private static void HashCanonical(byte[] json, JsonLdOptions jsonLd, RdfcOptions rdfc, RdfcHashAlgorithm hash, Span<byte> destination)
        => HashString(JsonLdProcessor.Canonicalize(json, jsonLd, rdfc), hash, destination);

    private static void HashString(string canonical, RdfcHashAlgorithm hash, Span<byte> destination)
    {
        int max = Encoding.UTF8.GetMaxByteCount(canonical.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int n = Encoding.UTF8.GetBytes(canonical, rented);
            if (hash == RdfcHashAlgorithm.Sha384)
            {
                SHA384.HashData(rented.AsSpan(0, n), destination);
            }
            else
            {
                SHA256.HashData(rented.AsSpan(0, n), destination);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ProofDescription Describe(JsonElement proof)
    {
        if (proof.ValueKind != JsonValueKind.Object)
        {
            return new ProofDescription(null, null, null, null, null, null);
        }

        return new ProofDescription(
            CredentialJson.StringMember(proof, "type"),
            CredentialJson.StringMember(proof, "cryptosuite"),
            CredentialJson.StringMember(proof, "verificationMethod"),
            CredentialJson.StringMember(proof, "proofPurpose"),
            CredentialJson.StringMember(proof, "id"),
            proof.TryGetProperty("previousProof", out JsonElement pp) ? (pp.ValueKind == JsonValueKind.String ? pp.GetString() : pp.GetRawText()) : null);
    }

    internal static List<JsonElement> ReadProofs(JsonElement document)
    {
        var proofs = new List<JsonElement>();
        if (document.TryGetProperty("proof", out JsonElement proof))
        {
            if (proof.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement p in proof.EnumerateArray())
                {
                    proofs.Add(p);
                }
            }
            else if (proof.ValueKind != JsonValueKind.Null)
            {
                proofs.Add(proof);
            }
        }

        return proofs;
    }

    private static List<string> ReadPreviousProofIds(JsonElement proof)
    {
        var ids = new List<string>();
        if (proof.TryGetProperty("previousProof", out JsonElement pp))
        {
            if (pp.ValueKind == JsonValueKind.String)
            {
                ids.Add(pp.GetString()!);
            }
            else if (pp.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement e in pp.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String)
                    {
                        ids.Add(e.GetString()!);
                    }
                }
            }
        }

        return ids;
    }

    private static List<JsonElement> MatchPreviousProofs(List<JsonElement> proofs, List<string> ids, out string? missing)
    {
        missing = null;
        var matched = new List<JsonElement>(ids.Count);
        foreach (string id in ids)
        {
            bool found = false;
            foreach (JsonElement p in proofs)
            {
                if (p.ValueKind == JsonValueKind.Object && p.TryGetProperty("id", out JsonElement pid) && pid.ValueKind == JsonValueKind.String && pid.ValueEquals(id))
                {
                    matched.Add(p);
                    found = true;
                }
            }

            if (!found)
            {
                missing ??= id;
            }
        }

        return matched;
    }

    /// <summary>The document without <c>proof</c>, or with <c>proof</c> set to the chained previous proofs.</summary>
    private static byte[] WriteDocument(JsonElement document, List<JsonElement> previousProofs)
    {
        var buffer = JsonScratch.Rent();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            foreach (JsonProperty p in document.EnumerateObject())
            {
                if (!p.NameEquals("proof"))
                {
                    WriteVerbatim(writer, p);
                }
            }

            if (previousProofs.Count == 1)
            {
                writer.WritePropertyName("proof");
                writer.WriteRawValue(previousProofs[0].GetRawText(), skipInputValidation: true);
            }
            else if (previousProofs.Count > 1)
            {
                writer.WriteStartArray("proof");
                foreach (JsonElement p in previousProofs)
                {
                    writer.WriteRawValue(p.GetRawText(), skipInputValidation: true);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }

    private static byte[] WriteProofConfig(ProofOptions options, JsonElement context)
    {
        var buffer = JsonScratch.Rent();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("@context");
            writer.WriteRawValue(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(context), skipInputValidation: true);
            WriteProofOptionMembers(writer, options);
            writer.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }

    /// <summary>The proof configuration of a proof: the document's <c>@context</c>, then the proof's members but its own <c>@context</c> and the unsigned ones.</summary>
    private static byte[] WriteProofConfigFromProof(JsonElement proof, JsonElement context, IReadOnlyList<string> unsigned)
    {
        var buffer = JsonScratch.Rent();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("@context");
            writer.WriteRawValue(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(context), skipInputValidation: true);
            foreach (JsonProperty p in proof.EnumerateObject())
            {
                if (!p.NameEquals("@context") && !IsUnsigned(p, unsigned))
                {
                    WriteVerbatim(writer, p);
                }
            }

            writer.WriteEndObject();
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }

    internal static bool IsUnsigned(JsonProperty member, IReadOnlyList<string> unsigned)
    {
        for (int i = 0; i < unsigned.Count; i++)
        {
            if (member.NameEquals(unsigned[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteVerbatim(Utf8JsonWriter writer, JsonProperty property)
    {
        writer.WritePropertyName(property.Name);
        writer.WriteRawValue(property.Value.GetRawText(), skipInputValidation: true);
    }

    private static void WriteProofOptionMembers(Utf8JsonWriter writer, ProofOptions options)
    {
        if (options.Id is not null)
        {
            writer.WriteString("id", options.Id);
        }

        writer.WriteString("type", options.Type);
        if (options.Cryptosuite is not null)
        {
            writer.WriteString("cryptosuite", options.Cryptosuite);
        }

        if (options.CreatedString is string created)
        {
            writer.WriteString("created", created);
        }

        if (options.Expires is not null)
        {
            writer.WriteString("expires", options.Expires);
        }

        writer.WriteString("verificationMethod", options.VerificationMethod);
        writer.WriteString("proofPurpose", options.ProofPurpose);
        if (options.Domain is not null)
        {
            writer.WriteString("domain", options.Domain);
        }

        if (options.Challenge is not null)
        {
            writer.WriteString("challenge", options.Challenge);
        }

        if (options.Nonce is not null)
        {
            writer.WriteString("nonce", options.Nonce);
        }

        if (options.PreviousProof is not null)
        {
            writer.WriteString("previousProof", options.PreviousProof);
        }
    }

    [GeneratedRegex(@"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    /// <summary>
    /// The hashes of the document without its proofs, per hash algorithm, computed once per document (most proofs of a
    /// set share them); the caller's canonical form is reused for the configured RDFC-1.0 options.
    /// </summary>
    private struct DocumentHashes(string? canonicalWithConfiguredOptions)
    {
        private byte[]? _sha256;
        private byte[]? _sha384;

        public byte[] Get(JsonElement document, RdfcHashAlgorithm hash, RdfcOptions rdfc, DataIntegrityOptions o)
        {
            ref byte[]? slot = ref hash == RdfcHashAlgorithm.Sha384 ? ref _sha384 : ref _sha256;
            if (slot is null)
            {
                string canonical = canonicalWithConfiguredOptions is not null && ReferenceEquals(rdfc, o.Rdfc)
                    ? canonicalWithConfiguredOptions
                    : JsonLdProcessor.CanonicalizeWithout(document, "proof", o.JsonLd, rdfc);
                slot = new byte[HashLength(hash)];
                HashString(canonical, hash, slot);
            }

            return slot;
        }
    }
}

/// <summary>Returns the signature member's value for the hash data (a suite's <see cref="IDataIntegrityCryptosuite.CreateProofValue"/> with a key bound).</summary>
internal delegate string ProofValueWriter(ReadOnlySpan<byte> hashData);
