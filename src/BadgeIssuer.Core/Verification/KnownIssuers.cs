// A local trust list of issuers (issue 5 "Issuer keys and trust policy"; DIGEST KEY-4, KEY-5, T-12).
// File: a JSON array, one entry per issuer:
//   { "id": "<issuer id>", "name"?: "...",
//     "didDocument" | "controllerDocument": { ...DID / controller document whose id is the issuer id... } }
//   { "id": ..., "name"?: ..., "verificationMethod": "<id>#<fragment>" (or "#<fragment>"),
//     "publicKeyMultibase": "z6Mk…" | "publicKeyJwk": { ... } }
//   { "id": ..., "name"?: ... }                       (known, keys self-certifying or hosted elsewhere)
// A bare key is registered as a Multikey / JsonWebKey method under assertionMethod. Documents are parsed once,
// when the list is loaded (LocalControllerRegistry); lookups are dictionary reads.

using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Verification;

/// <summary>
/// An issuer known here with its key document: one of a <see cref="KnownIssuers"/> list, or an issuer hosted by this
/// service (<see cref="CredentialVerifierOptions.FindHostedIssuer"/>).
/// </summary>
public sealed class KnownIssuer
{
    public KnownIssuer(string id, string? name, IReadOnlyList<ResolvedVerificationMethod> verificationMethods)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(verificationMethods);
        Id = id;
        Name = name;
        VerificationMethods = verificationMethods;
    }

    /// <summary>The issuer id (a URL or DID), as credentials name it.</summary>
    public string Id { get; }

    /// <summary>A display name from the list, when given.</summary>
    public string? Name { get; }

    /// <summary>The issuer's keys from its key document (empty when the entry names no document or key).</summary>
    public IReadOnlyList<ResolvedVerificationMethod> VerificationMethods { get; }

    /// <summary>The issuer's verification method holding <paramref name="key"/> under <c>assertionMethod</c>, or null.</summary>
    public ResolvedVerificationMethod? FindAssertionKey(VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (ResolvedVerificationMethod method in VerificationMethods)
        {
            if (method.IsAuthorizedFor(VerificationRelationships.AssertionMethod) && method.PublicKey.HasSameKey(key))
            {
                return method;
            }
        }

        return null;
    }
}

/// <summary>
/// Issuers this verifier knows by id: partners and, in tests, the OB specification's fictional example issuers.
/// Resolves their verification methods and documents (<see cref="KeyProvenance.LocallyRegistered"/>) and drives
/// the <c>known-issuer</c> check. Immutable once loaded; thread-safe.
/// </summary>
public sealed class KnownIssuers : IVerificationMethodResolver, IDidResolver
{
    /// <summary>Largest accepted file.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>Most entries accepted in one file.</summary>
    public const int MaxEntries = 10_000;

    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    private readonly LocalControllerRegistry _registry = new();
    private readonly Dictionary<string, KnownIssuer> _issuers = new(StringComparer.Ordinal);

    // The same entries by IdentifierEquivalence.Key: an issuer is found by any equivalent spelling of its id.
    private readonly Dictionary<string, KnownIssuer> _byKey = new(StringComparer.Ordinal);

    private KnownIssuers()
    {
    }

    /// <summary>An empty list: every issuer is unknown.</summary>
    public static KnownIssuers Empty { get; } = new();

    public int Count => _issuers.Count;

    public IEnumerable<KnownIssuer> Issuers => _issuers.Values;

    /// <summary>Reads a known-issuers file (see the file header for the format).</summary>
    /// <exception cref="FormatException">The file is malformed; the message names the entry.</exception>
    public static KnownIssuers Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxFileBytes)
        {
            throw new FormatException($"The known-issuers file is larger than {MaxFileBytes} bytes.");
        }

        return Parse(File.ReadAllBytes(path));
    }

    /// <summary>Parses a known-issuers list from UTF-8 JSON.</summary>
    /// <exception cref="FormatException">The list is malformed; the message names the entry.</exception>
    public static KnownIssuers Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > MaxFileBytes)
        {
            throw new FormatException($"The known-issuers list is larger than {MaxFileBytes} bytes.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), s_options);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The known-issuers list is not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The known-issuers list must be a JSON array of issuer entries.");
            }

            if (document.RootElement.GetArrayLength() > MaxEntries)
            {
                throw new FormatException($"The known-issuers list has more than {MaxEntries} entries.");
            }

            var list = new KnownIssuers();
            int index = 0;
            foreach (JsonElement entry in document.RootElement.EnumerateArray())
            {
                try
                {
                    list.Add(entry);
                }
                catch (ArgumentException ex)
                {
                    throw new FormatException($"known issuer [{index}]: {ex.Message}", ex);
                }
                catch (KeyFormatException ex)
                {
                    throw new FormatException($"known issuer [{index}]: {ex.Message}", ex);
                }

                index++;
            }

            return list;
        }
    }

    /// <summary>True when <paramref name="issuerId"/> (in any equivalent spelling) is on the list.</summary>
    public bool Contains(string? issuerId) => Find(issuerId) is not null;

    /// <summary>
    /// The entry that <paramref name="issuerId"/> names, or null: its id as listed or any equivalent spelling of it
    /// (<see cref="IdentifierEquivalence"/>: host case, default port, percent-encoding, trailing slash, http/https/did:web).
    /// </summary>
    public KnownIssuer? Find(string? issuerId)
    {
        if (issuerId is null)
        {
            return null;
        }

        return _issuers.TryGetValue(issuerId, out KnownIssuer? issuer) || _byKey.TryGetValue(IdentifierEquivalence.Key(issuerId), out issuer) ? issuer : null;
    }

    /// <summary>
    /// The issuer's verification method holding <paramref name="key"/> under <c>assertionMethod</c>, or null. Used for a
    /// VC-JWT that carries its key as a header <c>jwk</c>: the key is the issuer's only if the list says so.
    /// </summary>
    public ResolvedVerificationMethod? FindAssertionKey(string? issuerId, VerificationKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Find(issuerId)?.FindAssertionKey(key);
    }

    /// <summary>
    /// Resolves a method of a listed issuer's document, also when the method URL spells the issuer's id differently
    /// (the method is looked up as <c>&lt;listed id&gt;#&lt;fragment&gt;</c>, so only the listed document answers).
    /// </summary>
    public ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        DidDocumentWriter.Split(verificationMethodUrl, out string controller, out string? fragment);
        string listed = fragment is not null && Find(controller) is KnownIssuer issuer ? issuer.Id + "#" + fragment : verificationMethodUrl;
        return _registry.ResolveVerificationMethodAsync(listed, cancellationToken);
    }

    public ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(did);
        return _registry.ResolveDidAsync(Find(did)?.Id ?? did, cancellationToken);
    }

    private void Add(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("An entry must be a JSON object.");
        }

        string id = CredentialJson.StringMember(entry, "id"u8) ?? throw new ArgumentException("'id' (the issuer id) is required.");
        if (id.Contains('#', StringComparison.Ordinal) || !Uri.TryCreate(id, UriKind.Absolute, out _))
        {
            throw new ArgumentException($"'{id}' is not an absolute URL or DID without a fragment.");
        }

        if (_issuers.ContainsKey(id))
        {
            throw new ArgumentException($"'{id}' is listed twice.");
        }

        if (_byKey.TryGetValue(IdentifierEquivalence.Key(id), out KnownIssuer? same))
        {
            throw new ArgumentException($"'{id}' names the same issuer as '{same.Id}', which is listed already.");
        }

        string? name = null;
        if (entry.TryGetProperty("name"u8, out JsonElement nameValue))
        {
            name = nameValue.ValueKind == JsonValueKind.String ? nameValue.GetString() : throw new ArgumentException("'name' must be a string.");
        }

        bool hasDid = entry.TryGetProperty("didDocument"u8, out JsonElement didDocument);
        bool hasController = entry.TryGetProperty("controllerDocument"u8, out JsonElement controllerDocument);
        bool hasMultibase = entry.TryGetProperty("publicKeyMultibase"u8, out JsonElement multibase);
        bool hasJwk = entry.TryGetProperty("publicKeyJwk"u8, out JsonElement jwk);
        int forms = (hasDid ? 1 : 0) + (hasController ? 1 : 0) + (hasMultibase ? 1 : 0) + (hasJwk ? 1 : 0);
        if (forms > 1)
        {
            throw new ArgumentException("Give one of didDocument, controllerDocument, publicKeyMultibase or publicKeyJwk.");
        }

        byte[]? controller = null;
        if (hasDid || hasController)
        {
            JsonElement doc = hasDid ? didDocument : controllerDocument;
            if (doc.ValueKind != JsonValueKind.Object || !string.Equals(CredentialJson.StringMember(doc, "id"u8), id, StringComparison.Ordinal))
            {
                throw new ArgumentException("The document must be an object whose id is the issuer id.");
            }

            controller = Encoding.UTF8.GetBytes(doc.GetRawText());
        }
        else if (hasMultibase || hasJwk)
        {
            controller = BuildControllerDocument(entry, id, hasMultibase ? multibase : jwk, hasMultibase);
        }
        else if (entry.TryGetProperty("verificationMethod"u8, out _))
        {
            throw new ArgumentException("'verificationMethod' needs publicKeyMultibase or publicKeyJwk.");
        }

        List<ResolvedVerificationMethod> methods = [];
        if (controller is not null)
        {
            _registry.Register(controller);
            foreach (string vm in MethodIds(controller, id))
            {
                // The registry answers synchronously (an in-memory lookup).
                VerificationMethodResolution resolution = _registry.ResolveVerificationMethodAsync(vm).AsTask().GetAwaiter().GetResult();
                if (resolution.Method is ResolvedVerificationMethod method)
                {
                    methods.Add(method);
                }
            }
        }

        var issuer = new KnownIssuer(id, name, methods);
        _issuers[id] = issuer;
        _byKey[IdentifierEquivalence.Key(id)] = issuer;
    }

    // A one-key controller document: the method under assertionMethod (what an issuer's key is for).
    private static byte[] BuildControllerDocument(JsonElement entry, string id, JsonElement key, bool multibase)
    {
        string vm = CredentialJson.StringMember(entry, "verificationMethod"u8)
            ?? throw new ArgumentException("'verificationMethod' (the key's id, '<issuer id>#<fragment>') is required with a bare key.");
        if (vm.StartsWith('#'))
        {
            vm = id + vm;
        }

        if (!vm.StartsWith(id + "#", StringComparison.Ordinal) || vm.Length == id.Length + 1)
        {
            throw new ArgumentException("'verificationMethod' must be '<issuer id>#<fragment>'.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, id);
            writer.WriteStartArray("verificationMethod"u8);
            writer.WriteStartObject();
            writer.WriteString("id"u8, vm);
            writer.WriteString("controller"u8, id);
            if (multibase)
            {
                if (key.ValueKind != JsonValueKind.String)
                {
                    throw new ArgumentException("'publicKeyMultibase' must be a string.");
                }

                writer.WriteString("type"u8, "Multikey"u8);
                writer.WriteString("publicKeyMultibase"u8, key.GetString());
            }
            else
            {
                writer.WriteString("type"u8, "JsonWebKey"u8);
                writer.WritePropertyName("publicKeyJwk"u8);
                key.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteStartArray("assertionMethod"u8);
            writer.WriteStringValue(vm);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // The ids of the methods a (registered, so well-formed) document defines or embeds.
    private static List<string> MethodIds(byte[] controller, string id)
    {
        var ids = new List<string>();
        using JsonDocument doc = JsonDocument.Parse(controller, s_options);
        foreach (string member in (string[])["verificationMethod", "assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation", "keyAgreement"])
        {
            if (!doc.RootElement.TryGetProperty(member, out JsonElement value))
            {
                continue;
            }

            foreach (JsonElement item in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : Single(value))
            {
                string? vm = item.ValueKind == JsonValueKind.Object ? CredentialJson.StringMember(item, "id"u8) : null;
                if (vm is not null)
                {
                    vm = vm.StartsWith('#') ? id + vm : vm;
                    if (!ids.Contains(vm, StringComparer.Ordinal))
                    {
                        ids.Add(vm);
                    }
                }
            }
        }

        return ids;
    }

    private static IEnumerable<JsonElement> Single(JsonElement value)
    {
        yield return value;
    }
}
