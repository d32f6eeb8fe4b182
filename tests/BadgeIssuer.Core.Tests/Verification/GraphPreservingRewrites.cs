// JSON rewrites of a signed JSON-LD document that keep its RDF dataset, so a Data Integrity proof over it still
// verifies while a reader of JSON member names sees something else (issue 12). Each rewrite moves one member (the
// target, a slash path such as "validUntil" or "credentialStatus/statusPurpose" or "endorsement/0/validUntil") to
// another JSON spelling of the same triples: its full IRI, a compact IRI or an alias from an added inline context,
// @nest, @included, @reverse, a node split in two, a flattened @graph, a value object, @set, an array of one, the
// @type/@id keywords, index/id/type maps, an escaped member name; and the ones that must not parse (a duplicate
// member, also spelled with an escape). Where a member's term coerces its value (@id, xsd:dateTime, the https XSD
// namespace of the OB contexts, a @graph container), the rewrite searches the coercion that keeps the dataset, as a
// careful attacker would; every rewrite is then classified by comparing canonical N-Quads with the signed document,
// so a rewrite that turns out to change the data is reported as such, never silently counted as graph-preserving.

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>What a rewritten document is to the signed one.</summary>
internal enum RewriteEffect
{
    /// <summary>The same canonical dataset (without the proof): the signature still covers it.</summary>
    KeepsGraph,

    /// <summary>Canonicalizes in safe mode, to another dataset: the signature cannot verify.</summary>
    ChangesGraph,

    /// <summary>JSON-LD safe mode (or a protected term) rejects it.</summary>
    RejectedBySafeMode,

    /// <summary>Not JSON a verifier accepts (duplicate member names).</summary>
    RefusedAsJson,
}

/// <summary>One rewritten document.</summary>
internal sealed record RewrittenDocument(string Kind, string Target, string Json, RewriteEffect Effect);

/// <summary>The rewrite library (see the file comment).</summary>
internal static class GraphPreservingRewrites
{
    public const string Cred = "https://www.w3.org/2018/credentials#";
    public const string Ob = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";
    public const string Status = "https://www.w3.org/ns/credentials/status#";
    public const string Schema = "https://schema.org/";
    public const string XsdDateTime = "http://www.w3.org/2001/XMLSchema#dateTime";
    public const string XsdHttpsString = "https://www.w3.org/2001/XMLSchema#string";

    /// <summary>Every rewrite kind, in the order they are generated.</summary>
    public static readonly string[] Kinds =
    [
        "full-iri", "full-iri-naive", "compact-iri", "alias-term", "redefine-then-alias", "nest", "included", "reverse",
        "split-node", "graph-split", "value-object", "set-object", "array-wrap", "array-unwrap", "keyword", "keywords-within",
        "type-full-iri", "index-map", "id-map", "type-map", "escaped-name", "reorder-within",
        "duplicate-same", "duplicate-forged", "duplicate-escaped",
    ];

    private static readonly JsonDocumentOptions s_strict = new() { AllowDuplicateProperties = false, MaxDepth = 128 };

    private enum Coercion
    {
        None,
        Id,
        DateTime,
        HttpsString,
        Graph,
    }

    private static readonly Dictionary<string, string> s_classes = new(StringComparer.Ordinal)
    {
        ["VerifiableCredential"] = Cred + "VerifiableCredential",
        ["VerifiablePresentation"] = Cred + "VerifiablePresentation",
        ["OpenBadgeCredential"] = Ob + "OpenBadgeCredential",
        ["AchievementCredential"] = Ob + "OpenBadgeCredential",
        ["EndorsementCredential"] = Ob + "EndorsementCredential",
        ["Profile"] = Ob + "Profile",
        ["AchievementSubject"] = Ob + "AchievementSubject",
        ["Achievement"] = Ob + "Achievement",
        ["EndorsementSubject"] = Ob + "EndorsementSubject",
        ["BitstringStatusListEntry"] = Status + "BitstringStatusListEntry",
    };

    /// <summary>The IRIs a member name may stand for (the bundled contexts' definitions).</summary>
    private static string[] Iris(string member) => member switch
    {
        "credentialStatus" or "validFrom" or "validUntil" or "issuer" or "credentialSubject" or "credentialSchema" or "refreshService"
            or "issuanceDate" or "expirationDate" or "verifiableCredential" or "holder" => [Cred + member],
        "name" or "description" => [Schema + member],
        "achievement" => [Ob + "achievement", Ob + "achievement-0"],
        "endorsement" or "endorsementComment" or "narrative" or "criteria" or "achievementType" => [Ob + member],
        "statusPurpose" or "statusListIndex" or "statusListCredential" => [Status + member],
        _ => [],
    };

    /// <summary>Canonical N-Quads of <paramref name="json"/> without its top-level proof, as the verifier computes them; null with the effect otherwise.</summary>
    public static string? Canonical(string json, out RewriteEffect failure)
    {
        failure = RewriteEffect.KeepsGraph;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, s_strict);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            failure = RewriteEffect.RefusedAsJson;
            return null;
        }

        using (document)
        {
            try
            {
                return JsonLdProcessor.CanonicalizeWithout(document.RootElement, "proof", JsonLdOptions.Safe);
            }
            catch (Exception ex) when (ex is JsonLdException or RdfcWorkLimitExceededException)
            {
                failure = RewriteEffect.RejectedBySafeMode;
                return null;
            }
        }
    }

    /// <summary>Classifies <paramref name="json"/> against the signed document's canonical form.</summary>
    public static RewriteEffect Classify(string signedCanonical, string json)
        => Canonical(json, out RewriteEffect failure) is string canonical
            ? string.Equals(canonical, signedCanonical, StringComparison.Ordinal) ? RewriteEffect.KeepsGraph : RewriteEffect.ChangesGraph
            : failure;

    /// <summary>Every applicable rewrite of <paramref name="target"/> in <paramref name="signed"/>, classified.</summary>
    public static IEnumerable<RewrittenDocument> Rewrite(JsonObject signed, string target)
    {
        string signedJson = signed.ToJsonString();
        string signedCanonical = Canonical(signedJson, out _) ?? throw new InvalidOperationException("the signed document does not canonicalize");
        (string iri, Coercion coercion) = Resolve(signed, target, signedCanonical);
        foreach (string kind in Kinds)
        {
            string? json = Apply(signed, target, kind, iri, coercion);
            if (json is not null && !string.Equals(json, signedJson, StringComparison.Ordinal))
            {
                yield return new RewrittenDocument(kind, target, json, Classify(signedCanonical, json));
            }
        }
    }

    /// <summary>Rewrites that do not aim at one member: the whole document flattened into a top-level @graph.</summary>
    public static IEnumerable<RewrittenDocument> RewriteDocument(JsonObject signed)
    {
        string signedCanonical = Canonical(signed.ToJsonString(), out _)!;
        JsonObject copy = signed.DeepClone().AsObject();
        JsonNode? context = copy["@context"]?.DeepClone();
        JsonNode? proof = copy["proof"]?.DeepClone();
        copy.Remove("@context");
        copy.Remove("proof");
        var flattened = new JsonObject { ["@context"] = context, ["@graph"] = new JsonArray(copy) };
        if (proof is not null)
        {
            flattened["proof"] = proof;
        }

        string json = flattened.ToJsonString();
        yield return new RewrittenDocument("flatten-graph", "(document)", json, Classify(signedCanonical, json));
    }

    /// <summary>The IRI and value coercion under which renaming the member to its full IRI keeps the dataset (the first candidate when none does).</summary>
    private static (string Iri, Coercion Coercion) Resolve(JsonObject signed, string target, string signedCanonical)
    {
        string member = Member(target);
        string[] iris = Iris(member);
        foreach (string iri in iris)
        {
            foreach (Coercion c in Enum.GetValues<Coercion>())
            {
                JsonObject doc = signed.DeepClone().AsObject();
                if (Owner(doc, target) is not JsonObject owner || !owner.ContainsKey(member))
                {
                    return (iri, Coercion.None);
                }

                Rename(owner, member, iri, Decoerce(owner[member], c));
                if (Classify(signedCanonical, doc.ToJsonString()) == RewriteEffect.KeepsGraph)
                {
                    return (iri, c);
                }
            }
        }

        return (iris.Length > 0 ? iris[0] : string.Empty, Coercion.None);
    }

    private static string? Apply(JsonObject signed, string target, string kind, string iri, Coercion coercion)
    {
        JsonObject doc = signed.DeepClone().AsObject();
        string member = Member(target);
        if (Owner(doc, target) is not JsonObject owner || !owner.TryGetPropertyValue(member, out JsonNode? value))
        {
            return null;
        }

        bool hasIri = iri.Length > 0;
        string? ownerId = owner["id"] is JsonValue idValue && idValue.TryGetValue(out string? ownerIdText) ? ownerIdText : null;
        switch (kind)
        {
            case "full-iri" when hasIri:
                Rename(owner, member, iri, Decoerce(value, coercion));
                return doc.ToJsonString();
            case "full-iri-naive" when hasIri && coercion != Coercion.None:
                Rename(owner, member, iri, value?.DeepClone());
                return doc.ToJsonString();
            case "compact-iri" when hasIri:
            {
                int split = Math.Max(iri.LastIndexOf('#'), iri.LastIndexOf('/')) + 1;
                AddContext(doc, target, new JsonObject { ["mutpfx"] = iri[..split] });
                Rename(owner, member, "mutpfx:" + iri[split..], Decoerce(value, coercion));
                return doc.ToJsonString();
            }

            case "alias-term" when hasIri:
                AddContext(doc, target, new JsonObject { ["mutAlias"] = Definition(iri, coercion, null) });
                Rename(owner, member, "mutAlias", value?.DeepClone());
                return doc.ToJsonString();
            case "redefine-then-alias" when hasIri:
                // Redefines the member's own term (refused where it is protected) and moves the value to an alias.
                AddContext(doc, target, new JsonObject { [member] = new JsonObject { ["@id"] = "https://decoy.example/vocab#" + member }, ["mutAlias"] = Definition(iri, coercion, null) });
                Rename(owner, member, "mutAlias", value?.DeepClone());
                return doc.ToJsonString();
            case "nest":
                AddContext(doc, target, new JsonObject { ["mutNest"] = "@nest" });
                Rename(owner, member, "mutNest", new JsonObject { [member] = value?.DeepClone() });
                return doc.ToJsonString();
            case "included" when coercion != Coercion.Graph && Objects(value) is { } nodes && nodes.TrueForAll(n => n["id"] is JsonValue):
            {
                JsonNode references = value is JsonArray
                    ? new JsonArray([.. nodes.Select(n => Reference(n, coercion))])
                    : Reference(nodes[0], coercion);
                Rename(owner, member, member, references);
                foreach (JsonObject node in nodes)
                {
                    Included(owner).Add(node.DeepClone());
                }

                return doc.ToJsonString();
            }

            case "reverse" when hasIri && ownerId is not null && coercion != Coercion.Graph && Objects(value) is { } nodes:
                owner.Remove(member);
                foreach (JsonObject node in nodes)
                {
                    JsonObject copy = node.DeepClone().AsObject();
                    copy["@reverse"] = new JsonObject { [iri] = new JsonObject { ["@id"] = ownerId } };
                    Included(owner).Add(copy);
                }

                return doc.ToJsonString();
            case "split-node" when ownerId is not null && member is not ("id" or "type" or "@context"):
                owner.Remove(member);
                Included(owner).Add(new JsonObject { ["id"] = ownerId, ["type"] = owner["type"]?.DeepClone(), [member] = value?.DeepClone() });
                return doc.ToJsonString();
            case "graph-split" when ReferenceEquals(owner, doc) && ownerId is not null && member is not ("id" or "type" or "@context" or "proof"):
            {
                owner.Remove(member);
                JsonNode? context = doc["@context"]?.DeepClone();
                JsonNode? proof = doc["proof"]?.DeepClone();
                doc.Remove("@context");
                doc.Remove("proof");
                var part = new JsonObject { ["id"] = ownerId, ["type"] = doc["type"]?.DeepClone(), [member] = value?.DeepClone() };
                var flattened = new JsonObject { ["@context"] = context, ["@graph"] = new JsonArray(doc.DeepClone(), part) };
                if (proof is not null)
                {
                    flattened["proof"] = proof;
                }

                return flattened.ToJsonString();
            }

            case "value-object" when Strings(value):
                Rename(owner, member, member, Decoerce(value, coercion, valueObject: true));
                return doc.ToJsonString();
            case "set-object" when member is not ("id" or "type" or "@context"):
                Rename(owner, member, member, new JsonObject { ["@set"] = value is JsonArray ? value.DeepClone() : new JsonArray(value?.DeepClone()) });
                return doc.ToJsonString();
            case "array-wrap" when value is not JsonArray && member is not ("id" or "@context"):
                Rename(owner, member, member, new JsonArray(value?.DeepClone()));
                return doc.ToJsonString();
            case "array-unwrap" when value is JsonArray { Count: 1 } single && member is not "@context":
                Rename(owner, member, member, single[0]?.DeepClone());
                return doc.ToJsonString();
            case "keyword" when member is "type" or "id":
                Rename(owner, member, "@" + member, value?.DeepClone());
                return doc.ToJsonString();
            case "keywords-within" when value is JsonObject or JsonArray:
            {
                JsonNode rewritten = value.DeepClone();
                if (!Keywords(rewritten))
                {
                    return null;
                }

                Rename(owner, member, member, rewritten);
                return doc.ToJsonString();
            }

            case "type-full-iri" when member == "type" && value is not null:
            {
                JsonNode classes = value is JsonArray types
                    ? new JsonArray([.. types.Select(t => (JsonNode?)JsonValue.Create(s_classes.GetValueOrDefault(t!.GetValue<string>(), t.GetValue<string>())))])
                    : JsonValue.Create(s_classes.GetValueOrDefault(value.GetValue<string>(), value.GetValue<string>()));
                Rename(owner, member, member, classes);
                return doc.ToJsonString();
            }

            case "index-map" when hasIri && coercion != Coercion.Graph:
            {
                AddContext(doc, target, new JsonObject { ["mutIndex"] = Definition(iri, coercion, "@index") });
                Rename(owner, member, "mutIndex", new JsonObject { ["k"] = value?.DeepClone() });
                return doc.ToJsonString();
            }

            case "id-map" when hasIri && coercion != Coercion.Graph && Objects(value) is { } nodes && nodes.TrueForAll(n => n["id"] is JsonValue):
            {
                var map = new JsonObject();
                foreach (JsonObject node in nodes)
                {
                    JsonObject copy = node.DeepClone().AsObject();
                    copy.Remove("id");
                    map[node["id"]!.GetValue<string>()] = copy;
                }

                AddContext(doc, target, new JsonObject { ["mutIdMap"] = new JsonObject { ["@id"] = iri, ["@container"] = "@id" } });
                Rename(owner, member, "mutIdMap", map);
                return doc.ToJsonString();
            }

            case "type-map" when hasIri && coercion != Coercion.Graph && Objects(value) is { } nodes && nodes.TrueForAll(n => n["type"] is JsonValue):
            {
                var map = new JsonObject();
                foreach (JsonObject node in nodes)
                {
                    JsonObject copy = node.DeepClone().AsObject();
                    copy.Remove("type");
                    string type = node["type"]!.GetValue<string>();
                    if (map.ContainsKey(type))
                    {
                        return null;
                    }

                    map[type] = copy;
                }

                AddContext(doc, target, new JsonObject { ["mutTypeMap"] = new JsonObject { ["@id"] = iri, ["@container"] = "@type" } });
                Rename(owner, member, "mutTypeMap", map);
                return doc.ToJsonString();
            }

            case "escaped-name" when member.Length > 1:
                Rename(owner, member, "__mut_escaped__", value?.DeepClone());
                return doc.ToJsonString().Replace("\"__mut_escaped__\"", Escaped(member), StringComparison.Ordinal);
            case "reorder-within" when value is JsonObject { Count: > 1 } inner:
            {
                var reversed = new JsonObject();
                foreach (KeyValuePair<string, JsonNode?> p in inner.Reverse())
                {
                    reversed[p.Key] = p.Value?.DeepClone();
                }

                Rename(owner, member, member, reversed);
                return doc.ToJsonString();
            }

            case "duplicate-same":
                owner["__mut_dup__"] = value?.DeepClone();
                return doc.ToJsonString().Replace("\"__mut_dup__\"", JsonSerializer.Serialize(member), StringComparison.Ordinal);
            case "duplicate-forged":
                owner["__mut_dup__"] = Forged(member, value);
                return doc.ToJsonString().Replace("\"__mut_dup__\"", JsonSerializer.Serialize(member), StringComparison.Ordinal);
            case "duplicate-escaped" when member.Length > 1:
                owner["__mut_dup__"] = Forged(member, value);
                return doc.ToJsonString().Replace("\"__mut_dup__\"", Escaped(member), StringComparison.Ordinal);
            default:
                return null;
        }
    }

    /// <summary>A value for a second, forged copy of <paramref name="member"/>: what an attacker would want a reader to see.</summary>
    public static JsonNode? Forged(string member, JsonNode? value) => member switch
    {
        "validUntil" or "expirationDate" => "2099-01-01T00:00:00Z",
        "validFrom" or "issuanceDate" => "2020-01-01T00:00:00Z",
        "credentialStatus" => new JsonArray(),
        "statusListIndex" => "7",
        "statusPurpose" => "message",
        _ => value switch
        {
            JsonObject o => Forge(o),
            JsonArray => new JsonArray(),
            JsonValue v when v.TryGetValue(out string? s) => "Forged " + s,
            _ => "Forged",
        },
    };

    private static JsonObject Forge(JsonObject o)
    {
        JsonObject copy = o.DeepClone().AsObject();
        copy["name"] = "Forged";
        return copy;
    }

    private static string Member(string target) => target[(target.LastIndexOf('/') + 1)..];

    /// <summary>The object holding the target member (array indexes allowed on the way).</summary>
    private static JsonObject? Owner(JsonObject doc, string target)
    {
        string[] parts = target.Split('/');
        JsonNode? node = doc;
        foreach (string part in parts[..^1])
        {
            node = node switch
            {
                JsonArray array when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < array.Count => array[i],
                JsonObject obj => obj[part],
                _ => null,
            };
        }

        return node as JsonObject;
    }

    /// <summary>Appends an inline context to the nearest object on the target's path that has one (the embedded credential's own, for an endorsement).</summary>
    private static void AddContext(JsonObject doc, string target, JsonObject definitions)
    {
        JsonObject holder = doc;
        JsonNode? node = doc;
        foreach (string part in target.Split('/')[..^1])
        {
            node = node switch
            {
                JsonArray array => array[int.Parse(part, CultureInfo.InvariantCulture)],
                JsonObject obj => obj[part],
                _ => null,
            };
            if (node is JsonObject o && o.ContainsKey("@context"))
            {
                holder = o;
            }
        }

        JsonNode? context = holder["@context"];
        holder["@context"] = context switch
        {
            JsonArray array => Append(array.DeepClone().AsArray(), definitions),
            null => definitions,
            _ => new JsonArray(context.DeepClone(), definitions),
        };
    }

    private static JsonArray Append(JsonArray array, JsonNode item)
    {
        array.Add(item);
        return array;
    }

    /// <summary>Replaces member <paramref name="from"/> by <paramref name="to"/> with <paramref name="value"/>, keeping the member order.</summary>
    private static void Rename(JsonObject owner, string from, string to, JsonNode? value)
    {
        KeyValuePair<string, JsonNode?>[] members = [.. owner];
        owner.Clear();
        foreach ((string name, JsonNode? v) in members)
        {
            if (string.Equals(name, from, StringComparison.Ordinal))
            {
                owner[to] = value;
            }
            else
            {
                owner[name] = v;
            }
        }
    }

    private static JsonArray Included(JsonObject owner)
    {
        if (owner["@included"] is not JsonArray included)
        {
            owner["@included"] = included = [];
        }

        return included;
    }

    private static JsonNode Reference(JsonObject node, Coercion coercion)
    {
        string id = node["id"]!.GetValue<string>();
        return coercion == Coercion.Id ? JsonValue.Create(id) : new JsonObject { ["@id"] = id };
    }

    private static List<JsonObject>? Objects(JsonNode? value) => value switch
    {
        JsonObject o => [o],
        JsonArray a when a.Count > 0 && a.All(e => e is JsonObject) => [.. a.Select(e => e!.AsObject())],
        _ => null,
    };

    private static bool Strings(JsonNode? value) => value switch
    {
        JsonValue v => v.GetValueKind() == JsonValueKind.String,
        JsonArray a => a.Count > 0 && a.All(e => e is JsonValue v && v.GetValueKind() == JsonValueKind.String),
        _ => false,
    };

    /// <summary>Renames type/id to @type/@id in every node object of <paramref name="node"/> (not inside embedded @context objects).</summary>
    private static bool Keywords(JsonNode node)
    {
        bool changed = false;
        if (node is JsonArray array)
        {
            foreach (JsonNode? item in array)
            {
                changed |= item is not null && Keywords(item);
            }
        }
        else if (node is JsonObject obj)
        {
            foreach (string key in obj.Select(p => p.Key).ToArray())
            {
                if (key is "type" or "id")
                {
                    Rename(obj, key, "@" + key, obj[key]?.DeepClone());
                    changed = true;
                }
                else if (key != "@context" && obj[key] is JsonNode child)
                {
                    changed |= Keywords(child);
                }
            }
        }

        return changed;
    }

    private static JsonObject Definition(string iri, Coercion coercion, string? container)
    {
        var definition = new JsonObject { ["@id"] = iri };
        switch (coercion)
        {
            case Coercion.Id:
                definition["@type"] = "@id";
                break;
            case Coercion.DateTime:
                definition["@type"] = XsdDateTime;
                break;
            case Coercion.HttpsString:
                definition["@type"] = XsdHttpsString;
                break;
            case Coercion.Graph:
                definition["@type"] = "@id";
                definition["@container"] = "@graph";
                break;
        }

        if (container is not null)
        {
            definition["@container"] = container;
        }

        return definition;
    }

    /// <summary>The value as it must be written under a name that does not coerce it (a full or compact IRI).</summary>
    private static JsonNode? Decoerce(JsonNode? value, Coercion coercion, bool valueObject = false)
    {
        if (value is JsonArray array)
        {
            return new JsonArray([.. array.Select(e => Decoerce(e, coercion, valueObject))]);
        }

        bool isString = value is JsonValue v && v.GetValueKind() == JsonValueKind.String;
        return coercion switch
        {
            Coercion.Id when isString => new JsonObject { ["@id"] = value!.DeepClone() },
            Coercion.DateTime when isString => new JsonObject { ["@value"] = value!.DeepClone(), ["@type"] = XsdDateTime },
            Coercion.HttpsString when isString => new JsonObject { ["@value"] = value!.DeepClone(), ["@type"] = XsdHttpsString },
            Coercion.Graph when value is JsonObject => new JsonObject { ["@graph"] = value.DeepClone() },
            Coercion.None when isString && valueObject => new JsonObject { ["@value"] = value!.DeepClone() },
            _ => value?.DeepClone(),
        };
    }

    /// <summary>The member name as a JSON string with its last character written as a \u escape.</summary>
    private static string Escaped(string member)
        => "\"" + member[..^1] + "\\u" + ((int)member[^1]).ToString("x4", CultureInfo.InvariantCulture) + "\"";
}
