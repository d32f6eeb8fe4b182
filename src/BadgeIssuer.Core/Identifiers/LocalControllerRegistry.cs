// In-memory registry of controller documents the host trusts: its own issuers' did:web / https
// documents (KEY-3, KEY-4) and partners' documents from a local trust list. Nothing is fetched.
// Registering is a trust decision, so documents are checked conservatively:
//   - every verification method id is "<document id>#<fragment>" (relative "#frag" is resolved) and
//     its controller equals the document id;
//   - verificationMethod may be one object or an array (the 1EdTech validator accepts both);
//   - relationship entries are references (absolute or "#frag") or embedded methods;
//   - methods of unsupported types (e.g. X25519 keyAgreement) are kept as "unsupported", not errors;
//   - key forms: Multikey (Ed25519, P-256, P-384), Ed25519VerificationKey2020 (publicKeyMultibase),
//     Ed25519VerificationKey2018 (publicKeyBase58), JsonWebKey / JsonWebKey2020 (publicKeyJwk).

using System.Text.Json;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Identifiers;

/// <summary>Resolves DIDs and verification method URLs from documents registered by the host.</summary>
public sealed class LocalControllerRegistry : IVerificationMethodResolver, IDidResolver
{
    /// <summary>Largest accepted document.</summary>
    public const int MaxDocumentSize = 256 * 1024;

    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    private static readonly (string Name, VerificationRelationships Flag)[] s_relationships =
    [
        ("authentication", VerificationRelationships.Authentication),
        ("assertionMethod", VerificationRelationships.AssertionMethod),
        ("keyAgreement", VerificationRelationships.KeyAgreement),
        ("capabilityInvocation", VerificationRelationships.CapabilityInvocation),
        ("capabilityDelegation", VerificationRelationships.CapabilityDelegation),
    ];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Method> _methods = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers (or replaces) a controller document: a DID document or an https issuer profile that
    /// lists <c>verificationMethod</c>. Returns the document id.
    /// </summary>
    /// <exception cref="ArgumentException">The document is malformed or inconsistent.</exception>
    public string Register(ReadOnlySpan<byte> controllerDocumentUtf8)
    {
        byte[] bytes = Bounded(controllerDocumentUtf8);
        using JsonDocument doc = ParseDocument(bytes);
        JsonElement root = doc.RootElement;
        string id = RequiredString(root, "id");
        if (id.Contains('#', StringComparison.Ordinal) || !Uri.TryCreate(id, UriKind.Absolute, out _))
        {
            throw Invalid("The document id must be an absolute URI without fragment.");
        }

        var found = new Dictionary<string, Method>(StringComparer.Ordinal);
        var relationships = new Dictionary<string, VerificationRelationships>(StringComparer.Ordinal);
        if (root.TryGetProperty("verificationMethod"u8, out JsonElement vms))
        {
            if (vms.ValueKind == JsonValueKind.Object)
            {
                AddMethod(found, ReadMethod(vms, id));
            }
            else if (vms.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement vm in vms.EnumerateArray())
                {
                    AddMethod(found, ReadMethod(vm, id));
                }
            }
            else
            {
                throw Invalid("verificationMethod must be an object or an array.");
            }
        }

        foreach ((string name, VerificationRelationships flag) in s_relationships)
        {
            if (!root.TryGetProperty(name, out JsonElement list))
            {
                continue;
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw Invalid($"{name} must be an array.");
            }

            foreach (JsonElement entry in list.EnumerateArray())
            {
                string vmId;
                if (entry.ValueKind == JsonValueKind.String)
                {
                    vmId = Absolute(entry.GetString()!, id);
                }
                else if (entry.ValueKind == JsonValueKind.Object)
                {
                    Method embedded = ReadMethod(entry, id);
                    found.TryAdd(embedded.Id, embedded);

                    vmId = embedded.Id;
                }
                else
                {
                    throw Invalid($"{name} entries must be strings or objects.");
                }

                if (!found.ContainsKey(vmId))
                {
                    throw Invalid($"{name} references a verification method the document does not define.");
                }

                relationships[vmId] = relationships.GetValueOrDefault(vmId) | flag;
            }
        }

        lock (_lock)
        {
            RemoveLocked(id);
            _documents[id] = bytes;
            foreach (Method m in found.Values)
            {
                _methods[m.Id] = m with { Relationships = relationships.GetValueOrDefault(m.Id) };
            }
        }

        return id;
    }

    /// <summary>
    /// Registers a standalone verification method document (KEY-4: a Multikey object with
    /// <c>controller</c>, served at the VM URL). A bare key states no relationships, so the host
    /// states them. Returns the method id.
    /// </summary>
    public string RegisterVerificationMethod(ReadOnlySpan<byte> verificationMethodUtf8, VerificationRelationships relationships = VerificationRelationships.AssertionMethod)
    {
        byte[] bytes = Bounded(verificationMethodUtf8);
        using JsonDocument doc = ParseDocument(bytes);
        string controller = RequiredString(doc.RootElement, "controller");
        Method method = ReadMethod(doc.RootElement, controller);
        lock (_lock)
        {
            _methods[method.Id] = method with { Relationships = relationships, StandaloneDocument = bytes };
        }

        return method.Id;
    }

    /// <summary>Removes a document (and its methods) or a standalone method by id.</summary>
    public bool Unregister(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            return RemoveLocked(id) | _methods.Remove(id);
        }
    }

    public ValueTask<VerificationMethodResolution> ResolveVerificationMethodAsync(string verificationMethodUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verificationMethodUrl);
        Method? method;
        bool controllerKnown;
        lock (_lock)
        {
            _methods.TryGetValue(verificationMethodUrl, out method);
            DidDocumentWriter.Split(verificationMethodUrl, out string controller, out _);
            controllerKnown = _documents.ContainsKey(controller);
        }

        if (method is null)
        {
            return ValueTask.FromResult(VerificationMethodResolution.Failure(
                ResolutionError.NotFound,
                controllerKnown ? "The registered controller document does not list this verification method." : "No registered controller document for this identifier."));
        }

        if (method.Key is null)
        {
            return ValueTask.FromResult(VerificationMethodResolution.Failure(ResolutionError.UnsupportedVerificationMethod, method.Unsupported));
        }

        return ValueTask.FromResult(VerificationMethodResolution.Success(new ResolvedVerificationMethod(
            method.Id, method.Type, method.Controller, method.Key, method.Relationships, KeyProvenance.LocallyRegistered)));
    }

    public ValueTask<DidResolution> ResolveDidAsync(string did, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(did);
        lock (_lock)
        {
            if (_documents.TryGetValue(did, out byte[]? doc))
            {
                return ValueTask.FromResult(DidResolution.Success(doc));
            }

            if (_methods.TryGetValue(did, out Method? m) && m.StandaloneDocument is { } vmDoc)
            {
                return ValueTask.FromResult(DidResolution.Success(vmDoc));
            }
        }

        return ValueTask.FromResult(DidResolution.Failure(ResolutionError.NotFound, "No registered document for this identifier."));
    }

    private bool RemoveLocked(string controllerId)
    {
        if (!_documents.Remove(controllerId))
        {
            return false;
        }

        foreach (string key in _methods.Where(p => p.Value.StandaloneDocument is null && string.Equals(p.Value.Controller, controllerId, StringComparison.Ordinal)).Select(p => p.Key).ToList())
        {
            _methods.Remove(key);
        }

        return true;
    }

    private static void AddMethod(Dictionary<string, Method> found, Method method)
    {
        if (!found.TryAdd(method.Id, method))
        {
            throw Invalid("Two verification methods share one id.");
        }
    }

    private static Method ReadMethod(JsonElement vm, string documentId)
    {
        if (vm.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("A verification method must be an object.");
        }

        string id = Absolute(RequiredString(vm, "id"), documentId);
        string type = RequiredString(vm, "type");
        string controller = RequiredString(vm, "controller");
        DidDocumentWriter.Split(id, out string idBase, out string? fragment);
        if (fragment is null || fragment.Length == 0 || !string.Equals(idBase, documentId, StringComparison.Ordinal)
            || !string.Equals(controller, documentId, StringComparison.Ordinal))
        {
            throw Invalid("A verification method id must be '<controller>#<fragment>' and its controller the document id.");
        }

        VerificationKey? key = null;
        string? unsupported = null;
        try
        {
            switch (type)
            {
                case "Multikey":
                    string multibase = RequiredString(vm, "publicKeyMultibase");
                    if (multibase.StartsWith(Multikey.Ed25519PublicKeyPrefix, StringComparison.Ordinal)
                        || multibase.StartsWith(Multikey.P256PublicKeyPrefix, StringComparison.Ordinal)
                        || multibase.StartsWith(Multikey.P384PublicKeyPrefix, StringComparison.Ordinal))
                    {
                        KeyFormatError multikeyError = Multikey.TryDecodePublicKey(multibase, out key);
                        if (multikeyError != KeyFormatError.None)
                        {
                            throw Multikey.Error(multikeyError, "publicKeyMultibase");
                        }
                    }
                    else
                    {
                        unsupported = "Only Ed25519 (z6Mk…), P-256 (zDn…) and P-384 (z82…) multikeys are supported.";
                    }

                    break;
                case "Ed25519VerificationKey2020":
                    string edMultibase = RequiredString(vm, "publicKeyMultibase");
                    if (edMultibase.StartsWith(Multikey.Ed25519PublicKeyPrefix, StringComparison.Ordinal))
                    {
                        key = Ed25519PublicKey.ImportMultibase(edMultibase);
                    }
                    else
                    {
                        unsupported = "An Ed25519VerificationKey2020 must hold an Ed25519 multikey (z6Mk…).";
                    }

                    break;
                case "Ed25519VerificationKey2018":
                    // The Ed25519Signature2018 key form: publicKeyBase58 is the raw 32-byte key in base58btc (no multibase prefix).
                    key = Ed25519PublicKey.ImportBase58(RequiredString(vm, "publicKeyBase58"));
                    break;
                case "JsonWebKey":
                case "JsonWebKey2020":
                    if (!vm.TryGetProperty("publicKeyJwk"u8, out JsonElement jwk))
                    {
                        throw Invalid("A JsonWebKey verification method needs publicKeyJwk.");
                    }

                    if (!Jwk.TryImportPublicKey(jwk, out key, out KeyFormatError error))
                    {
                        if (error == KeyFormatError.UnsupportedKeyType)
                        {
                            unsupported = "Unsupported JWK key type.";
                        }
                        else
                        {
                            throw Invalid($"publicKeyJwk is not usable ({error}).");
                        }
                    }

                    break;
                default:
                    unsupported = "Unsupported verification method type.";
                    break;
            }
        }
        catch (KeyFormatException ex)
        {
            throw new ArgumentException("A verification method's key is malformed: " + ex.Message, ex);
        }

        return new Method(id, type, controller, key, unsupported, VerificationRelationships.None, null);
    }

    private static string Absolute(string reference, string documentId)
        => reference.StartsWith('#') ? documentId + reference : reference;

    private static string RequiredString(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()!
            : throw Invalid($"Missing or non-string '{name}'.");

    private static byte[] Bounded(ReadOnlySpan<byte> utf8)
        => utf8.Length <= MaxDocumentSize ? utf8.ToArray() : throw Invalid("The document is larger than 256 KiB.");

    private static JsonDocument ParseDocument(byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes, s_options);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException("The document is not valid JSON: " + ex.Message, ex);
        }
    }

    private static ArgumentException Invalid(string message) => new("Invalid controller document: " + message);

    private sealed record Method(
        string Id, string Type, string Controller, VerificationKey? Key, string? Unsupported,
        VerificationRelationships Relationships, byte[]? StandaloneDocument);
}
