using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// What <see cref="NodeInterop.SignAsync"/> hands to <c>tests/interop/sign.mjs</c>: the seed every key is derived
/// from, the proof date, the credential overrides, status lists to sign, and one item per credential to issue.
/// The credential is <c>samples/ob-credential.json</c> with the issuer id replaced by the derived DID.
/// </summary>
public sealed class InteropSignJob
{
    private readonly List<Item> _items = [];
    private readonly List<StatusList> _statusLists = [];

    /// <summary>32 bytes as 64 hex digits; the same seed always yields the same keys, DIDs and (except ES256) signatures.</summary>
    public required string Seed { get; init; }

    /// <summary>The proofs' <c>created</c> and the status lists' <c>validFrom</c>.</summary>
    public DateTimeOffset Created { get; init; } = new(2025, 3, 1, 9, 0, 5, TimeSpan.Zero);

    /// <summary>credentialSubject.id (and the JWT <c>sub</c>); null keeps the sample's identifier-only subject.</summary>
    public string? SubjectId { get; init; }

    /// <summary>The credential to sign (written next to job.json as <c>credentialFile</c>); null signs samples/ob-credential.json.</summary>
    public string? CredentialJson { get; init; }

    public IReadOnlyList<Item> Items => _items;

    public IReadOnlyList<StatusList> StatusLists => _statusLists;

    /// <summary>A Data Integrity credential: <c>eddsa-rdfc-2022</c> (DataIntegrityProof) or <c>Ed25519Signature2020</c>.</summary>
    public InteropSignJob AddDataIntegrity(string suite, params StatusEntry[] status)
    {
        _items.Add(new Item("di", suite, Alg: null, KeyRef: null, status));
        return this;
    }

    /// <summary>A VC-JWT (<c>EdDSA</c> with a did:key issuer, <c>ES256</c>/<c>RS256</c> with a did:jwk issuer); the key by <c>kid</c> or an embedded <c>jwk</c>.</summary>
    public InteropSignJob AddJwt(string alg, string keyRef = "kid", params StatusEntry[] status)
    {
        _items.Add(new Item("jwt", Suite: null, alg, keyRef, status));
        return this;
    }

    /// <summary>A BitstringStatusListCredential signed (eddsa-rdfc-2022) by the Ed25519 issuer, with <paramref name="set"/> bits set.</summary>
    public InteropSignJob AddStatusList(string url, string statusPurpose, params int[] set)
    {
        _statusLists.Add(new StatusList(url, statusPurpose, set));
        return this;
    }

    /// <summary>Writes job.json into <paramref name="folder"/>; returns its path.</summary>
    internal string WriteTo(string folder)
    {
        using var job = new MemoryStream();
        using (var writer = new Utf8JsonWriter(job, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("seed", Seed);
            writer.WriteString("created", Created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            if (SubjectId is not null)
            {
                writer.WriteString("subjectId", SubjectId);
            }

            if (CredentialJson is not null)
            {
                File.WriteAllText(Path.Combine(folder, "credential.json"), CredentialJson);
                writer.WriteString("credentialFile", "credential.json");
            }

            writer.WriteStartArray("statusLists");
            foreach (StatusList list in _statusLists)
            {
                writer.WriteStartObject();
                writer.WriteString("url", list.Url);
                writer.WriteString("statusPurpose", list.StatusPurpose);
                writer.WriteStartArray("set");
                foreach (int index in list.Set)
                {
                    writer.WriteNumberValue(index);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("items");
            foreach (Item item in _items)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", item.Kind);
                if (item.Suite is not null)
                {
                    writer.WriteString("suite", item.Suite);
                }

                if (item.Alg is not null)
                {
                    writer.WriteString("alg", item.Alg);
                }

                if (item.KeyRef is not null)
                {
                    writer.WriteString("keyRef", item.KeyRef);
                }

                writer.WriteStartArray("status");
                foreach (StatusEntry entry in item.Status)
                {
                    writer.WriteStartObject();
                    writer.WriteString("list", entry.List);
                    writer.WriteNumber("index", entry.Index);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        string path = Path.Combine(folder, "job.json");
        File.WriteAllBytes(path, job.ToArray());
        return path;
    }

    public sealed record Item(string Kind, string? Suite, string? Alg, string? KeyRef, IReadOnlyList<StatusEntry> Status);

    public sealed record StatusList(string Url, string StatusPurpose, IReadOnlyList<int> Set);

    /// <summary>A BitstringStatusListEntry pointing at bit <paramref name="Index"/> of the job's list <paramref name="List"/>.</summary>
    public sealed record StatusEntry(string List, int Index);
}

/// <summary>What sign.mjs wrote: the derived keys, the signed status lists and one signed credential per item.</summary>
public sealed class InteropSignOutput
{
    public required IReadOnlyDictionary<string, IssuedKey> Keys { get; init; }

    public required IReadOnlyList<SignedStatusList> StatusLists { get; init; }

    public required IReadOnlyList<JsIssuedCredential> Items { get; init; }

    internal static InteropSignOutput Parse(string output)
    {
        using JsonDocument document = JsonDocument.Parse(output);
        JsonElement root = document.RootElement;
        var keys = new Dictionary<string, IssuedKey>(StringComparer.Ordinal);
        foreach (JsonProperty key in root.GetProperty("keys").EnumerateObject())
        {
            keys[key.Name] = new IssuedKey(
                key.Value.GetProperty("issuer").GetString()!,
                key.Value.GetProperty("verificationMethod").GetString()!,
                key.Value.GetProperty("publicJwk").GetRawText());
        }

        var lists = new List<SignedStatusList>();
        foreach (JsonElement list in root.GetProperty("statusLists").EnumerateArray())
        {
            lists.Add(new SignedStatusList(list.GetProperty("url").GetString()!, list.GetProperty("issuer").GetString()!, list.GetProperty("document").GetString()!));
        }

        var items = new List<JsIssuedCredential>();
        foreach (JsonElement item in root.GetProperty("items").EnumerateArray())
        {
            JsonElement selfCheck = item.GetProperty("selfCheck");
            items.Add(new JsIssuedCredential
            {
                Index = item.GetProperty("index").GetInt32(),
                Kind = item.GetProperty("kind").GetString()!,
                Suite = item.TryGetProperty("suite", out JsonElement suite) ? suite.GetString() : null,
                Alg = item.TryGetProperty("alg", out JsonElement alg) ? alg.GetString() : null,
                KeyRef = item.TryGetProperty("keyRef", out JsonElement keyRef) ? keyRef.GetString() : null,
                Issuer = item.GetProperty("issuer").GetString()!,
                VerificationMethod = item.GetProperty("verificationMethod").GetString()!,
                PublicJwk = item.GetProperty("publicJwk").GetRawText(),
                Format = item.GetProperty("format").GetString()!,
                Document = item.GetProperty("document").GetString()!,
                SelfVerified = selfCheck.GetProperty("verified").GetBoolean(),
                SelfCheckErrors = [.. selfCheck.GetProperty("errors").EnumerateArray().Select(e => e.GetString() ?? "")],
            });
        }

        return new InteropSignOutput { Keys = keys, StatusLists = lists, Items = items };
    }

    public sealed record IssuedKey(string Issuer, string VerificationMethod, string PublicJwk);

    /// <summary>A BitstringStatusListCredential signed by the JS stack; <paramref name="Document"/> is its JSON text.</summary>
    public sealed record SignedStatusList(string Url, string Issuer, string Document);
}

/// <summary>One credential issued by the JavaScript stack.</summary>
public sealed class JsIssuedCredential
{
    public required int Index { get; init; }

    /// <summary><c>di</c> or <c>jwt</c>.</summary>
    public required string Kind { get; init; }

    public string? Suite { get; init; }

    public string? Alg { get; init; }

    public string? KeyRef { get; init; }

    public required string Issuer { get; init; }

    public required string VerificationMethod { get; init; }

    public required string PublicJwk { get; init; }

    /// <summary><c>json</c> (Data Integrity) or <c>jwt</c> (compact JWS).</summary>
    public required string Format { get; init; }

    /// <summary>The exact text the JS stack produced: indented JSON or the compact JWS.</summary>
    public required string Document { get; init; }

    /// <summary>The JS stack verified its own output (vc.verifyCredential with the same suite, or jose.jwtVerify).</summary>
    public required bool SelfVerified { get; init; }

    public required IReadOnlyList<string> SelfCheckErrors { get; init; }

    public override string ToString() => $"{Kind} {Suite ?? Alg} ({KeyRef ?? "proof"}) by {Issuer}";
}
