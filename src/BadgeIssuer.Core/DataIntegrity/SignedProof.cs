// A proof's options are signed as RDF (the canonical proof configuration), but read as JSON: "expires" renamed to
// its IRI, or "challenge" spelled through an added alias, keeps the signature and hides the member from a reader of
// names. So each member of the proof's JSON (but @context and the suite's unsigned members: proofValue, jws) must be, by its name, exactly the value the
// signed proof configuration gives that name (rendered like the credential's signed view), and every member of the
// signed form must be in the JSON: what the verifier reads is what was signed, or the proof fails.

using System.Text.Json;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.Core.DataIntegrity;

internal static class SignedProof
{
    /// <summary>Null when the proof's JSON says what <paramref name="signedConfig"/> says; else the first difference.</summary>
    public static string? Mismatch(JsonElement proof, IReadOnlyList<RdfQuad> signedConfig, IReadOnlyList<string> unsigned)
    {
        JsonDocument view;
        try
        {
            view = SignedGraph.FromQuads(signedConfig).RenderSingleRoot();
        }
        catch (SignedGraphException ex)
        {
            return ex.Message;
        }

        using (view)
        {
            JsonElement signed = view.RootElement;
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty member in proof.EnumerateObject())
            {
                if (member.NameEquals("@context") || CryptosuiteSet.IsUnsigned(member, unsigned))
                {
                    continue;
                }

                named.Add(member.Name);
                if (!signed.TryGetProperty(member.Name, out JsonElement value) || !SameStrings(member.Value, value))
                {
                    return $"'{member.Name}' is not what the signature covers under that name (write each proof option as its plain term, e.g. created, with a plain string value)";
                }
            }

            foreach (JsonProperty member in signed.EnumerateObject())
            {
                if (!named.Contains(member.Name))
                {
                    return $"the signature covers '{member.Name}', which the proof's JSON does not show under that name (write it as that plain term)";
                }
            }
        }

        return null;
    }

    // A string, or strings in any order (a set): the forms a proof option takes.
    private static bool SameStrings(JsonElement json, JsonElement signed)
    {
        List<string>? a = Strings(json);
        List<string>? b = Strings(signed);
        return a is not null && b is not null && a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    private static List<string>? Strings(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var list = new List<string>();
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            list.Add(item.GetString()!);
        }

        return list;
    }
}
