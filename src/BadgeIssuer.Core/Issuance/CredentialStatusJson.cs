using System.Buffers;
using BadgeIssuer.Core;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Issuance;

/// <summary>Writes a credential's <c>credentialStatus</c> value for <see cref="ICredentialTemplate.Build"/>.</summary>
public static class CredentialStatusJson
{
    private static readonly JsonWriterOptions s_writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The entries as UTF-8 JSON: one entry as an object (the OB schema's 0..1 <c>credentialStatus</c>, trap T-8),
    /// several as an array. Each entry's <c>id</c> is its <see cref="BitstringStatusListEntry.DefaultId"/> unless it has one.
    /// </summary>
    /// <exception cref="ArgumentException">No entries.</exception>
    public static byte[] Write(IReadOnlyList<BitstringStatusListEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfZero(entries.Count, nameof(entries));
        var buffer = JsonScratch.Rent();
        using (var w = new Utf8JsonWriter(buffer, s_writer))
        {
            if (entries.Count > 1)
            {
                w.WriteStartArray();
            }

            foreach (BitstringStatusListEntry entry in entries)
            {
                entry.WriteTo(w, entry.Id ?? entry.DefaultId);
            }

            if (entries.Count > 1)
            {
                w.WriteEndArray();
            }
        }

        return JsonScratch.ToArrayAndReturn(buffer);
    }
}
