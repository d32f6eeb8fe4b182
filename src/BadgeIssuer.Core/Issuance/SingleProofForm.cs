using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// How a signed document carries a single proof. The Data Integrity signer writes an array; <see cref="Unwrap"/> turns a
/// one-element array into its object by splicing bytes, so every other byte of the document stays as signed (the proof
/// graph, and so the signature, is the same either way). A proof set (two or more) always stays an array.
/// </summary>
/// <remarks>
/// <see cref="For"/> chooses by the credential's family. Open Badges 3.0 and CLR 2.0 credentials keep the one-element
/// array: OB 3.0 Appendix A.1 has collections written as arrays in plain JSON, its canonical JSON Schemas (VC 2.0 build)
/// type <c>proof</c> as an array, and 1EdTech's validator checks embedded proofs against them; the single-object form is
/// only the compacted JSON-LD form those specifications allow (SER-3). Every other credential (plain VCs from
/// <c>POST /credentials/issue</c>, status list credentials, presentations) gets an object, as the W3C VC-API and most
/// VC 2.0 clients expect and JSON-LD compaction writes it. The verifier accepts either form for every credential.
/// </remarks>
internal static class SingleProofForm
{
    /// <summary>
    /// <paramref name="signed"/> as issued for <paramref name="credential"/>: unchanged for an Open Badges 3.0
    /// (OpenBadgeCredential/AchievementCredential, EndorsementCredential) or CLR 2.0 credential, <see cref="Unwrap"/>ped
    /// for any other.
    /// </summary>
    public static byte[] For(JsonElement credential, byte[] signed)
        => CredentialProfiles.Detect(credential) is CredentialProfile.OpenBadge or CredentialProfile.Endorsement or CredentialProfile.Clr
            ? signed
            : Unwrap(signed);

    /// <summary>
    /// <paramref name="signed"/> with a top-level <c>proof</c> array of exactly one object written as that object; the
    /// same array when the document has no such member (no proof, or a proof set).
    /// </summary>
    public static byte[] Unwrap(byte[] signed)
    {
        var reader = new Utf8JsonReader(signed, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return signed;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isProof = reader.ValueTextEquals("proof"u8);
            reader.Read();
            if (!isProof || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            int arrayStart = (int)reader.TokenStartIndex;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return signed;
            }

            int objectStart = (int)reader.TokenStartIndex;
            reader.Skip();
            int objectEnd = (int)reader.BytesConsumed;
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                return signed; // a proof set: two or more proofs stay an array
            }

            int arrayEnd = (int)reader.BytesConsumed;
            var output = new byte[signed.Length - (arrayEnd - arrayStart) + (objectEnd - objectStart)];
            signed.AsSpan(0, arrayStart).CopyTo(output);
            signed.AsSpan(objectStart, objectEnd - objectStart).CopyTo(output.AsSpan(arrayStart));
            signed.AsSpan(arrayEnd).CopyTo(output.AsSpan(arrayStart + objectEnd - objectStart));
            return output;
        }

        return signed;
    }
}
