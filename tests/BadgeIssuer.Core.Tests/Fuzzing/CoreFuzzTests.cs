using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Tests.Baking;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Tests.Fuzzing;
using BadgeIssuer.Core.Internal;

namespace BadgeIssuer.Core.Tests.Fuzzing;

/// <summary>
/// Seeded mutation fuzzing of Core's input parsers (see <c>tests/Shared/MutationFuzzer.cs</c>): every input ends as a
/// result or a documented exception, in bounded time. Seeds are the committed fixtures plus <c>Fuzz/regressions</c>.
/// </summary>
public sealed class CoreFuzzTests
{
    private static readonly string s_baked = Path.Combine("1edtech-validator-fixtures", "baked");

    [Fact]
    public void Fuzz_PngUnbake_OnlyBakingExceptions()
    {
        List<byte[]> seeds = [.. Fixtures("*.png"), PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", 1, 0, PngTestImages.Zlib("{\"a\":1}"u8.ToArray()))), .. MutationFuzzer.KeptInputs("png-unbake")];

        // Half the mutants get their chunk CRCs recomputed, so mutations reach past the CRC check into the chunk contents.
        MutationFuzzer.Run("png-unbake", seeds, 4000, input => BakedBadge.TryUnbake(input, out _, out _), IsBakingException,
            MutationFuzzer.Tokens("iTXt", "IEND", "IHDR", "openbadgecredential\0", "\0\u0001\0\0\0"),
            (random, png) => random.Next(2) == 0 ? FixCrcs(png) : png);
    }

    [Fact]
    public void Fuzz_SvgUnbake_OnlyBakingExceptions()
    {
        List<byte[]> seeds = [.. Fixtures("*.svg"), .. MutationFuzzer.KeptInputs("svg-unbake")];
        MutationFuzzer.Run("svg-unbake", seeds, 2500, input => BakedBadge.TryUnbake(input, out _, out _), IsBakingException,
            MutationFuzzer.Tokens("<!DOCTYPE svg [<!ENTITY a \"b\">]>", "&a;", "]]>", "<![CDATA[", "<openbadges:credential verify=\"a.b.c\"/>",
                "xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"", "</openbadges:credential>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>", "\uFEFF", "&#0;", "&#x10FFFF;"));
    }

    [Fact]
    public void Fuzz_MultibaseEd25519PublicKey_OnlyKeyFormatErrors()
    {
        List<byte[]> seeds =
        [
            "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"u8.ToArray(),
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"u8.ToArray(),
            "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"u8.ToArray(),
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"u8.ToArray(),
            .. MutationFuzzer.KeptInputs("multibase"),
        ];
        MutationFuzzer.Run("multibase", seeds, 8000, input =>
        {
            string text = Encoding.UTF8.GetString(input);
            Span<byte> key = stackalloc byte[32];
            _ = Multikey.TryDecodeEd25519PublicKey(text, key);
            _ = DidKey.TryParse(text, out _);
            _ = Multikey.DecodeEd25519PublicKey(text);
        }, ex => ex is KeyFormatException, MutationFuzzer.Tokens("z", "0", "O", "I", "l", "6Mk", "did:key:", "#", "111111"));
    }

    [Fact]
    public void Fuzz_MultikeyAnyPublicKey_ResultsNeverExceptions()
    {
        // Ed25519, P-256 and P-384 multikeys (compressed points: off-curve x, bad prefix, x ≥ p) and did:key around them.
        List<byte[]> seeds =
        [
            "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"u8.ToArray(),
            "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ"u8.ToArray(),
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"u8.ToArray(),
            "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP#zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"u8.ToArray(),
            .. MutationFuzzer.KeptInputs("multikey-any"),
        ];
        MutationFuzzer.Run("multikey-any", seeds, 4000, input =>
        {
            string text = Encoding.UTF8.GetString(input);
            if (Multikey.TryDecodePublicKey(text, out VerificationKey? key) == KeyFormatError.None)
            {
                key!.Dispose();
            }

            if (DidKey.TryParsePublicKey(text, out VerificationKey? parsed))
            {
                parsed.Dispose();
            }
        }, _ => false, MutationFuzzer.Tokens("z", "zDn", "z82", "6Mk", "did:key:", "#", "111111", "2", "3"));
    }

    [Fact]
    public void Fuzz_CryptosuiteSignatureDecoders_ResultsNeverExceptions()
    {
        // The proofValue of ecdsa-rdfc-2019 and the detached JWS of Ed25519Signature2018, as submitted.
        List<byte[]> seeds =
        [
            "zaHXrr7AQdydBk3ahpCDpWbxfLokDqmCToYm2dyWvpcFVyWooC2he63w1f7UNQoAMKdhaRtcnaE2KTo5o5vTCcfw"u8.ToArray(),
            "eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..UhmHR6qqZARkiHxdxL9nLehjXFTsJ4VXykKfIZAwcwYBskTX0IH_-8udCJwQW3KNbDwKFbTyHCuscbAQRn_ZAg"u8.ToArray(),
            .. MutationFuzzer.KeptInputs("cryptosuite-signature"),
        ];
        MutationFuzzer.Run("cryptosuite-signature", seeds, 4000, input =>
        {
            string text = Encoding.UTF8.GetString(input);
            foreach (IDataIntegrityCryptosuite suite in CryptosuiteSet.BuiltIn)
            {
                _ = suite.TryDecodeSignature(text, out _, out _);
            }
        }, _ => false, MutationFuzzer.Tokens(".", "..", "z", "eyJ", "=", "-", "_", "{\"alg\":\"EdDSA\"}"));
    }

    [Fact]
    public void Fuzz_VcJwtVerify_ResultsNeverExceptions()
    {
        List<byte[]> seeds = [.. Directory.GetFiles(TestFiles.PathOf("ob-v3p0-spec-examples"), "*.jwt").Order(StringComparer.Ordinal).Select(File.ReadAllBytes), .. MutationFuzzer.KeptInputs("vc-jwt")];
        var verifier = new VcJwtVerifier(new VcJwtVerifierOptions { ValidateLifetime = false });

        // Mutants of the compact text, and (half of them) of the decoded header or payload JSON, re-encoded, so the
        // JSON and claim checks see more than base64 errors.
        MutationFuzzer.Run("vc-jwt", seeds, 3000, input => verifier.Verify(Encoding.UTF8.GetString(input)), _ => false,
            MutationFuzzer.Tokens(".", "=", "\"alg\":\"none\"", "\"alg\":\"HS256\"", "\"crit\":[\"x\"]", "\"kid\":\"did:key:z6Mk\"", "\"alg\":\"alg\""),
            (random, jws) => random.Next(2) == 0 ? MutateDecodedPart(random, jws) : jws);
    }

    private static bool IsBakingException(Exception ex) => ex is BakingException;

    private static IEnumerable<byte[]> Fixtures(string pattern) =>
        Directory.GetFiles(TestFiles.PathOf(s_baked), pattern).Order(StringComparer.Ordinal).Select(File.ReadAllBytes);

    // Walks the chunks as far as their lengths allow and rewrites each CRC.
    private static byte[] FixCrcs(byte[] png)
    {
        byte[] copy = (byte[])png.Clone();
        int pos = 8;
        while (pos + 12 <= copy.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan(pos));
            if (length > (uint)(copy.Length - pos - 12))
            {
                break;
            }

            int end = pos + 8 + (int)length;
            BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(end), Crc32.Compute(copy.AsSpan(pos + 4, (int)length + 4)));
            pos = end + 4;
        }

        return copy;
    }

    private static byte[] MutateDecodedPart(Random random, byte[] jws)
    {
        string[] parts = Encoding.UTF8.GetString(jws).Split('.');
        if (parts.Length != 3)
        {
            return jws;
        }

        int which = random.Next(2);
        byte[] decoded;
        try
        {
            decoded = Base64Url.DecodeFromChars(parts[which]);
        }
        catch (FormatException)
        {
            return jws;
        }

        parts[which] = Base64Url.EncodeToString(MutationFuzzer.Mutate(random, [decoded], MutationFuzzer.Tokens("\"alg\":\"none\",", "\"jwk\":{},", "{", "[", "\"vc\":", "\"iss\":1,", "\\u0000", "\\ud800")));
        return Encoding.UTF8.GetBytes(string.Join('.', parts));
    }
}
