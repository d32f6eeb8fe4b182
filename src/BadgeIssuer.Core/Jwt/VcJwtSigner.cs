// VC-JWT issuing for Open Badges 3.0 (OB 3.0 §8.2 "JSON Web Token Proof Format"; DIGEST JWT-1..4, T-10).
//   header  = {"alg":…,"typ":"JWT","kid"?:…,"jwk"?:…}   nothing else; jwk never has "d"
//   payload = the credential object, byte for byte, plus iss (issuer id), jti (id),
//             sub (credentialSubject.id, when present), nbf (validFrom), exp (validUntil, when present)
//   JWS     = BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)   (RFC 7515 compact)
// The credential is never re-serialized: its bytes are copied and the claims spliced in before the
// final '}', so an embedded proof added earlier (OB-DM-13) stays byte-identical.
// The signature comes from Microsoft.IdentityModel's SignatureProvider for the key (RSA and ECDsa its own, Ed25519
// through NSec, see NSecEdDsa.cs). JsonWebTokenHandler.CreateToken is not used: it re-serializes the payload
// (escaping non-ASCII text and reordering nothing we control), which would break the byte-identical credential.

using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.Core.Keys;
using Microsoft.IdentityModel.Tokens;

namespace BadgeIssuer.Core.Jwt;

/// <summary>Options for <see cref="VcJwtSigner"/>.</summary>
public sealed class VcJwtSignerOptions
{
    /// <summary>JWS <c>kid</c>: a verification method URL. Defaults to <see cref="SigningKey.KeyId"/>.</summary>
    public string? KeyId { get; init; }

    /// <summary>
    /// Embed the public key as <c>jwk</c>. Defaults to true when there is no key id (OB requires
    /// at least one of <c>kid</c>/<c>jwk</c>; the OB spec examples and the 1EdTech validator use <c>jwk</c>).
    /// </summary>
    public bool? IncludeJwk { get; init; }
}

/// <summary>Signs OB 3.0 / VCDM 2.0 credentials as VC-JWT (compact JWS). Thread-safe; reuse one per key.</summary>
public sealed class VcJwtSigner
{
    private const int MaxCredentialSize = VcJwtVerifierOptions.DefaultMaxTokenLength;
    private static readonly JsonWriterOptions s_claimWriterOptions = new()
    {
        // JSON, not HTML: keep URLs readable ('+', '&' unescaped); quotes, '\' and controls are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_claims;

    private readonly SigningKey _key;
    private readonly byte[] _encodedHeader;
    private readonly SignatureProvider _signatureProvider;

    /// <summary>The JWS <c>alg</c> of this signer's tokens: the one its key's type signs with (EdDSA, ES256 or RS256).</summary>
    public string Algorithm => _key.JwsAlgorithm;

    public VcJwtSigner(SigningKey key, VcJwtSignerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
        _signatureProvider = JwsLibrary.CreateSigningProvider(key);
        string? kid = options?.KeyId ?? key.KeyId;
        bool includeJwk = options?.IncludeJwk ?? kid is null;
        if (kid is null && !includeJwk)
        {
            throw new ArgumentException("A VC-JWT header needs a kid, a jwk or both (JWT-2).", nameof(options));
        }

        var header = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(header, s_claimWriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("alg"u8, key.JwsAlgorithm);
            writer.WriteString("typ"u8, "JWT"u8);
            if (kid is not null)
            {
                writer.WriteString("kid"u8, kid);
            }

            if (includeJwk)
            {
                writer.WritePropertyName("jwk"u8);
                key.PublicKey.WriteJwk(writer);
            }

            writer.WriteEndObject();
        }

        _encodedHeader = Base64Url.EncodeToUtf8(header.WrittenSpan);
        HeaderJson = Encoding.UTF8.GetString(header.WrittenSpan);
    }

    /// <summary>The JOSE header this signer writes (for logs and tests; contains no secrets).</summary>
    public string HeaderJson { get; }

    /// <summary>Signs <paramref name="credentialUtf8"/> (a credential JSON object); returns the compact JWS.</summary>
    /// <exception cref="ArgumentException">Not a JSON object, or a required member (id, issuer, validFrom) is missing or malformed.</exception>
    public string Sign(ReadOnlySpan<byte> credentialUtf8)
    {
        var output = new ArrayBufferWriter<byte>(EstimateLength(credentialUtf8.Length));
        Sign(credentialUtf8, output);
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }

    /// <summary>Signs a credential element (its original JSON bytes are used, not a re-serialization).</summary>
    public string Sign(JsonElement credential)
    {
        if (credential.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The credential must be a JSON object.", nameof(credential));
        }

        return Sign(JsonMarshal.GetRawUtf8Value(credential));
    }

    /// <summary>Writes the compact JWS (ASCII) to <paramref name="destination"/>.</summary>
    public void Sign(ReadOnlySpan<byte> credentialUtf8, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        credentialUtf8 = TrimWhitespace(credentialUtf8);
        if (credentialUtf8.Length > MaxCredentialSize)
        {
            throw new ArgumentException("The credential is larger than 1 MiB.", nameof(credentialUtf8));
        }

        CredentialFacts facts = CredentialFacts.Read(credentialUtf8);
        ReadOnlySpan<byte> claims = WriteClaims(facts);

        // payload = credential without its final '}' + ("," if not empty) + claims without their '{'.
        ReadOnlySpan<byte> body = credentialUtf8[..^1];
        bool empty = TrimWhitespace(body[1..]).IsEmpty;
        int payloadLength = body.Length + (empty ? 0 : 1) + claims.Length - 1;
        byte[] payload = ArrayPool<byte>.Shared.Rent(payloadLength);
        int signatureSize = _key.SignatureSize;
        int jwsLength = _encodedHeader.Length + 1 + Base64Url.GetEncodedLength(payloadLength) + 1 + Base64Url.GetEncodedLength(signatureSize);
        Span<byte> jws = destination.GetSpan(jwsLength);
        try
        {
            body.CopyTo(payload);
            int pos = body.Length;
            if (!empty)
            {
                payload[pos++] = (byte)',';
            }

            claims[1..].CopyTo(payload.AsSpan(pos));
            pos += claims.Length - 1;

            _encodedHeader.CopyTo(jws);
            int n = _encodedHeader.Length;
            jws[n++] = (byte)'.';
            n += Base64Url.EncodeToUtf8(payload.AsSpan(0, pos), jws[n..]);

            Span<byte> signature = stackalloc byte[1024];
            ObjectDisposedException.ThrowIf(_key.IsDisposedKey, _key);
            int signatureLength = JwsLibrary.Sign(_signatureProvider, jws[..n], signature);
            jws[n++] = (byte)'.';
            n += Base64Url.EncodeToUtf8(signature[..signatureLength], jws[n..]);
            destination.Advance(n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>One-off convenience: signs with a new <see cref="VcJwtSigner"/>.</summary>
    public static string Sign(SigningKey key, ReadOnlySpan<byte> credentialUtf8, VcJwtSignerOptions? options = null)
        => new VcJwtSigner(key, options).Sign(credentialUtf8);

    private static int EstimateLength(int credentialLength)
        => ((credentialLength + 1024) * 4 / 3) + 1024;

    private static ReadOnlySpan<byte> WriteClaims(in CredentialFacts facts)
    {
        ArrayBufferWriter<byte> buffer = t_claims ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, s_claimWriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss"u8, facts.Issuer);
            writer.WriteString("jti"u8, facts.Id);
            if (facts.SubjectId is not null)
            {
                writer.WriteString("sub"u8, facts.SubjectId);
            }

            writer.WriteNumber("nbf"u8, XsdDateTime.ToNumericDate(facts.ValidFrom));
            if (facts.ValidUntil is { } until)
            {
                writer.WriteNumber("exp"u8, XsdDateTime.ToNumericDate(until));
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan;
    }

    private static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value) => value.Trim(" \t\r\n"u8);

    /// <summary>The members of a credential that become JWT claims, read in one forward pass.</summary>
    private readonly struct CredentialFacts
    {
        public string Issuer { get; init; }

        public string Id { get; init; }

        public string? SubjectId { get; init; }

        public DateTimeOffset ValidFrom { get; init; }

        public DateTimeOffset? ValidUntil { get; init; }

        public static CredentialFacts Read(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = VcJwtVerifierOptions.DefaultMaxDepth });
            string? id = null, issuer = null, subject = null, validFrom = null, validUntil = null;
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw Bad("The credential must be a JSON object.");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("id"u8))
                    {
                        id = ReadString(ref reader, "id");
                    }
                    else if (reader.ValueTextEquals("issuer"u8))
                    {
                        reader.Read();
                        issuer = reader.TokenType == JsonTokenType.String ? reader.GetString() : ReadObjectId(ref reader);
                    }
                    else if (reader.ValueTextEquals("credentialSubject"u8))
                    {
                        reader.Read();
                        subject = ReadSubjectId(ref reader);
                    }
                    else if (reader.ValueTextEquals("validFrom"u8))
                    {
                        validFrom = ReadString(ref reader, "validFrom");
                    }
                    else if (reader.ValueTextEquals("validUntil"u8))
                    {
                        validUntil = ReadString(ref reader, "validUntil");
                    }
                    else if (reader.ValueTextEquals("iss"u8) || reader.ValueTextEquals("jti"u8) || reader.ValueTextEquals("sub"u8)
                        || reader.ValueTextEquals("nbf"u8) || reader.ValueTextEquals("exp"u8) || reader.ValueTextEquals("vc"u8))
                    {
                        throw Bad("The credential already has a JWT claim member (iss, jti, sub, nbf, exp or vc); sign the plain credential.");
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    throw Bad("The credential is not a single JSON object.");
                }
            }
            catch (JsonException ex)
            {
                throw new ArgumentException("The credential is not valid JSON: " + ex.Message, nameof(json), ex);
            }

            if (string.IsNullOrEmpty(id))
            {
                throw Bad("The credential has no 'id' (it becomes the jti claim; OB-DM-3).");
            }

            if (string.IsNullOrEmpty(issuer))
            {
                throw Bad("The credential has no issuer id (it becomes the iss claim).");
            }

            if (!XsdDateTime.TryParseWithZone(validFrom, out DateTimeOffset from))
            {
                throw Bad("The credential needs 'validFrom' as a date-time with time zone (it becomes nbf; OB-DM-5).");
            }

            DateTimeOffset? until = null;
            if (validUntil is not null)
            {
                until = XsdDateTime.TryParseWithZone(validUntil, out DateTimeOffset u)
                    ? u
                    : throw Bad("'validUntil' must be a date-time with time zone.");
            }

            return new CredentialFacts { Id = id, Issuer = issuer, SubjectId = subject, ValidFrom = from, ValidUntil = until };
        }

        private static string? ReadString(ref Utf8JsonReader reader, string name)
        {
            reader.Read();
            return reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Bad($"'{name}' must be a string.");
        }

        private static string? ReadObjectId(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                return null;
            }

            string? id = null;
            int depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
                {
                    bool isId = reader.ValueTextEquals("id"u8);
                    reader.Read();
                    if (isId && reader.TokenType == JsonTokenType.String)
                    {
                        id = reader.GetString();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }

            return id;
        }

        private static string? ReadSubjectId(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return ReadObjectId(ref reader);
            }

            // VCDM allows an array; sub is only meaningful for exactly one subject.
            string? id = null;
            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                count++;
                id = ReadObjectId(ref reader);
            }

            return count == 1 ? id : null;
        }

        private static ArgumentException Bad(string message) => new(message);
    }
}
