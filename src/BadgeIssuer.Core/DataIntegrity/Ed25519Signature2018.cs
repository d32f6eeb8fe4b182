// Ed25519Signature2018 (W3C CCG Ed25519 Signature 2018; Digital Bazaar @digitalbazaar/ed25519-signature-2018 4.2.0 over
// jsonld-signatures' LinkedDataSignature and @digitalbazaar/jws-linked-data-signature), verification only:
//   verifyData   = SHA-256(RDFC(proof options without jws/signatureValue/proofValue, with the document's @context))
//                ‖ SHA-256(RDFC(document without proof))
//   jws          = BASE64URL(header) + ".." + BASE64URL(Ed25519(ASCII(BASE64URL(header) + ".") ‖ verifyData))
//   header       = {"alg":"EdDSA","b64":false,"crit":["b64"]} (RFC 7797 unencoded, detached payload)
// jsonld-signatures canonicalizes with RDFC-1.0 ("URDNA2015" is its former name; same output). The header is checked
// strictly: exactly those three members (the JS check lets a header with another member count through; this one
// does not). This service never issues such proofs.

using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.DataIntegrity;

/// <summary>The legacy <c>Ed25519Signature2018</c> Linked Data proof (detached JWS), verification only.</summary>
public sealed class Ed25519Signature2018 : IDataIntegrityCryptosuite
{
    public const string ProofType = "Ed25519Signature2018";

    private const int SignatureLength = 64;

    // A header of three short members is ~50 base64url characters; anything much longer is refused before decoding.
    private const int MaxJwsLength = 512;
    private const int MaxHeaderBytes = 384;

    private static readonly string[] s_unsigned = ["jws", "signatureValue", "proofValue"];

    private Ed25519Signature2018()
    {
    }

    /// <summary>The suite.</summary>
    public static Ed25519Signature2018 Instance { get; } = new();

    public string Name => ProofType;

    public string KeyDescription => "an Ed25519 key";

    public string SignatureMember => "jws";

    public IReadOnlyList<string> UnsignedProofMembers => s_unsigned;

    public bool Matches(string? proofType, string? cryptosuite) => string.Equals(proofType, ProofType, StringComparison.Ordinal);

    public bool TryDecodeSignature(string value, out ProofSignature signature, out string reason)
    {
        signature = default;
        int first = value.IndexOf('.', StringComparison.Ordinal);
        if (value.Length > MaxJwsLength || first < 0 || value.Length < first + 2 || value[first + 1] != '.' || value.IndexOf('.', first + 2) >= 0)
        {
            reason = "jws is not a detached JWS (BASE64URL(header)..BASE64URL(signature))";
            return false;
        }

        ReadOnlySpan<char> encodedHeader = value.AsSpan(0, first);
        Span<byte> header = stackalloc byte[MaxHeaderBytes];
        if (encodedHeader.IsEmpty || !Base64UrlStrict.TryDecode(encodedHeader, header, out int headerLength))
        {
            reason = "the JWS header is not base64url";
            return false;
        }

        if (!IsDetachedEdDsaHeader(header[..headerLength]))
        {
            reason = "the JWS header must be exactly {\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\"]} (an unencoded, detached payload)";
            return false;
        }

        var bytes = new byte[SignatureLength];
        if (!Base64UrlStrict.TryDecodeExact(value.AsSpan(first + 2), bytes))
        {
            reason = "the JWS signature is not a base64url 64-byte Ed25519 signature";
            return false;
        }

        // The signing input starts with ASCII(BASE64URL(header) || '.'), as written in the proof.
        signature = new ProofSignature(bytes, Encoding.ASCII.GetBytes(value[..(first + 1)]));
        reason = string.Empty;
        return true;
    }

    public KeyMismatch? CheckKey(VerificationKey key, in ProofSignature signature)
        => key is Ed25519PublicKey ? null : SuiteText.WrongKey(key, KeyDescription);

    public RdfcHashAlgorithm HashFor(VerificationKey key) => RdfcHashAlgorithm.Sha256;

    public bool Verify(VerificationKey key, ReadOnlySpan<byte> hashData, in ProofSignature signature)
    {
        if (key is not Ed25519PublicKey)
        {
            return false;
        }

        ReadOnlySpan<byte> prefix = signature.SigningInputPrefix.Span;
        byte[] input = new byte[prefix.Length + hashData.Length];
        prefix.CopyTo(input);
        hashData.CopyTo(input.AsSpan(prefix.Length));
        return key.Verify(input, signature.Value.Span);
    }

    public bool CanSign(KeyType keyType) => false;

    public string CreateProofValue(ReadOnlySpan<byte> hashData, SigningKey key)
        => throw new NotSupportedException("Ed25519Signature2018 proofs are verified here, never issued.");

    /// <summary>The header is a JSON object with exactly alg "EdDSA", b64 false and crit ["b64"].</summary>
    private static bool IsDetachedEdDsaHeader(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            int members = 0;
            bool alg = false, b64 = false, crit = false;
            foreach (JsonProperty p in root.EnumerateObject())
            {
                members++;
                if (p.NameEquals("alg"u8))
                {
                    alg = p.Value.ValueKind == JsonValueKind.String && p.Value.ValueEquals("EdDSA"u8);
                }
                else if (p.NameEquals("b64"u8))
                {
                    b64 = p.Value.ValueKind == JsonValueKind.False;
                }
                else if (p.NameEquals("crit"u8))
                {
                    crit = p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 1
                        && p.Value[0].ValueKind == JsonValueKind.String && p.Value[0].ValueEquals("b64"u8);
                }
            }

            return members == 3 && alg && b64 && crit && reader.BytesConsumed == json.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
