using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// What <see cref="NodeInterop.VerifyAsync"/> hands to <c>tests/interop/verify.mjs</c>: credentials to verify, the
/// documents its offline loader may serve (DID / controller documents, status list credentials, by URL) and the
/// clock. Contexts come from <c>src/BadgeIssuer.JsonLd/Contexts</c>; did:key is derived; every other URL fails.
/// </summary>
public sealed class InteropJob
{
    private readonly List<Item> _items = [];
    private readonly Dictionary<string, byte[]> _documents = new(StringComparer.Ordinal);

    /// <summary>The verifier's clock for validFrom/validUntil and nbf/exp (null: the real clock).</summary>
    public DateTimeOffset? Now { get; init; }

    public IReadOnlyList<Item> Items => _items;

    public IReadOnlyDictionary<string, byte[]> Documents => _documents;

    /// <summary>A credential secured with an <c>eddsa-rdfc-2022</c> Data Integrity proof (UTF-8 JSON).</summary>
    public InteropJob AddDataIntegrity(ReadOnlySpan<byte> credentialJson)
    {
        _items.Add(new Item("di", credentialJson.ToArray(), PublicJwk: null));
        return this;
    }

    /// <inheritdoc cref="AddDataIntegrity(ReadOnlySpan{byte})"/>
    public InteropJob AddDataIntegrity(string credentialJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(credentialJson);
        return AddDataIntegrity(Encoding.UTF8.GetBytes(credentialJson));
    }

    /// <summary>
    /// A compact VC-JWT. With <paramref name="publicJwk"/> (UTF-8 JSON object) jose verifies with that key; without it
    /// the header <c>kid</c> is resolved through the loader (did:key, or a VM in a document given to <see cref="AddDocument"/>).
    /// </summary>
    public InteropJob AddJwt(string compactJws, ReadOnlySpan<byte> publicJwk = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(compactJws);
        _items.Add(new Item("jwt", Encoding.ASCII.GetBytes(compactJws), publicJwk.IsEmpty ? null : publicJwk.ToArray()));
        return this;
    }

    /// <summary>Compares the bundled contexts with the JS packages' copies of the same URLs.</summary>
    public InteropJob AddContextsCheck()
    {
        _items.Add(new Item("contexts", Content: null, PublicJwk: null));
        return this;
    }

    /// <summary>A document the loader serves for <paramref name="url"/> (a DID, an https controller document, a status list credential).</summary>
    public InteropJob AddDocument(string url, ReadOnlySpan<byte> json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        _documents[url] = json.ToArray();
        return this;
    }

    /// <summary>Writes job.json and its files into <paramref name="folder"/>; returns the job file's path.</summary>
    internal string WriteTo(string folder)
    {
        using var job = new MemoryStream();
        using (var writer = new Utf8JsonWriter(job, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            if (Now is DateTimeOffset now)
            {
                writer.WriteString("now", now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }

            writer.WriteStartObject("documents");
            int d = 0;
            foreach ((string url, byte[] json) in _documents)
            {
                string file = $"document-{d++.ToString(CultureInfo.InvariantCulture)}.json";
                File.WriteAllBytes(Path.Combine(folder, file), json);
                writer.WriteString(url, file);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("items");
            for (int i = 0; i < _items.Count; i++)
            {
                Item item = _items[i];
                writer.WriteStartObject();
                writer.WriteString("kind", item.Kind);
                if (item.Content is not null)
                {
                    string file = $"item-{i.ToString(CultureInfo.InvariantCulture)}.{(string.Equals(item.Kind, "jwt", StringComparison.Ordinal) ? "jwt" : "json")}";
                    File.WriteAllBytes(Path.Combine(folder, file), item.Content);
                    writer.WriteString("file", file);
                }

                if (item.PublicJwk is not null)
                {
                    writer.WritePropertyName("publicJwk");
                    using JsonDocument jwk = JsonDocument.Parse(item.PublicJwk);
                    jwk.RootElement.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        string path = Path.Combine(folder, "job.json");
        File.WriteAllBytes(path, job.ToArray());
        return path;
    }

    /// <summary>One thing to verify.</summary>
    public sealed record Item(string Kind, byte[]? Content, byte[]? PublicJwk);
}

/// <summary>One entry of verify.mjs's output.</summary>
public sealed class InteropResult
{
    public required int Index { get; init; }

    public required string Kind { get; init; }

    /// <summary>
    /// The JS verdict. For <c>di</c>: @digitalbazaar/vc verifyCredential (proof, issuer = key controller, dates, and
    /// the status check having run). For <c>jwt</c>: jose signature and nbf/exp, header typ, payload shape, claims.
    /// A set status bit does not make this false: read <see cref="Revoked"/>.
    /// </summary>
    public required bool Verified { get; init; }

    public required IReadOnlyList<string> Errors { get; init; }

    /// <summary>True when every BitstringStatusListEntry was checked: list credential verified, bit read by the library and by zlib alike.</summary>
    public required bool StatusChecked { get; init; }

    /// <summary>A revocation bit is set (null: no revocation entry, or its bit could not be read).</summary>
    public bool? Revoked { get; init; }

    public bool? Suspended { get; init; }

    /// <summary>This result as verify.mjs wrote it (statuses, loaded URLs, JWT header and claims), for messages.</summary>
    public required string Json { get; init; }

    public override string ToString() => Json;

    internal static IReadOnlyList<InteropResult> ParseAll(string output)
    {
        using JsonDocument document = JsonDocument.Parse(output);
        var results = new List<InteropResult>();
        foreach (JsonElement r in document.RootElement.EnumerateArray())
        {
            var errors = new List<string>();
            if (r.TryGetProperty("errors", out JsonElement list))
            {
                foreach (JsonElement e in list.EnumerateArray())
                {
                    errors.Add(e.GetString() ?? "");
                }
            }

            results.Add(new InteropResult
            {
                Index = r.GetProperty("index").GetInt32(),
                Kind = r.GetProperty("kind").GetString() ?? "",
                Verified = r.GetProperty("verified").GetBoolean(),
                Errors = errors,
                StatusChecked = r.TryGetProperty("statusChecked", out JsonElement sc) && sc.ValueKind == JsonValueKind.True,
                Revoked = OptionalBool(r, "revoked"),
                Suspended = OptionalBool(r, "suspended"),
                Json = r.GetRawText(),
            });
        }

        return results;
    }

    private static bool? OptionalBool(JsonElement r, string name)
        => r.TryGetProperty(name, out JsonElement v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
