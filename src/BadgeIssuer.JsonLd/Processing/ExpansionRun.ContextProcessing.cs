using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// One expansion run: its options, limits and counters (here), the Context Processing Algorithm (§4.1.2, this file),
/// Create Term Definition and IRI Expansion (§4.2.2, §5.2.2: <c>ExpansionRun.TermDefinitions.cs</c>), the Expansion
/// Algorithm (§5.1.2: <c>ExpansionRun.Expansion.cs</c>) and the term listing (<c>ExpansionRun.TermInventory.cs</c>).
/// </summary>
internal sealed partial class ExpansionRun
{
    private const int MaxRemoteContextDepth = 32;
    private const int FlagOverrideProtected = 1;
    private const int FlagNoPropagate = 2;

    private readonly JsonLdOptions _options;
    private readonly string? _excludedTopLevelMember;
    private int _contextsProcessed;
    private int _termDefinitions;

    public ExpansionRun(JsonLdOptions options, string? excludedTopLevelMember = null)
    {
        _options = options;
        _excludedTopLevelMember = excludedTopLevelMember;
    }

    private bool IsJsonLd10 => _options.IsJsonLd10;

    /// <summary>Applies the <c>@context</c> value of an input node (expansion step 9).</summary>
    private ActiveContext ApplyInputContext(ActiveContext active, JsonElement localContext, string? baseUrl)
    {
        if (localContext.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in localContext.EnumerateArray())
            {
                active = ApplyInputContextItem(active, UnwrapNestedContextObject(item), baseUrl);
            }

            return active;
        }

        return ApplyInputContextItem(active, localContext, baseUrl);
    }

    private ActiveContext ApplyInputContextItem(ActiveContext active, JsonElement item, string? baseUrl)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            string url = Iri.Resolve(baseUrl, item.GetString()!);
            var key = new DerivationKey(url, 0);

            // Each distinct (active context, URL) step counts once per document, whether the result is cached or not:
            // the same contexts on many nodes (a CLR's embedded credentials) cost one step, distinct ones each count,
            // and the count never depends on what earlier documents left in the shared cache.
            if ((_contextStepsCounted ??= []).Add((active, url)))
            {
                CountContext();
            }

            if (active.TryGetDerived(key, out ActiveContext? cached))
            {
                return cached!;
            }

            ActiveContext result = ProcessContext(active, item, baseUrl, [], overrideProtected: false, propagate: true, validateScoped: true);
            active.AddDerived(key, result);
            return result;
        }

        CountContext();
        return ProcessContext(active, item, baseUrl, [], overrideProtected: false, propagate: true, validateScoped: true);
    }

    /// <summary>
    /// <see cref="JsonLdOptions.UnwrapNestedContextObjects"/>: an array element <c>{"@context": {…}}</c> (that one member,
    /// an object value) stands for the object it wraps, as jsonld.js reads it (lib/context.js, <c>api.process</c>:
    /// "dereference @context key if present"). One step only — the result is processed as a context definition, where
    /// an <c>@context</c> member is a keyword redefinition — so the wrapper adds no recursion. Anything else is
    /// returned unchanged (and refused where the algorithm refuses it).
    /// </summary>
    private JsonElement UnwrapNestedContextObject(JsonElement item)
    {
        if (!_options.UnwrapNestedContextObjects || item.ValueKind != JsonValueKind.Object)
        {
            return item;
        }

        JsonElement inner = default;
        int members = 0;
        foreach (JsonProperty member in item.EnumerateObject())
        {
            if (++members > 1 || !member.NameEquals(Keywords.Context))
            {
                return item;
            }

            inner = member.Value;
        }

        return members == 1 && inner.ValueKind == JsonValueKind.Object ? inner : item;
    }

    /// <summary>Applies a term's scoped context (property-, type- or map-scoped), memoised on <paramref name="active"/>.</summary>
    private ActiveContext ApplyScopedContext(ActiveContext active, TermDefinition term, bool overrideProtected, bool propagate)
    {
        int flags = (overrideProtected ? FlagOverrideProtected : 0) | (propagate ? 0 : FlagNoPropagate);
        var key = new DerivationKey(term, flags);
        if (active.TryGetDerived(key, out ActiveContext? cached))
        {
            return cached!;
        }

        ActiveContext result = ProcessContext(active, term.Context!.Value, term.ContextBaseUrl, [], overrideProtected, propagate, validateScoped: true);
        active.AddDerived(key, result);
        return result;
    }

    /// <summary>Counts one term definition against <see cref="JsonLdOptions.MaxTermDefinitions"/> (work not served from the cache).</summary>
    private void CountTermDefinition()
    {
        if (++_termDefinitions > _options.MaxTermDefinitions)
        {
            throw new JsonLdException(
                JsonLdErrorCode.ResourceLimitExceeded,
                string.Create(CultureInfo.InvariantCulture, $"context processing needs more than {_options.MaxTermDefinitions} term definitions"));
        }
    }

    /// <summary>The (active context, context URL) steps this document has counted against MaxContexts.</summary>
    private HashSet<(ActiveContext Active, string Url)>? _contextStepsCounted;

    private void CountContext()
    {
        if (++_contextsProcessed > _options.MaxContexts)
        {
            throw new JsonLdException(
                JsonLdErrorCode.ResourceLimitExceeded,
                string.Create(CultureInfo.InvariantCulture, $"the document uses more than {_options.MaxContexts} contexts"));
        }
    }

    /// <summary>Context Processing Algorithm (§4.1.2).</summary>
    internal ActiveContext ProcessContext(
        ActiveContext active,
        JsonElement localContext,
        string? baseUrl,
        List<string> remoteContexts,
        bool overrideProtected,
        bool propagate,
        bool validateScoped)
    {
        // §4.1.2 step 1.
        ActiveContext result = active.Clone();

        // §4.1.2 step 2: @propagate of a local context map overrides the propagate argument.
        if (localContext.ValueKind == JsonValueKind.Object && localContext.TryGetProperty(Keywords.Propagate, out JsonElement prop))
        {
            if (prop.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidPropagateValue, "@propagate must be true or false");
            }

            propagate = prop.ValueKind == JsonValueKind.True;
        }

        // §4.1.2 step 3.
        if (!propagate && result.PreviousContext is null)
        {
            result.PreviousContext = active;
        }

        // §4.1.2 steps 4-5: each context of the local context (an array, or one context).
        if (localContext.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement item in localContext.EnumerateArray())
            {
                result = ProcessContextItem(active, result, UnwrapNestedContextObject(item), baseUrl, remoteContexts, overrideProtected, propagate, validateScoped);
            }
        }
        else
        {
            result = ProcessContextItem(active, result, localContext, baseUrl, remoteContexts, overrideProtected, propagate, validateScoped);
        }

        // §4.1.2 step 6.
        return result;
    }

    // §4.1.2 step 5: one context of the local context — null (5.1), a remote context IRI (5.2) or a context definition
    // (5.3-5.13).
    private ActiveContext ProcessContextItem(
        ActiveContext active,
        ActiveContext result,
        JsonElement context,
        string? baseUrl,
        List<string> remoteContexts,
        bool overrideProtected,
        bool propagate,
        bool validateScoped)
    {
        switch (context.ValueKind)
        {
            case JsonValueKind.Null:
                return NullContext(active, result, overrideProtected, propagate);
            case JsonValueKind.String:
                return ProcessRemoteContext(result, context, baseUrl, remoteContexts, overrideProtected, validateScoped);
            case JsonValueKind.Object:
                break;
            default:
                // §4.1.2 step 5.3.
                throw new JsonLdException(JsonLdErrorCode.InvalidLocalContext, "a context must be null, a string (IRI) or an object");
        }

        // §4.1.2 step 5.4: a context definition. Steps 5.5-5.6: @version and @import.
        CheckVersion(context);
        JsonElement? importContext = LoadImportedContext(context, baseUrl);
        var ctx = new ContextDefinition(context, importContext);

        // §4.1.2 step 5.7: @base, only from the document's own contexts (not remote ones).
        if (ctx.TryGet(Keywords.Base, out JsonElement baseValue) && remoteContexts.Count == 0)
        {
            SetBaseIri(result, baseValue);
        }

        // §4.1.2 steps 5.8-5.11: @vocab, @language, @direction and @propagate.
        if (ctx.TryGet(Keywords.Vocab, out JsonElement vocab))
        {
            SetVocabularyMapping(result, vocab);
        }

        if (ctx.TryGet(Keywords.Language, out JsonElement language))
        {
            SetDefaultLanguage(result, language);
        }

        if (ctx.TryGet(Keywords.Direction, out JsonElement direction))
        {
            SetBaseDirection(result, direction);
        }

        if (ctx.TryGet(Keywords.Propagate, out JsonElement propagateValue))
        {
            CheckPropagateEntry(propagateValue);
        }

        // §4.1.2 steps 5.12-5.13: the term definitions.
        CreateTermDefinitions(result, ctx, baseUrl, overrideProtected, remoteContexts);
        return result;
    }

    // §4.1.2 step 5.1: null resets the active context, unless it has protected terms (5.1.1); 5.1.2 keeps the
    // previous context of a non-propagated context.
    private static ActiveContext NullContext(ActiveContext active, ActiveContext result, bool overrideProtected, bool propagate)
    {
        if (!overrideProtected && result.HasProtectedTerms())
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidContextNullification, "a context with protected terms cannot be nullified");
        }

        var fresh = new ActiveContext(active.OriginalBaseUrl);
        if (!propagate)
        {
            fresh.PreviousContext = result;
        }

        return fresh;
    }

    // §4.1.2 step 5.2: a remote context — resolve (5.2.1), skip a repeat while validating a scoped context (5.2.2),
    // guard recursion (5.2.3), dereference (5.2.4-5.2.5) and process its @context (5.2.6), which always propagates.
    private ActiveContext ProcessRemoteContext(
        ActiveContext result,
        JsonElement context,
        string? baseUrl,
        List<string> remoteContexts,
        bool overrideProtected,
        bool validateScoped)
    {
        string url = Iri.Resolve(baseUrl, context.GetString()!);
        if (!Iri.IsAbsolute(url))
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingDocumentFailed, $"context reference '{url}' is not an absolute IRI");
        }

        if (!validateScoped && remoteContexts.Contains(url, StringComparer.Ordinal))
        {
            return result;
        }

        if (remoteContexts.Count >= MaxRemoteContextDepth)
        {
            throw new JsonLdException(JsonLdErrorCode.ContextOverflow, $"too many nested remote contexts at {url}");
        }

        if (validateScoped && remoteContexts.Contains(url, StringComparer.Ordinal))
        {
            throw new JsonLdException(
                IsJsonLd10 ? JsonLdErrorCode.RecursiveContextInclusion : JsonLdErrorCode.ContextOverflow,
                $"recursive inclusion of context {url}");
        }

        RemoteDocument document = LoadContextDocument(url);
        JsonElement root = document.Document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Keywords.Context, out JsonElement loaded))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidRemoteContext, $"remote context {url} has no top-level @context");
        }

        var nested = new List<string>(remoteContexts) { url };
        return ProcessContext(result, loaded, document.DocumentUrl, nested, overrideProtected, propagate: true, validateScoped);
    }

    // §4.1.2 step 5.5: @version must be 1.1 (5.5.1) and conflicts with json-ld-1.0 processing mode (5.5.2).
    private void CheckVersion(JsonElement context)
    {
        if (!context.TryGetProperty(Keywords.Version, out JsonElement version))
        {
            return;
        }

        if (version.ValueKind != JsonValueKind.Number || version.GetDouble() != 1.1)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidVersionValue, "@version must be 1.1");
        }

        if (IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.ProcessingModeConflict, "@version 1.1 in json-ld-1.0 processing mode");
        }
    }

    // §4.1.2 step 5.6: @import — the imported context definition, whose entries the context's own ones override (5.6.8).
    private JsonElement? LoadImportedContext(JsonElement context, string? baseUrl)
    {
        if (!context.TryGetProperty(Keywords.Import, out JsonElement import))
        {
            return null;
        }

        // §4.1.2 steps 5.6.1-5.6.2.
        if (IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidContextEntry, "@import is not allowed in json-ld-1.0");
        }

        if (import.ValueKind != JsonValueKind.String)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidImportValue, "@import must be a string");
        }

        // §4.1.2 steps 5.6.3-5.6.5.
        string url = Iri.Resolve(baseUrl, import.GetString()!);
        RemoteDocument document;
        try
        {
            document = _options.DocumentLoader(url);
        }
        catch (JsonLdException ex)
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingRemoteContextFailed, ex.Message, ex);
        }

        // §4.1.2 steps 5.6.6-5.6.7.
        JsonElement root = document.Document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Keywords.Context, out JsonElement imported) || imported.ValueKind != JsonValueKind.Object)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidRemoteContext, $"imported context {url} must have an object @context");
        }

        if (imported.TryGetProperty(Keywords.Import, out _))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidContextEntry, $"imported context {url} must not itself use @import");
        }

        return imported;
    }

    // §4.1.2 step 5.7: @base — null (5.7.2), an absolute IRI (5.7.3) or one relative to the current base IRI (5.7.4).
    private static void SetBaseIri(ActiveContext result, JsonElement baseValue)
    {
        if (baseValue.ValueKind == JsonValueKind.Null)
        {
            result.BaseIri = null;
        }
        else if (baseValue.ValueKind == JsonValueKind.String)
        {
            string b = baseValue.GetString()!;
            if (Iri.IsAbsolute(b))
            {
                result.BaseIri = b;
            }
            else if (result.BaseIri is not null)
            {
                result.BaseIri = Iri.Resolve(result.BaseIri, b);
            }
            else
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidBaseIri, $"relative @base '{b}' with no base IRI");
            }
        }
        else
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidBaseIri, "@base must be a string or null");
        }
    }

    // §4.1.2 step 5.8: @vocab — null (5.8.2) or an IRI or blank node identifier, IRI-expanded against the result (5.8.3).
    private void SetVocabularyMapping(ActiveContext result, JsonElement vocab)
    {
        if (vocab.ValueKind == JsonValueKind.Null)
        {
            result.Vocab = null;
        }
        else if (vocab.ValueKind == JsonValueKind.String)
        {
            string v = vocab.GetString()!;
            if (IsJsonLd10 && !Iri.IsAbsolute(v) && !v.StartsWith("_:", StringComparison.Ordinal))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidVocabMapping, "@vocab must be an absolute IRI in json-ld-1.0");
            }

            string? expanded = ExpandIri(result, v, documentRelative: true, vocab: true);
            if (expanded is null || (!Iri.IsAbsolute(expanded) && !expanded.StartsWith("_:", StringComparison.Ordinal)))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidVocabMapping, $"@vocab '{v}' is not an IRI or blank node identifier");
            }

            if (_options.SafeMode && !Iri.IsAbsolute(v) && !v.StartsWith("_:", StringComparison.Ordinal))
            {
                throw new JsonLdException(JsonLdErrorCode.SafeModeRelativeType, $"relative @vocab reference: {v}");
            }

            result.Vocab = expanded;
        }
        else
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidVocabMapping, "@vocab must be a string or null");
        }
    }

    // §4.1.2 step 5.9: @language (the default language, lower-cased).
    private static void SetDefaultLanguage(ActiveContext result, JsonElement language)
    {
        if (language.ValueKind == JsonValueKind.Null)
        {
            result.DefaultLanguage = null;
        }
        else if (language.ValueKind == JsonValueKind.String)
        {
            result.DefaultLanguage = language.GetString()!.ToLowerInvariant();
        }
        else
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidDefaultLanguage, "@language must be a string or null");
        }
    }

    // §4.1.2 step 5.10: @direction (the base direction).
    private void SetBaseDirection(ActiveContext result, JsonElement direction)
    {
        if (IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidContextEntry, "@direction is not allowed in json-ld-1.0");
        }

        result.DefaultDirection = direction.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String when direction.ValueEquals("ltr") => "ltr",
            JsonValueKind.String when direction.ValueEquals("rtl") => "rtl",
            _ => throw new JsonLdException(JsonLdErrorCode.InvalidBaseDirection, "@direction must be \"ltr\", \"rtl\" or null"),
        };
    }

    // §4.1.2 step 5.11: @propagate is only checked here; step 2 has applied it.
    private void CheckPropagateEntry(JsonElement propagateValue)
    {
        if (IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidContextEntry, "@propagate is not allowed in json-ld-1.0");
        }

        if (propagateValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidPropagateValue, "@propagate must be true or false");
        }
    }

    // §4.1.2 steps 5.12-5.13: the defined map, then Create Term Definition for every entry that is not a context
    // keyword, with the context's @protected value as the protected default.
    private void CreateTermDefinitions(ActiveContext result, ContextDefinition ctx, string? baseUrl, bool overrideProtected, List<string> remoteContexts)
    {
        bool protectedDefault = false;
        if (ctx.TryGet(Keywords.Protected, out JsonElement protectedValue))
        {
            if (protectedValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidProtectedValue, "@protected must be true or false");
            }

            protectedDefault = protectedValue.ValueKind == JsonValueKind.True;
        }

        var defined = new Dictionary<string, bool>(StringComparer.Ordinal);
        var state = new TermState(ctx, defined, baseUrl, protectedDefault, overrideProtected, remoteContexts);
        foreach (string key in ctx.Keys)
        {
            switch (key)
            {
                case Keywords.Base:
                case Keywords.Direction:
                case Keywords.Import:
                case Keywords.Language:
                case Keywords.Propagate:
                case Keywords.Protected:
                case Keywords.Version:
                case Keywords.Vocab:
                    continue;
                default:
                    CreateTermDefinition(result, state, key);
                    break;
            }
        }
    }

    private RemoteDocument LoadContextDocument(string url)
    {
        try
        {
            return _options.DocumentLoader(url);
        }
        catch (JsonLdException ex) when (ex.Code is JsonLdErrorCode.LoadingDocumentFailed or JsonLdErrorCode.LoadingRemoteContextFailed)
        {
            throw new JsonLdException(JsonLdErrorCode.LoadingRemoteContextFailed, ex.Message, ex);
        }
    }

    /// <summary>The per-context-definition state of Create Term Definition.</summary>
    private sealed record TermState(
        ContextDefinition Context,
        Dictionary<string, bool> Defined,
        string? BaseUrl,
        bool Protected,
        bool OverrideProtected,
        List<string> RemoteContexts);

    /// <summary>
    /// A context definition map, with the entries of an <c>@import</c>ed context underneath its own, indexed once
    /// (JsonElement member lookup is a linear scan; Create Term Definition looks members up per term).
    /// </summary>
    private readonly struct ContextDefinition
    {
        private readonly Dictionary<string, JsonElement> _members;
        private readonly List<string> _keys;

        public ContextDefinition(JsonElement own, JsonElement? imported)
        {
            _members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            _keys = [];
            if (imported is JsonElement imp)
            {
                foreach (JsonProperty p in imp.EnumerateObject())
                {
                    _members[p.Name] = p.Value;
                }
            }

            foreach (JsonProperty p in own.EnumerateObject())
            {
                _members[p.Name] = p.Value;
            }

            // Imported-only keys first, then the context's own, as the merged map would list them.
            if (imported is JsonElement imported2)
            {
                foreach (JsonProperty p in imported2.EnumerateObject())
                {
                    if (!own.TryGetProperty(p.Name, out _))
                    {
                        _keys.Add(p.Name);
                    }
                }
            }

            foreach (JsonProperty p in own.EnumerateObject())
            {
                _keys.Add(p.Name);
            }
        }

        public bool TryGet(string key, out JsonElement value) => _members.TryGetValue(key, out value);

        public bool Contains(string key) => _members.ContainsKey(key);

        public IReadOnlyList<string> Keys => _keys;
    }
}
