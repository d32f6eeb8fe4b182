using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;
using NSec.Cryptography;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>
/// The <c>eddsa-rdfc-2022</c> cryptosuite (VC Data Integrity EdDSA Cryptosuites v1.0, section 3.3), which also
/// verifies the legacy <c>eddsa-2022</c> and <c>Ed25519Signature2020</c> proofs that use the same algorithm:
/// hashData = SHA-256(RDFC(proofConfig)) ‖ SHA-256(RDFC(document without proof)); proofValue = "z" + base58btc(Ed25519(hashData)).
/// </summary>
public static partial class EddsaRdfc2022
{
    public const string LegacyEddsa2022 = "eddsa-2022";
    public const string Ed25519Signature2020 = "Ed25519Signature2020";

    private const int SignatureLength = 64;

    /// <summary>Copied members keep their original bytes; names and new strings are written without needless escaping.</summary>
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private const int HashLength = 32;

    /// <summary>Adds a proof to <paramref name="unsecuredDocument"/> and returns the secured document as UTF-8 JSON.</summary>
    /// <remarks>Existing proofs are kept (a proof set); they are signed over only when <see cref="ProofOptions.PreviousProof"/> names them (a chain).</remarks>
    public static byte[] Sign(JsonElement unsecuredDocument, ProofOptions options, SignatureWriter signer, DataIntegrityOptions? diOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        DataIntegrityOptions o = diOptions ?? DataIntegrityOptions.Default;
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

        Span<byte> hashData = stackalloc byte[2 * HashLength];
        HashCanonical(WriteProofConfig(options, context), o, hashData[..HashLength]);
        if (chained.Count == 0)
        {
            HashCanonicalWithoutProof(unsecuredDocument, o, hashData[HashLength..]);
        }
        else
        {
            HashCanonical(WriteDocument(unsecuredDocument, chained), o, hashData[HashLength..]);
        }

        Span<byte> signature = stackalloc byte[SignatureLength];
        signer(hashData, signature);
        string proofValue = "z" + SimpleBase.Base58.Bitcoin.Encode(signature);

        ReadOnlySpan<byte> raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(unsecuredDocument);
        if (existing.Count == 0 && !unsecuredDocument.TryGetProperty("proof", out _))
        {
            // Fast path: keep the document's bytes exactly and append the proof before the final '}'.
            var proofBuffer = new ArrayBufferWriter<byte>(512);
            using (var proofWriter = new Utf8JsonWriter(proofBuffer, s_writerOptions))
            {
                proofWriter.WriteStartArray();
                proofWriter.WriteStartObject();
                WriteProofOptionMembers(proofWriter, options);
                proofWriter.WriteString("proofValue", proofValue);
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
            return output;
        }

        var buffer = new ArrayBufferWriter<byte>(raw.Length + 512);
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
            writer.WriteString("proofValue", proofValue);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Convenience: signs with an NSec Ed25519 private key.</summary>
    public static byte[] Sign(JsonElement unsecuredDocument, ProofOptions options, Key ed25519Key, DataIntegrityOptions? diOptions = null)
    {
        ArgumentNullException.ThrowIfNull(ed25519Key);
        return Sign(unsecuredDocument, options, (data, sig) => SignatureAlgorithm.Ed25519.Sign(ed25519Key, data, sig), diOptions);
    }

    /// <summary>Convenience: signs with an Ed25519 <see cref="Keys.SigningKey"/> (for example one loaded from a key file).</summary>
    public static byte[] Sign(JsonElement unsecuredDocument, ProofOptions options, Keys.SigningKey key, DataIntegrityOptions? diOptions = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeyType != Keys.KeyType.Ed25519)
        {
            throw new ArgumentException($"eddsa-rdfc-2022 needs an Ed25519 key, not {key.KeyType}.", nameof(key));
        }

        return Sign(unsecuredDocument, options, (data, sig) => key.Sign(data, sig), diOptions);
    }

    /// <summary>Computes the 64 bytes that are signed: SHA-256 of the canonical proof configuration, then of the canonical document.</summary>
    public static byte[] ComputeHashData(JsonElement document, JsonElement proofConfig, DataIntegrityOptions? diOptions = null)
    {
        DataIntegrityOptions o = diOptions ?? DataIntegrityOptions.Default;
        var result = new byte[2 * HashLength];
        HashString(JsonLdProcessor.Canonicalize(proofConfig, o.JsonLd, o.Rdfc), result.AsSpan(0, HashLength));
        HashCanonicalWithoutProof(document, o, result.AsSpan(HashLength));
        return result;
    }

    /// <summary>Verifies every proof of <paramref name="securedDocument"/> that this suite understands, one result per proof.</summary>
    public static IReadOnlyList<ProofVerificationResult> VerifyAll(JsonElement securedDocument, IProofKeyResolver resolver, DataIntegrityOptions? diOptions = null)
        => VerifyAll(securedDocument, resolver, diOptions, canonicalDocumentWithoutProof: null);

    /// <summary>
    /// As <see cref="VerifyAll(JsonElement, IProofKeyResolver, DataIntegrityOptions?)"/>, reusing the RDFC-1.0 canonical
    /// N-Quads of the document without <c>proof</c> when the caller already has them (computed with the same options).
    /// </summary>
    internal static IReadOnlyList<ProofVerificationResult> VerifyAll(JsonElement securedDocument, IProofKeyResolver resolver, DataIntegrityOptions? diOptions, string? canonicalDocumentWithoutProof)
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

        byte[]? documentHash = null;
        if (canonicalDocumentWithoutProof is not null)
        {
            documentHash = new byte[HashLength];
            HashString(canonicalDocumentWithoutProof, documentHash);
        }

        var results = new List<ProofVerificationResult>(proofs.Count);
        foreach (JsonElement proof in proofs)
        {
            results.Add(VerifyOne(securedDocument, proof, proofs, resolver, o, ref documentHash));
        }

        return results;
    }

    /// <summary>Whether the proof object is one this suite can verify (by type and cryptosuite).</summary>
    public static bool IsSupported(JsonElement proof)
    {
        ProofDescription d = Describe(proof);
        return IsSupported(d);
    }

    private static bool IsSupported(ProofDescription d)
        => (string.Equals(d.Type, ProofOptions.DataIntegrityProofType, StringComparison.Ordinal)
                && (string.Equals(d.Cryptosuite, ProofOptions.EddsaRdfc2022, StringComparison.Ordinal) || string.Equals(d.Cryptosuite, LegacyEddsa2022, StringComparison.Ordinal)))
            || string.Equals(d.Type, Ed25519Signature2020, StringComparison.Ordinal);

    private static ProofVerificationResult VerifyOne(
        JsonElement document,
        JsonElement proof,
        List<JsonElement> allProofs,
        IProofKeyResolver resolver,
        DataIntegrityOptions o,
        ref byte[]? sharedDocumentHash)
    {
        if (proof.ValueKind != JsonValueKind.Object)
        {
            return ProofVerificationResult.Fail(ProofFailure.MalformedProof, "a proof is not a JSON object");
        }

        ProofDescription d = Describe(proof);
        if (!IsSupported(d))
        {
            return ProofVerificationResult.Fail(
                ProofFailure.UnsupportedCryptosuite,
                $"unsupported proof type '{d.Type}'{(d.Cryptosuite is null ? string.Empty : $" with cryptosuite '{d.Cryptosuite}'")}",
                d);
        }

        if (d.VerificationMethod is null || d.ProofPurpose is null
            || !proof.TryGetProperty("proofValue", out JsonElement proofValueElement) || proofValueElement.ValueKind != JsonValueKind.String)
        {
            return ProofVerificationResult.Fail(ProofFailure.MalformedProof, "the proof lacks verificationMethod, proofPurpose or proofValue", d);
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

        Span<byte> signature = stackalloc byte[SignatureLength];
        if (!TryDecodeProofValue(proofValueElement.GetString()!, signature))
        {
            return ProofVerificationResult.Fail(ProofFailure.InvalidProofValue, "proofValue is not a multibase base58btc Ed25519 signature", d);
        }

        ResolvedProofKey? key = resolver.Resolve(d.VerificationMethod, d.ProofPurpose);
        if (key is null || key.Ed25519PublicKey.Length != 32)
        {
            return ProofVerificationResult.Fail(ProofFailure.VerificationMethodNotFound, $"verification method {d.VerificationMethod} could not be resolved to an Ed25519 key", d);
        }

        if (!key.AuthorizedForPurpose)
        {
            return ProofVerificationResult.Fail(ProofFailure.VerificationMethodNotAuthorized, $"verification method {d.VerificationMethod} is not listed under {d.ProofPurpose} by its controller", d) with { Controller = key.Controller };
        }

        if (o.ExpectedController is not null && !string.Equals(key.Controller, o.ExpectedController, StringComparison.Ordinal))
        {
            return ProofVerificationResult.Fail(ProofFailure.ControllerMismatch, $"the key's controller '{key.Controller}' is not the issuer '{o.ExpectedController}'", d) with { Controller = key.Controller };
        }

        Span<byte> hashData = stackalloc byte[2 * HashLength];
        try
        {
            document.TryGetProperty("@context", out JsonElement context);
            byte[] proofConfig = WriteProofConfigFromProof(proof, context);
            using (JsonDocument config = JsonDocument.Parse(proofConfig, new JsonDocumentOptions { MaxDepth = o.JsonLd.MaxDepth }))
            {
                RdfcResult signedConfig = JsonLdProcessor.CanonicalizeDetailed(config.RootElement, o.JsonLd, o.Rdfc);
                HashString(signedConfig.CanonicalNQuads, hashData[..HashLength]);

                // The options this verifier acts on (purpose, method, dates, challenge, domain, …) are read from the
                // proof's JSON: they must be what the signature covers, member for member (see SignedProof).
                if (SignedProof.Mismatch(proof, signedConfig.Quads) is string mismatch)
                {
                    return ProofVerificationResult.Fail(ProofFailure.MalformedProof, $"the proof's JSON does not say what its signed form says: {mismatch}", d);
                }
            }

            if (d.PreviousProof is null)
            {
                if (sharedDocumentHash is null)
                {
                    sharedDocumentHash = new byte[HashLength];
                    HashCanonicalWithoutProof(document, o, sharedDocumentHash);
                }

                sharedDocumentHash.CopyTo(hashData[HashLength..]);
            }
            else
            {
                List<JsonElement> previous = MatchPreviousProofs(allProofs, ReadPreviousProofIds(proof), out string? missing);
                if (missing is not null)
                {
                    return ProofVerificationResult.Fail(ProofFailure.PreviousProofMissing, $"previousProof '{missing}' is not in the document", d);
                }

                HashCanonical(WriteDocument(document, previous), o, hashData[HashLength..]);
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

        PublicKey publicKey;
        try
        {
            publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, key.Ed25519PublicKey.Span, KeyBlobFormat.RawPublicKey);
        }
        catch (FormatException)
        {
            return ProofVerificationResult.Fail(ProofFailure.VerificationMethodNotFound, $"verification method {d.VerificationMethod} has an invalid Ed25519 key", d);
        }

        bool valid = SignatureAlgorithm.Ed25519.Verify(publicKey, hashData, signature);
        return valid
            ? new ProofVerificationResult
            {
                Verified = true,
                ProofType = d.Type,
                Cryptosuite = d.Cryptosuite,
                VerificationMethod = d.VerificationMethod,
                ProofPurpose = d.ProofPurpose,
                Controller = key.Controller,
                Message = "signature verified",
            }
            : ProofVerificationResult.Fail(ProofFailure.SignatureInvalid, "the signature does not match the credential", d) with { Controller = key.Controller };
    }

    private static void HashCanonical(byte[] json, DataIntegrityOptions o, Span<byte> destination)
        => HashString(JsonLdProcessor.Canonicalize(json, o.JsonLd, o.Rdfc), destination);

    private static void HashCanonicalWithoutProof(JsonElement document, DataIntegrityOptions o, Span<byte> destination)
        => HashString(JsonLdProcessor.CanonicalizeWithout(document, "proof", o.JsonLd, o.Rdfc), destination);

    private static void HashString(string canonical, Span<byte> destination)
    {
        int max = Encoding.UTF8.GetMaxByteCount(canonical.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int n = Encoding.UTF8.GetBytes(canonical, rented);
            SHA256.HashData(rented.AsSpan(0, n), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool TryDecodeProofValue(string proofValue, Span<byte> signature)
    {
        if (proofValue.Length < 2 || proofValue[0] != 'z' || proofValue.Length > 120)
        {
            return false;
        }

        // Non-alphabet (including non-ASCII) characters are refused before decoding; SimpleBase threw IndexOutOfRangeException on them.
        byte[]? bytes = Internal.Base58Btc.Decode(proofValue.AsSpan(1));
        if (bytes is null || bytes.Length != SignatureLength)
        {
            return false;
        }

        bytes.CopyTo(signature);
        return true;
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

    private static List<JsonElement> ReadProofs(JsonElement document)
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
        var buffer = new ArrayBufferWriter<byte>(4096);
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

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] WriteProofConfig(ProofOptions options, JsonElement context)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("@context");
            writer.WriteRawValue(context.GetRawText(), skipInputValidation: true);
            WriteProofOptionMembers(writer, options);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] WriteProofConfigFromProof(JsonElement proof, JsonElement context)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("@context");
            writer.WriteRawValue(context.GetRawText(), skipInputValidation: true);
            foreach (JsonProperty p in proof.EnumerateObject())
            {
                if (!p.NameEquals("proofValue") && !p.NameEquals("@context"))
                {
                    WriteVerbatim(writer, p);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
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
}
