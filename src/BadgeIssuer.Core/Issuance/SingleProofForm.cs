using System.Text.Json;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// How a signed document carries its proof: one proof as an object (<c>"proof": {…}</c>), as the W3C VC-API and most
/// VC 2.0 clients expect and JSON-LD compaction writes it; a proof set (two or more) as an array. The Data Integrity
/// signer writes an array; <see cref="Unwrap"/> turns a one-element array into its object by splicing bytes, so every
/// other byte of the document stays as signed (the proof graph, and so the signature, is the same either way).
/// </summary>
/// <remarks>
/// Open Badges 3.0 allows the single-object form (OB 3.0 §serialization: the compacted JSON-LD form, SER-3); its
/// canonical JSON Schema (VC 2.0 build) types <c>proof</c> as an array, its compaction-tolerant schemas accept both,
/// and this verifier validates a single <c>proof</c> as a one-element array.
/// </remarks>
internal static class SingleProofForm
{
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
