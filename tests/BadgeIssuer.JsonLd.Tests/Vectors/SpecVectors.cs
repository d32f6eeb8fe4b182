using System.Text.Json;
using System.Text.Json.Nodes;

namespace BadgeIssuer.JsonLd.Tests.Vectors;

/// <summary>
/// The published (JSON input, canonical N-Quads) pairs under <c>TestData/vectors</c>. Documents are canonicalized
/// without <c>proof</c>; proof configurations are the proof options (or a signed proof without
/// <c>proofValue</c>) carrying the document's <c>@context</c>, as eddsa-rdfc-2022 and Ed25519Signature2020 define.
/// </summary>
public static class SpecVectors
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "vectors");

    /// <summary>Case name → (how to build the JSON input, path of the expected N-Quads).</summary>
    public static IReadOnlyDictionary<string, (Func<JsonObject> Input, string Expected)> Cases { get; } = Build();

    public static TheoryData<string> Names => new(Cases.Keys);

    public static JsonObject ReadObject(string relative)
        => JsonNode.Parse(File.ReadAllBytes(Path.Combine(Root, relative)))!.AsObject();

    public static string ReadText(string relative)
        => File.ReadAllText(Path.Combine(Root, relative));

    /// <summary>The document without its <c>proof</c> member.</summary>
    public static JsonObject WithoutProof(JsonObject document)
    {
        JsonObject copy = document.DeepClone().AsObject();
        copy.Remove("proof");
        return copy;
    }

    /// <summary>The proof configuration: the proof (single or sole array item) without <c>proofValue</c>, with <paramref name="context"/> as <c>@context</c>.</summary>
    public static JsonObject ProofConfiguration(JsonNode proof, JsonNode context)
    {
        JsonObject config = (proof is JsonArray array ? array.Should().ContainSingle().Which! : proof).DeepClone().AsObject();
        config.Remove("proofValue");
        config["@context"] = context.DeepClone();
        return config;
    }

    private static Dictionary<string, (Func<JsonObject>, string)> Build()
    {
        var cases = new Dictionary<string, (Func<JsonObject>, string)>(StringComparer.Ordinal);

        // W3C vc-di-eddsa: eddsa-rdfc-2022 (alumni credential), its employ/ variant, and Ed25519Signature2020.
        const string Di = "w3c-vc-di-eddsa/";
        AddW3c(cases, "eddsa-rdfc-2022", Di + "unsigned.json", Di + "eddsa-rdfc-2022/signedDataInt.json",
            Di + "eddsa-rdfc-2022/proofConfigDataInt.json", Di + "eddsa-rdfc-2022/canonDocDataInt.txt", Di + "eddsa-rdfc-2022/proofCanonDataInt.txt");
        AddW3c(cases, "eddsa-rdfc-2022-employ", Di + "employmentAuth.json", Di + "eddsa-rdfc-2022/employ/signedDataInt.json",
            Di + "eddsa-rdfc-2022/employ/proofConfigDataInt.json", Di + "eddsa-rdfc-2022/employ/canonDocDataInt.txt", Di + "eddsa-rdfc-2022/employ/proofCanonDataInt.txt");

        // Ed25519Signature2020 publishes no unsigned file: the document is the signed one without its proof.
        const string Ed = Di + "Ed25519Signature2020/";
        cases.Add("Ed25519Signature2020 document", (() => WithoutProof(ReadObject(Ed + "signedEdSig.json")), Ed + "canonDocEdSig.txt"));
        cases.Add("Ed25519Signature2020 proof config", (() => ReadObject(Ed + "proofConfigEdSig.json"), Ed + "proofCanonEdSig.txt"));
        cases.Add("Ed25519Signature2020 proof config from signed", (() => FromSignedProof(Ed + "signedEdSig.json"), Ed + "proofCanonEdSig.txt"));

        // 1EdTech implementation-guide vectors: proof-options.json has no @context; the credential's is added.
        foreach (string guide in new[] { "ob-v3p0-impl-guide-eddsa-rdfc-2022", "clr-v2p0-impl-guide-eddsa-rdfc-2022" })
        {
            string g = guide + "/";
            cases.Add($"{guide} document", (() => ReadObject(g + "credential.unsigned.json"), g + "document-canon.nq"));
            cases.Add($"{guide} signed document", (() => WithoutProof(ReadObject(g + "credential.signed.json")), g + "document-canon.nq"));
            cases.Add($"{guide} proof options", (() => ProofConfiguration(ReadObject(g + "proof-options.json"), ReadObject(g + "credential.unsigned.json")["@context"]!), g + "proof-canon.nq"));
            cases.Add($"{guide} proof config from signed", (() => FromSignedProof(g + "credential.signed.json"), g + "proof-canon.nq"));
        }

        return cases;
    }

    private static void AddW3c(Dictionary<string, (Func<JsonObject>, string)> cases, string name, string unsigned, string signed, string proofConfig, string canonDoc, string canonProof)
    {
        cases.Add($"{name} document", (() => ReadObject(unsigned), canonDoc));
        cases.Add($"{name} signed document", (() => WithoutProof(ReadObject(signed)), canonDoc));
        cases.Add($"{name} proof config", (() => ReadObject(proofConfig), canonProof));
        cases.Add($"{name} proof config from signed", (() => FromSignedProof(signed), canonProof));
    }

    private static JsonObject FromSignedProof(string signed)
    {
        JsonObject document = ReadObject(signed);
        return ProofConfiguration(document["proof"]!, document["@context"]!);
    }

    /// <summary>Serializes <paramref name="node"/> and parses it back as a <see cref="JsonElement"/>.</summary>
    public static JsonElement ToElement(JsonNode node)
    {
        using JsonDocument doc = JsonDocument.Parse(node.ToJsonString());
        return doc.RootElement.Clone();
    }
}
