using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace BadgeIssuer.Core.Verification;

/// <summary>
/// OB 3.0 §serialization (SER-3): in the compacted JSON-LD form <c>proof</c>, <c>credentialSchema</c>,
/// <c>termsOfUse</c> and <c>type</c> may be single values. This writes the array form of those members (at the top
/// level and, for <c>type</c>, on the issuer, the subject and its achievement, where the schema wants arrays) so the
/// canonical JSON Schema can judge the rest of the document.
/// </summary>
internal static class CompactedForm
{
    private static readonly string[] s_topLevel = ["proof", "credentialSchema", "termsOfUse", "type"];

    public static bool TryExpand(JsonElement credential, [NotNullWhen(true)] out JsonDocument? expanded, out string wrapped)
    {
        expanded = null;
        var names = new List<string>();
        if (credential.ValueKind != JsonValueKind.Object)
        {
            wrapped = string.Empty;
            return false;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteObject(w, credential, s_topLevel, string.Empty, names, depth: 0);
        }

        wrapped = string.Join(", ", names);
        if (names.Count == 0)
        {
            return false;
        }

        expanded = JsonDocument.Parse(buffer.WrittenMemory);
        return true;
    }

    /// <summary>
    /// The array form of exactly the members at <paramref name="pointers"/> (JSON pointers, from a schema's type
    /// violations) that SER-3 lets be single: a <c>type</c> anywhere, or the top-level <c>proof</c>,
    /// <c>credentialSchema</c> and <c>termsOfUse</c>. For nested classes the fixed walk of <see cref="TryExpand"/> does
    /// not reach (e.g. an achievement's <c>creator</c> Profile in a credential a CLR embeds). False when none applies.
    /// </summary>
    public static bool TryExpandAt(JsonElement credential, IEnumerable<string> pointers, [NotNullWhen(true)] out JsonDocument? expanded, out string wrapped)
    {
        expanded = null;
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (string pointer in pointers)
        {
            bool ser3 = pointer.EndsWith("/type", StringComparison.Ordinal) || Array.IndexOf(s_topLevel, pointer.TrimStart('/')) >= 0;
            if (ser3 && Schemas.JsonLocations.TryResolve(credential, pointer, out JsonElement value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Object)
            {
                targets.Add(pointer);
            }
        }

        var names = new List<string>();
        if (credential.ValueKind != JsonValueKind.Object || targets.Count == 0)
        {
            wrapped = string.Empty;
            return false;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteAt(w, credential, string.Empty, targets, names);
        }

        wrapped = string.Join(", ", names);
        expanded = JsonDocument.Parse(buffer.WrittenMemory);
        return true;
    }

    private static void WriteAt(Utf8JsonWriter w, JsonElement value, string pointer, HashSet<string> targets, List<string> names)
    {
        if (targets.Contains(pointer))
        {
            names.Add(pointer.TrimStart('/').Replace('/', '.'));
            w.WriteStartArray();
            value.WriteTo(w);
            w.WriteEndArray();
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (JsonProperty p in value.EnumerateObject())
                {
                    w.WritePropertyName(p.Name);
                    WriteAt(w, p.Value, Schemas.JsonLocations.AppendProperty(pointer, p.Name), targets, names);
                }

                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    WriteAt(w, item, Schemas.JsonLocations.AppendIndex(pointer, i++), targets, names);
                }

                w.WriteEndArray();
                break;
            default:
                value.WriteTo(w);
                break;
        }
    }

    private static void WriteObject(Utf8JsonWriter w, JsonElement obj, string[] wrap, string path, List<string> names, int depth)
    {
        w.WriteStartObject();
        foreach (JsonProperty p in obj.EnumerateObject())
        {
            w.WritePropertyName(p.Name);
            bool single = p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.String;
            if (single && Array.IndexOf(wrap, p.Name) >= 0)
            {
                names.Add(path + p.Name);
                w.WriteStartArray();
                p.Value.WriteTo(w);
                w.WriteEndArray();
            }
            else if (depth < 2 && p.Value.ValueKind == JsonValueKind.Object && p.Name is "issuer" or "credentialSubject" or "achievement")
            {
                WriteObject(w, p.Value, ["type"], path + p.Name + ".", names, depth + 1);
            }
            else
            {
                p.Value.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }
}
