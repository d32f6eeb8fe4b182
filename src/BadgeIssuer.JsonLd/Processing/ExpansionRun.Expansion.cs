using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>The Expansion Algorithm (§5.1.2) and Value Expansion (§5.3.2).</summary>
internal sealed partial class ExpansionRun
{
    public List<object?> ExpandDocument(JsonElement input)
    {
        JsonText.EnsureReadable(input);
        ActiveContext active = RootContexts.Get(_options);
        if (_options.ExpandContext is JsonElement expandContext)
        {
            JsonText.EnsureReadable(expandContext);
            JsonElement ctx = expandContext.ValueKind == JsonValueKind.Object && expandContext.TryGetProperty(Keywords.Context, out JsonElement inner)
                ? inner
                : expandContext;
            active = ProcessContext(active, ctx, _options.Base, [], overrideProtected: false, propagate: true, validateScoped: true);
        }

        object? result = Expand(active, null, input, _options.Base, fromMap: false, depth: 0);
        if (result is Dictionary<string, object?> map && map.Count == 1 && map.TryGetValue(Keywords.Graph, out object? graph))
        {
            result = graph;
        }

        return result switch
        {
            null => [],
            List<object?> list => list,
            _ => [result],
        };
    }

    /// <summary>The Expansion Algorithm (§5.1.2) for one element: steps 1, 3-5 here, steps 6-20 in <see cref="ExpandObject"/>.</summary>
    private object? Expand(ActiveContext active, string? activeProperty, JsonElement element, string? baseUrl, bool fromMap, int depth)
    {
        if (depth > _options.MaxDepth)
        {
            throw new JsonLdException(
                JsonLdErrorCode.ResourceLimitExceeded,
                string.Create(CultureInfo.InvariantCulture, $"the document is nested deeper than {_options.MaxDepth} levels"));
        }

        // §5.1.2 step 3: the active property's term definition, whose local context is the property-scoped context.
        TermDefinition? activeTerm = activeProperty is null ? null : active.GetTerm(activeProperty);
        bool hasPropertyScope = activeTerm?.Context is not null;

        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                // §5.1.2 step 1.
                return null;
            case JsonValueKind.Array:
            {
                // §5.1.2 step 5.
                var result = new List<object?>(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                {
                    AppendExpandedItem(result, active, activeProperty, activeTerm, item, baseUrl, fromMap, depth);
                }

                return result;
            }

            case JsonValueKind.Object:
                // §5.1.2 steps 6-20.
                return ExpandObject(active, activeProperty, activeTerm, element, baseUrl, fromMap, depth);
            default:
            {
                // §5.1.2 step 4.1: a free-floating scalar is dropped.
                if (activeProperty is null || string.Equals(activeProperty, Keywords.Graph, StringComparison.Ordinal))
                {
                    if (_options.SafeMode)
                    {
                        throw new JsonLdException(JsonLdErrorCode.SafeModeDroppedValue, "free-floating scalar would be dropped");
                    }

                    return null;
                }

                // §5.1.2 steps 4.2-4.3.
                if (hasPropertyScope)
                {
                    active = ApplyScopedContext(active, activeTerm!, overrideProtected: true, propagate: true);
                }

                return ExpandValue(active, activeProperty, ToScalar(element));
            }
        }
    }

    // §5.1.2 steps 5.2.1-5.2.3: expands one array item and appends it (an array's items one by one); under a @list
    // container an expanded array becomes a list object.
    private void AppendExpandedItem(List<object?> result, ActiveContext active, string? activeProperty, TermDefinition? activeTerm, JsonElement item, string? baseUrl, bool fromMap, int depth)
    {
        object? expandedItem = Expand(active, activeProperty, item, baseUrl, fromMap, depth + 1);
        if (activeTerm is not null && activeTerm.Has(Containers.List) && expandedItem is List<object?> nestedList)
        {
            expandedItem = new Dictionary<string, object?>(1, StringComparer.Ordinal) { [Keywords.List] = nestedList };
        }

        if (expandedItem is List<object?> many)
        {
            result.AddRange(many);
        }
        else if (expandedItem is not null)
        {
            result.Add(expandedItem);
        }
    }

    // §5.1.2 steps 6-20: element is a map.
    private object? ExpandObject(ActiveContext active, string? activeProperty, TermDefinition? activeTerm, JsonElement element, string? baseUrl, bool fromMap, int depth)
    {
        Entry[] entries = SortedEntries(element, depth == 0 ? _excludedTopLevelMember : null);

        // §5.1.2 step 7: a non-propagated (type-scoped) context reverts for new node objects.
        if (active.PreviousContext is not null && !fromMap && RevertsToPreviousContext(active, entries))
        {
            active = active.PreviousContext;
        }

        // §5.1.2 step 8: property-scoped context.
        if (activeTerm?.Context is not null)
        {
            active = ApplyScopedContext(active, activeTerm, overrideProtected: true, propagate: true);
        }

        // §5.1.2 step 9: embedded context.
        if (element.TryGetProperty(Keywords.Context, out JsonElement localContext))
        {
            active = ApplyInputContext(active, localContext, baseUrl);
        }

        // §5.1.2 steps 10-11: type-scoped contexts; step 12: the input type.
        ActiveContext typeScoped = active;
        string? inputType = ApplyTypeScopedContexts(ref active, typeScoped, entries);
        if (inputType is not null)
        {
            inputType = ExpandIri(active, inputType, documentRelative: false, vocab: true);
        }

        // §5.1.2 steps 12-14.
        var result = new Dictionary<string, object?>(entries.Length, StringComparer.Ordinal);
        ExpandEntries(active, typeScoped, activeProperty, entries, result, inputType, baseUrl, depth);

        // §5.1.2 steps 15-20.
        return FinishObject(result, activeProperty);
    }

    // §5.1.2 step 7: true unless element has an entry expanding to @value or consists of a single entry expanding to
    // @id (entries IRI-expanded).
    private bool RevertsToPreviousContext(ActiveContext active, Entry[] entries)
    {
        bool hasValue = false;
        bool onlyId = entries.Length == 1;
        foreach (Entry e in entries)
        {
            string? expanded = ExpandIri(active, e.Name, documentRelative: false, vocab: true);
            if (string.Equals(expanded, Keywords.Value, StringComparison.Ordinal))
            {
                hasValue = true;
            }
            else if (!string.Equals(expanded, Keywords.Id, StringComparison.Ordinal))
            {
                onlyId = false;
            }
        }

        return !hasValue && !onlyId;
    }

    // §5.1.2 step 11: for each entry expanding to @type, each string value's type-scoped context (values in
    // lexicographic order) is applied without propagation. Returns the last value of the first such entry, not yet
    // IRI-expanded (step 12's input type).
    private string? ApplyTypeScopedContexts(ref ActiveContext active, ActiveContext typeScoped, Entry[] entries)
    {
        string? inputType = null;
        bool firstTypeKey = true;
        foreach (Entry e in entries)
        {
            if (!string.Equals(ExpandIri(active, e.Name, documentRelative: false, vocab: true), Keywords.Type, StringComparison.Ordinal))
            {
                continue;
            }

            // §5.1.2 steps 11.1-11.2.
            string? lastType = null;
            if (e.Value.ValueKind == JsonValueKind.Array)
            {
                var terms = new List<string>(e.Value.GetArrayLength());
                foreach (JsonElement t in e.Value.EnumerateArray())
                {
                    if (t.ValueKind == JsonValueKind.String)
                    {
                        terms.Add(t.GetString()!);
                    }
                }

                if (terms.Count > 0)
                {
                    lastType = terms[^1];
                }

                terms.Sort(StringComparer.Ordinal);
                foreach (string term in terms)
                {
                    active = ApplyTypeScope(active, typeScoped, term);
                }
            }
            else if (e.Value.ValueKind == JsonValueKind.String)
            {
                lastType = e.Value.GetString()!;
                active = ApplyTypeScope(active, typeScoped, lastType);
            }

            if (firstTypeKey)
            {
                firstTypeKey = false;
                inputType = lastType;
            }
        }

        return inputType;
    }

    // §5.1.2 step 11.2: the type-scoped context of one type term (looked up in the type-scoped context), not propagated.
    private ActiveContext ApplyTypeScope(ActiveContext active, ActiveContext typeScoped, string term)
    {
        TermDefinition? td = typeScoped.GetTerm(term);
        return td?.Context is null ? active : ApplyScopedContext(active, td, overrideProtected: false, propagate: false);
    }

    // §5.1.2 steps 13-14: each entry of element in lexicographic order of keys, then the nested properties. Also
    // the recursion of step 14.2.2 for a nested map.
    private void ExpandEntries(
        ActiveContext active,
        ActiveContext typeScoped,
        string? activeProperty,
        Entry[] entries,
        Dictionary<string, object?> result,
        string? inputType,
        string? baseUrl,
        int depth)
    {
        List<Entry>? nests = null;
        foreach (Entry entry in entries)
        {
            // §5.1.2 step 13.1.
            if (string.Equals(entry.Name, Keywords.Context, StringComparison.Ordinal))
            {
                continue;
            }

            // §5.1.2 steps 13.2-13.3: keys expanding to neither an IRI nor a keyword are dropped.
            string? expandedProperty = ExpandIri(active, entry.Name, documentRelative: false, vocab: true);
            if (expandedProperty is null || (!expandedProperty.Contains(':', StringComparison.Ordinal) && !Keywords.IsKeyword(expandedProperty)))
            {
                if (_options.SafeMode)
                {
                    throw new JsonLdException(JsonLdErrorCode.SafeModeUndefinedTerm, $"undefined term: {entry.Name}");
                }

                continue;
            }

            if (Keywords.IsKeyword(expandedProperty))
            {
                // §5.1.2 step 13.4.
                ExpandKeywordEntry(active, typeScoped, activeProperty, entry, expandedProperty, result, inputType, baseUrl, depth, ref nests);
            }
            else
            {
                // §5.1.2 steps 13.5-13.14.
                ExpandPropertyEntry(active, entry, expandedProperty, result, baseUrl, depth);
            }
        }

        // §5.1.2 step 14.
        if (nests is not null)
        {
            ExpandNestingKeys(active, typeScoped, nests, result, inputType, baseUrl, depth);
        }
    }

    // §5.1.2 step 13.4: an entry whose key expands to a keyword.
    private void ExpandKeywordEntry(
        ActiveContext active,
        ActiveContext typeScoped,
        string? activeProperty,
        Entry entry,
        string expandedProperty,
        Dictionary<string, object?> result,
        string? inputType,
        string? baseUrl,
        int depth,
        ref List<Entry>? nests)
    {
        // §5.1.2 steps 13.4.1-13.4.2.
        CheckKeywordEntry(activeProperty, expandedProperty, result);

        JsonElement value = entry.Value;
        object? expandedValue;
        switch (expandedProperty)
        {
            case Keywords.Id:
                // §5.1.2 step 13.4.3. A keyword-like @id expands to null and is kept as null (jsonld.js and the W3C suite do so).
                result[Keywords.Id] = ExpandIdEntry(active, entry);
                return;
            case Keywords.Type:
                // §5.1.2 step 13.4.4.
                expandedValue = ExpandTypeValue(typeScoped, value, entry.Name, result);
                break;
            case Keywords.Graph:
                // §5.1.2 step 13.4.5.
                expandedValue = AsList(Expand(active, Keywords.Graph, value, baseUrl, fromMap: false, depth + 1));
                break;
            case Keywords.Included:
                // §5.1.2 step 13.4.6 (13.4.6.1: ignored in json-ld-1.0).
                if (IsJsonLd10)
                {
                    return;
                }

                expandedValue = ExpandIncludedEntry(active, value, result, baseUrl, depth);
                break;
            case Keywords.Value:
                // §5.1.2 step 13.4.7 (13.4.7.4: a null @value is kept as null).
                expandedValue = ExpandValueEntry(value, inputType);
                if (expandedValue is null)
                {
                    result[Keywords.Value] = null;
                    return;
                }

                break;
            case Keywords.Language:
                // §5.1.2 step 13.4.8.
                expandedValue = ExpandLanguageEntry(value);
                break;
            case Keywords.Direction:
                // §5.1.2 step 13.4.9 (13.4.9.1: ignored in json-ld-1.0).
                if (IsJsonLd10)
                {
                    return;
                }

                expandedValue = ExpandDirectionEntry(value);
                break;
            case Keywords.Index:
                // §5.1.2 step 13.4.10.
                expandedValue = value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : throw new JsonLdException(JsonLdErrorCode.InvalidIndexValue, "@index must be a string");
                break;
            case Keywords.List:
                // §5.1.2 step 13.4.11.
                expandedValue = ExpandListEntry(active, activeProperty, value, baseUrl, depth);
                if (expandedValue is null)
                {
                    return;
                }

                break;
            case Keywords.Set:
                // §5.1.2 step 13.4.12.
                expandedValue = Expand(active, activeProperty, value, baseUrl, fromMap: false, depth + 1);
                break;
            case Keywords.Reverse:
                // §5.1.2 step 13.4.13.
                ExpandReverseEntry(active, value, result, baseUrl, depth);
                return;
            case Keywords.Nest:
                // §5.1.2 step 13.4.14: the nesting key is kept for step 14 (its first value, in key order).
                AddNestingKey(ref nests, entry);
                return;
            default:
                // §5.1.2 step 13.4.15: framing keywords (@default, @embed, ...) are ignored outside frame expansion.
                return;
        }

        // §5.1.2 step 13.4.16.
        if (expandedValue is not null)
        {
            result[expandedProperty] = expandedValue;
        }
    }

    // §5.1.2 step 13.4.1: no keyword in a @reverse map; step 13.4.2: one entry per keyword (more than one @included,
    // or @type outside json-ld-1.0, merge).
    private void CheckKeywordEntry(string? activeProperty, string expandedProperty, Dictionary<string, object?> result)
    {
        if (string.Equals(activeProperty, Keywords.Reverse, StringComparison.Ordinal))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidReversePropertyMap, $"keyword {expandedProperty} cannot be used in a @reverse map");
        }

        if (result.ContainsKey(expandedProperty)
            && !string.Equals(expandedProperty, Keywords.Included, StringComparison.Ordinal)
            && (IsJsonLd10 || !string.Equals(expandedProperty, Keywords.Type, StringComparison.Ordinal)))
        {
            throw new JsonLdException(JsonLdErrorCode.CollidingKeywords, $"more than one entry expands to {expandedProperty}");
        }
    }

    // §5.1.2 step 13.4.11: a free-floating @list is dropped (13.4.11.1: null); otherwise its value is expanded as an
    // array (13.4.11.2).
    private List<object?>? ExpandListEntry(ActiveContext active, string? activeProperty, JsonElement value, string? baseUrl, int depth)
    {
        if (activeProperty is null || string.Equals(activeProperty, Keywords.Graph, StringComparison.Ordinal))
        {
            ThrowIfDroppedInSafeMode("free-floating @list would be dropped");
            return null;
        }

        return AsList(Expand(active, activeProperty, value, baseUrl, fromMap: false, depth + 1));
    }

    // §5.1.2 step 13.4.3: @id must be a string (13.4.3.1) and is IRI-expanded against the document (13.4.3.2).
    private string? ExpandIdEntry(ActiveContext active, Entry entry)
    {
        if (entry.Value.ValueKind != JsonValueKind.String)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidIdValue, $"@id must be a string (at '{entry.Name}')");
        }

        string id = entry.Value.GetString()!;
        string? expandedId = ExpandIri(active, id, documentRelative: true, vocab: false);
        if (_options.SafeMode && (expandedId is null || (!Iri.IsAbsolute(expandedId) && !expandedId.StartsWith("_:", StringComparison.Ordinal))))
        {
            throw new JsonLdException(JsonLdErrorCode.SafeModeRelativeId, $"relative @id reference: {id}");
        }

        return expandedId;
    }

    // §5.1.2 steps 13.4.6.2-13.4.6.4: @included values must be node objects; earlier @included values come first.
    private List<object?> ExpandIncludedEntry(ActiveContext active, JsonElement value, Dictionary<string, object?> result, string? baseUrl, int depth)
    {
        List<object?> included = AsList(Expand(active, Keywords.Included, value, baseUrl, fromMap: false, depth + 1));
        foreach (object? item in included)
        {
            if (item is not Dictionary<string, object?> node || node.ContainsKey(Keywords.Value) || node.ContainsKey(Keywords.List) || node.ContainsKey(Keywords.Set))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidIncludedValue, "@included values must be node objects");
            }
        }

        if (result.TryGetValue(Keywords.Included, out object? existing))
        {
            included.InsertRange(0, AsList(existing));
        }

        return included;
    }

    // §5.1.2 steps 13.4.7.1-13.4.7.3: @value is any JSON under an @json input type, otherwise a scalar or null.
    private object? ExpandValueEntry(JsonElement value, string? inputType)
    {
        if (string.Equals(inputType, Keywords.Json, StringComparison.Ordinal))
        {
            if (IsJsonLd10)
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidValueObjectValue, "@json is not allowed in json-ld-1.0");
            }

            return value.Clone();
        }

        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidValueObjectValue, "@value must be a scalar or null");
        }

        return ToScalar(value);
    }

    // §5.1.2 step 13.4.8: @language must be a string; it is lower-cased.
    private string ExpandLanguageEntry(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidLanguageTaggedString, "@language must be a string");
        }

        string lang = value.GetString()!;
        CheckLanguageTag(lang);
        return lang.ToLowerInvariant();
    }

    // §5.1.2 steps 13.4.9.2-13.4.9.3: @direction must be "ltr" or "rtl".
    private static string? ExpandDirectionEntry(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String || !(value.ValueEquals("ltr") || value.ValueEquals("rtl")))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidBaseDirection, "@direction must be \"ltr\" or \"rtl\"");
        }

        return value.GetString();
    }

    // §5.1.2 step 13.4.13: @reverse must be a map (13.4.13.1), expanded with @reverse as active property (13.4.13.2);
    // its own @reverse entries are forward properties of result (13.4.13.3), the others go to result's reverse map
    // (13.4.13.4).
    private void ExpandReverseEntry(ActiveContext active, JsonElement value, Dictionary<string, object?> result, string? baseUrl, int depth)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidReverseValue, "@reverse must be an object");
        }

        var reversed = (Dictionary<string, object?>?)Expand(active, Keywords.Reverse, value, baseUrl, fromMap: false, depth + 1);
        if (reversed is null)
        {
            return;
        }

        if (reversed.TryGetValue(Keywords.Reverse, out object? doubleReversed) && doubleReversed is Dictionary<string, object?> dr)
        {
            foreach (KeyValuePair<string, object?> kv in dr)
            {
                AddValue(result, kv.Key, kv.Value);
            }
        }

        Dictionary<string, object?>? reverseMap = null;
        foreach (KeyValuePair<string, object?> kv in reversed)
        {
            if (!string.Equals(kv.Key, Keywords.Reverse, StringComparison.Ordinal))
            {
                reverseMap ??= GetOrAddReverseMap(result);
                AddReverseValues(reverseMap, kv.Key, kv.Value, kv.Key);
            }
        }
    }

    // §5.1.2 step 13.4.14.
    private static void AddNestingKey(ref List<Entry>? nests, Entry entry)
    {
        nests ??= [];
        foreach (Entry existing in nests)
        {
            if (string.Equals(existing.Name, entry.Name, StringComparison.Ordinal))
            {
                return;
            }
        }

        nests.Add(entry);
    }

    // §5.1.2 steps 13.5-13.14: an entry whose key expands to an IRI.
    private void ExpandPropertyEntry(ActiveContext active, Entry entry, string expandedProperty, Dictionary<string, object?> result, string? baseUrl, int depth)
    {
        string key = entry.Name;
        JsonElement value = entry.Value;

        // §5.1.2 step 13.5.
        TermDefinition? term = active.GetTerm(key);
        Containers container = term?.Container ?? Containers.None;

        // §5.1.2 steps 13.6-13.9: a JSON literal, a language map, an index, id or type map, or the value expanded.
        object? expanded;
        if (term is not null && string.Equals(term.TypeMapping, Keywords.Json, StringComparison.Ordinal))
        {
            expanded = new Dictionary<string, object?>(2, StringComparer.Ordinal)
            {
                [Keywords.Value] = value.Clone(),
                [Keywords.Type] = Keywords.Json,
            };
        }
        else if ((container & Containers.Language) != 0 && value.ValueKind == JsonValueKind.Object)
        {
            expanded = ExpandLanguageMap(active, term!, value);
        }
        else if ((container & (Containers.Index | Containers.Type | Containers.Id)) != 0 && value.ValueKind == JsonValueKind.Object)
        {
            expanded = ExpandIndexMap(active, key, term!, value, baseUrl, depth);
        }
        else
        {
            expanded = Expand(active, key, value, baseUrl, fromMap: false, depth + 1);
        }

        // §5.1.2 step 13.10.
        if (expanded is null)
        {
            return;
        }

        // §5.1.2 step 13.11.
        if ((container & Containers.List) != 0 && !IsListObject(expanded))
        {
            expanded = new Dictionary<string, object?>(1, StringComparer.Ordinal) { [Keywords.List] = AsList(expanded) };
        }

        // §5.1.2 step 13.12: a @graph container (without @id or @index) makes each value a graph object.
        if ((container & Containers.Graph) != 0 && (container & (Containers.Id | Containers.Index)) == 0)
        {
            List<object?> items = AsList(expanded);
            var graphs = new List<object?>(items.Count);
            foreach (object? ev in items)
            {
                graphs.Add(new Dictionary<string, object?>(1, StringComparer.Ordinal) { [Keywords.Graph] = AsList(ev) });
            }

            expanded = graphs;
        }

        // §5.1.2 steps 13.13-13.14.
        if (term is not null && term.Reverse)
        {
            AddReverseValues(GetOrAddReverseMap(result), expandedProperty, expanded, key);
        }
        else
        {
            AddValue(result, expandedProperty, expanded);
        }
    }

    // §5.1.2 steps 13.4.13.4.2 and 13.13.3: adds values to a reverse map; they may not be value or list objects.
    private static void AddReverseValues(Dictionary<string, object?> reverseMap, string property, object? values, string shownKey)
    {
        foreach (object? item in AsList(values))
        {
            if (IsValueObject(item) || IsListObject(item))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidReversePropertyValue, $"reverse property {shownKey} cannot take a value or list object");
            }

            AddValue(reverseMap, property, item);
        }
    }

    // §5.1.2 step 14: each nesting key's value (14.1: as an array) is expanded into result (14.2).
    private void ExpandNestingKeys(ActiveContext active, ActiveContext typeScoped, List<Entry> nests, Dictionary<string, object?> result, string? inputType, string? baseUrl, int depth)
    {
        foreach (Entry nest in nests)
        {
            if (nest.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement nested in nest.Value.EnumerateArray())
                {
                    ExpandNested(active, typeScoped, nest.Name, nested, result, inputType, baseUrl, depth);
                }
            }
            else
            {
                ExpandNested(active, typeScoped, nest.Name, nest.Value, result, inputType, baseUrl, depth);
            }
        }
    }

    // §5.1.2 step 14.2: a nested value must be a map with no entry expanding to @value (14.2.1); its entries are
    // expanded into result with the nesting key as active property and its property-scoped context (14.2.2: steps 3, 8,
    // 13 and 14 again).
    private void ExpandNested(ActiveContext active, ActiveContext typeScoped, string nestingKey, JsonElement nested, Dictionary<string, object?> result, string? inputType, string? baseUrl, int depth)
    {
        if (nested.ValueKind != JsonValueKind.Object)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidNestValue, $"the value of nesting key '{nestingKey}' must be an object");
        }

        Entry[] entries = SortedEntries(nested);
        foreach (Entry e in entries)
        {
            if (string.Equals(ExpandIri(active, e.Name, documentRelative: false, vocab: true), Keywords.Value, StringComparison.Ordinal))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidNestValue, $"a nested object under '{nestingKey}' cannot be a value object");
            }
        }

        TermDefinition? nestTerm = active.GetTerm(nestingKey);
        ActiveContext nestContext = nestTerm?.Context is not null
            ? ApplyScopedContext(active, nestTerm, overrideProtected: true, propagate: true)
            : active;
        ExpandEntries(nestContext, typeScoped, nestingKey, entries, result, inputType, baseUrl, depth + 1);
    }

    // §5.1.2 step 13.4.4: @type values are IRI-expanded with the type-scoped context (13.4.4.4) after earlier ones
    // (13.4.4.5).
    private object? ExpandTypeValue(ActiveContext typeScoped, JsonElement value, string key, Dictionary<string, object?> result)
    {
        object? expandedValue;
        if (value.ValueKind == JsonValueKind.String)
        {
            expandedValue = ExpandTypeIri(typeScoped, value.GetString()!);
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            var types = new List<object?>(value.GetArrayLength());
            foreach (JsonElement t in value.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.String)
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidTypeValue, $"@type values must be strings (at '{key}')");
                }

                string? iri = ExpandTypeIri(typeScoped, t.GetString()!);
                if (iri is not null)
                {
                    types.Add(iri);
                }
            }

            expandedValue = types;
        }
        else
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTypeValue, $"@type must be a string or an array of strings (at '{key}')");
        }

        if (result.TryGetValue(Keywords.Type, out object? existing))
        {
            List<object?> merged = [.. AsList(existing)];
            merged.AddRange(AsList(expandedValue));
            expandedValue = merged;
        }

        return expandedValue;
    }

    private string? ExpandTypeIri(ActiveContext typeScoped, string value)
    {
        string? iri = ExpandIri(typeScoped, value, documentRelative: true, vocab: true);
        if (_options.SafeMode && (iri is null || (!Iri.IsAbsolute(iri) && !iri.StartsWith("_:", StringComparison.Ordinal) && !Keywords.IsKeyword(iri))))
        {
            throw new JsonLdException(JsonLdErrorCode.SafeModeRelativeType, $"unmapped type: {value}");
        }

        return iri;
    }

    // §5.1.2 step 13.7: a language map; each value becomes a language-tagged string (@none: untagged).
    private List<object?> ExpandLanguageMap(ActiveContext active, TermDefinition term, JsonElement value)
    {
        var expanded = new List<object?>();
        string? direction = term.HasDirection ? term.Direction : active.DefaultDirection;
        foreach (Entry entry in SortedEntries(value))
        {
            string language = entry.Name;
            bool isNone = string.Equals(language, Keywords.None, StringComparison.Ordinal)
                || string.Equals(ExpandIri(active, language, documentRelative: false, vocab: true), Keywords.None, StringComparison.Ordinal);
            if (!isNone)
            {
                CheckLanguageTag(language);
            }

            if (entry.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in entry.Value.EnumerateArray())
                {
                    AddLanguageValue(expanded, item, isNone ? null : language, direction);
                }
            }
            else
            {
                AddLanguageValue(expanded, entry.Value, isNone ? null : language, direction);
            }
        }

        return expanded;
    }

    private static void AddLanguageValue(List<object?> expanded, JsonElement item, string? language, string? direction)
    {
        if (item.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (item.ValueKind != JsonValueKind.String)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidLanguageMapValue, "language map values must be strings");
        }

        var v = new Dictionary<string, object?>(3, StringComparer.Ordinal) { [Keywords.Value] = item.GetString() };
        if (language is not null)
        {
            v[Keywords.Language] = language.ToLowerInvariant();
        }

        if (direction is not null)
        {
            v[Keywords.Direction] = direction;
        }

        expanded.Add(v);
    }

    // §5.1.2 step 13.8: an index, id or type map.
    private List<object?> ExpandIndexMap(ActiveContext active, string key, TermDefinition term, JsonElement value, string? baseUrl, int depth)
    {
        // §5.1.2 steps 13.8.1-13.8.2.
        var expanded = new List<object?>();
        Containers container = term.Container;
        string indexKey = term.Index ?? Keywords.Index;

        // §5.1.2 step 13.8.3: each index, in lexicographic order.
        foreach (Entry entry in SortedEntries(value))
        {
            // §5.1.2 steps 13.8.3.1-13.8.3.3: the map context (the previous context for @id and @type maps, with the
            // index's type-scoped context for a @type map).
            string index = entry.Name;
            ActiveContext mapContext;
            if ((container & (Containers.Id | Containers.Type)) != 0)
            {
                mapContext = active.PreviousContext ?? active;
                if ((container & Containers.Type) != 0 && mapContext.GetTerm(index) is { Context: not null } indexTerm)
                {
                    mapContext = ApplyScopedContext(mapContext, indexTerm, overrideProtected: false, propagate: true);
                }
            }
            else
            {
                mapContext = active;
            }

            // §5.1.2 step 13.8.3.4.
            string? expandedIndex = ExpandIri(active, index, documentRelative: false, vocab: true);

            // §5.1.2 steps 13.8.3.5-13.8.3.6.
            var items = new List<object?>();
            TermDefinition? mapTerm = mapContext.GetTerm(key);
            if (entry.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in entry.Value.EnumerateArray())
                {
                    AppendExpandedItem(items, mapContext, key, mapTerm, item, baseUrl, fromMap: true, depth);
                }
            }
            else
            {
                AppendExpandedItem(items, mapContext, key, mapTerm, entry.Value, baseUrl, fromMap: true, depth);
            }

            // §5.1.2 step 13.8.3.7.
            AddIndexMapItems(active, container, indexKey, index, expandedIndex, items, expanded);
        }

        return expanded;
    }

    // §5.1.2 step 13.8.3.7: each expanded item of one index gets the index — as a graph object under a @graph container
    // (13.8.3.7.1), in its index property (13.8.3.7.2) or @index (13.8.3.7.3), as its @id (13.8.3.7.4) or as a type
    // (13.8.3.7.5) — and is appended (13.8.3.7.6). The index @none adds nothing.
    private void AddIndexMapItems(
        ActiveContext active,
        Containers container,
        string indexKey,
        string index,
        string? expandedIndex,
        List<object?> items,
        List<object?> expanded)
    {
        bool isNone = string.Equals(expandedIndex, Keywords.None, StringComparison.Ordinal);
        foreach (object? raw in items)
        {
            if (raw is not Dictionary<string, object?> item)
            {
                continue;
            }

            if ((container & Containers.Graph) != 0 && !IsGraphObject(item))
            {
                item = new Dictionary<string, object?>(1, StringComparer.Ordinal) { [Keywords.Graph] = new List<object?> { item } };
            }

            if ((container & Containers.Index) != 0 && !string.Equals(indexKey, Keywords.Index, StringComparison.Ordinal) && !isNone)
            {
                object? reExpanded = ExpandValue(active, indexKey, index);
                string? expandedIndexKey = ExpandIri(active, indexKey, documentRelative: false, vocab: true);
                if (expandedIndexKey is null)
                {
                    continue;
                }

                var values = new List<object?> { reExpanded };
                if (item.TryGetValue(expandedIndexKey, out object? existing))
                {
                    values.AddRange(AsList(existing));
                }

                item[expandedIndexKey] = values;
                if (item.ContainsKey(Keywords.Value))
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidValueObject, $"a value object cannot carry the index property {indexKey}");
                }
            }
            else if ((container & Containers.Index) != 0 && !item.ContainsKey(Keywords.Index) && !isNone)
            {
                item[Keywords.Index] = index;
            }
            else if ((container & Containers.Id) != 0 && !item.ContainsKey(Keywords.Id) && !isNone)
            {
                string? id = ExpandIri(active, index, documentRelative: true, vocab: false);
                if (_options.SafeMode && (id is null || (!Iri.IsAbsolute(id) && !id.StartsWith("_:", StringComparison.Ordinal))))
                {
                    throw new JsonLdException(JsonLdErrorCode.SafeModeRelativeId, $"relative @id reference: {index}");
                }

                item[Keywords.Id] = id;
            }
            else if ((container & Containers.Type) != 0 && !isNone)
            {
                var types = new List<object?> { expandedIndex };
                if (item.TryGetValue(Keywords.Type, out object? existing))
                {
                    types.AddRange(AsList(existing));
                }

                item[Keywords.Type] = types;
            }

            expanded.Add(item);
        }
    }

    /// <summary>Steps 15-20 of the Expansion Algorithm (§5.1.2).</summary>
    private object? FinishObject(Dictionary<string, object?> result, string? activeProperty)
    {
        object? output = result;
        if (result.TryGetValue(Keywords.Value, out object? value))
        {
            // §5.1.2 step 15.
            if (!CheckValueObject(result, value))
            {
                return null;
            }
        }
        else if (result.TryGetValue(Keywords.Type, out object? type) && type is not List<object?>)
        {
            // §5.1.2 step 16.
            result[Keywords.Type] = new List<object?> { type };
        }
        else if (result.TryGetValue(Keywords.Set, out object? setValue) | result.ContainsKey(Keywords.List))
        {
            // §5.1.2 step 17.
            if (result.Count > 2 || (result.Count == 2 && !result.ContainsKey(Keywords.Index)))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidSetOrListObject, "@set and @list objects may only also have @index");
            }

            if (result.ContainsKey(Keywords.Set))
            {
                output = setValue;
            }
        }

        if (output is Dictionary<string, object?> map)
        {
            // §5.1.2 step 18.
            if (map.Count == 1 && map.ContainsKey(Keywords.Language))
            {
                ThrowIfDroppedInSafeMode("an object with only @language would be dropped");
                return null;
            }

            // §5.1.2 step 19: free-floating values and lone @id maps at the top level are dropped.
            if (activeProperty is null || string.Equals(activeProperty, Keywords.Graph, StringComparison.Ordinal))
            {
                if (map.Count == 0 || map.ContainsKey(Keywords.Value) || map.ContainsKey(Keywords.List) || (map.Count == 1 && map.ContainsKey(Keywords.Id)))
                {
                    ThrowIfDroppedInSafeMode("a free-floating object would be dropped");
                    return null;
                }
            }
        }

        // §5.1.2 step 20.
        return output;
    }

    // §5.1.2 step 15: a value object may only have @direction, @index, @language, @type and @value, not both @type and
    // @language/@direction (15.1); a JSON literal may be anything (15.2); false when a null @value drops it (15.3);
    // only strings are language-tagged (15.4); a @type must be an IRI (15.5).
    private bool CheckValueObject(Dictionary<string, object?> result, object? value)
    {
        bool hasType = result.TryGetValue(Keywords.Type, out object? type);
        foreach (string k in result.Keys)
        {
            if (k is not (Keywords.Direction or Keywords.Index or Keywords.Language or Keywords.Type or Keywords.Value))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidValueObject, $"a value object cannot have the entry {k}");
            }
        }

        if (hasType && (result.ContainsKey(Keywords.Language) || result.ContainsKey(Keywords.Direction)))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidValueObject, "a value object cannot have both @type and @language/@direction");
        }

        if (hasType && type is string typeString && string.Equals(typeString, Keywords.Json, StringComparison.Ordinal))
        {
            // JSON literal: any value.
        }
        else if (value is null || (value is List<object?> { Count: 0 }))
        {
            ThrowIfDroppedInSafeMode("a value object with a null @value would be dropped");
            return false;
        }
        else if (value is not string && result.ContainsKey(Keywords.Language))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidLanguageTaggedValue, "only strings can be language-tagged");
        }
        else if (hasType && (type is not string t || !Iri.IsWellFormedAbsolute(t)))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTypedValue, "the @type of a value object must be an IRI");
        }

        return true;
    }

    // Safe mode turns a value the algorithm would drop into an error.
    private void ThrowIfDroppedInSafeMode(string message)
    {
        if (_options.SafeMode)
        {
            throw new JsonLdException(JsonLdErrorCode.SafeModeDroppedValue, message);
        }
    }

    /// <summary>Value Expansion (§5.3.2).</summary>
    private Dictionary<string, object?> ExpandValue(ActiveContext active, string activeProperty, object? value)
    {
        TermDefinition? term = active.GetTerm(activeProperty);
        string? typeMapping = term?.TypeMapping;
        if (value is string s)
        {
            if (string.Equals(typeMapping, Keywords.Id, StringComparison.Ordinal) || string.Equals(typeMapping, Keywords.Vocab, StringComparison.Ordinal))
            {
                bool vocab = string.Equals(typeMapping, Keywords.Vocab, StringComparison.Ordinal);
                string? id = ExpandIri(active, s, documentRelative: true, vocab: vocab);
                if (_options.SafeMode && (id is null || (!Iri.IsAbsolute(id) && !id.StartsWith("_:", StringComparison.Ordinal))))
                {
                    throw new JsonLdException(JsonLdErrorCode.SafeModeRelativeId, $"relative @id reference: {s} (at '{activeProperty}')");
                }

                return new Dictionary<string, object?>(1, StringComparer.Ordinal) { [Keywords.Id] = id };
            }
        }

        var result = new Dictionary<string, object?>(3, StringComparer.Ordinal) { [Keywords.Value] = value };
        if (typeMapping is not null and not (Keywords.Id or Keywords.Vocab or Keywords.None))
        {
            result[Keywords.Type] = typeMapping;
        }
        else if (value is string)
        {
            string? language = term is { HasLanguage: true } ? term.Language : active.DefaultLanguage;
            string? direction = term is { HasDirection: true } ? term.Direction : active.DefaultDirection;
            if (language is not null)
            {
                result[Keywords.Language] = language;
            }

            if (direction is not null)
            {
                result[Keywords.Direction] = direction;
            }
        }

        return result;
    }

    private void CheckLanguageTag(string tag)
    {
        if (!_options.SafeMode)
        {
            return;
        }

        bool ok = tag.Length > 0;
        int segment = 0;
        bool first = true;
        foreach (char c in tag)
        {
            if (c == '-')
            {
                ok &= segment > 0;
                segment = 0;
                first = false;
                continue;
            }

            ok &= first ? char.IsAsciiLetter(c) : char.IsAsciiLetterOrDigit(c);
            segment++;
            ok &= segment <= 8;
        }

        if (!ok || segment == 0)
        {
            throw new JsonLdException(JsonLdErrorCode.SafeModeInvalidLanguageTag, $"invalid language tag: {tag}");
        }
    }

    private static object? ToScalar(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out double d) || !double.IsFinite(d))
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidValueObjectValue, $"number out of range: {element.GetRawText()}");
                }

                return d;
            default:
                throw new InvalidOperationException("not a scalar");
        }
    }

    private static Entry[] SortedEntries(JsonElement element, string? excluded = null)
    {
        int count = 0;
        foreach (JsonProperty p in element.EnumerateObject())
        {
            if (excluded is null || !p.NameEquals(excluded))
            {
                count++;
            }
        }

        var entries = new Entry[count];
        int i = 0;
        foreach (JsonProperty p in element.EnumerateObject())
        {
            if (excluded is null || !p.NameEquals(excluded))
            {
                entries[i++] = new Entry(p.Name, p.Value);
            }
        }

        if (count > 1)
        {
            Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        return entries;
    }

    private static Dictionary<string, object?> GetOrAddReverseMap(Dictionary<string, object?> result)
    {
        if (result.TryGetValue(Keywords.Reverse, out object? existing) && existing is Dictionary<string, object?> map)
        {
            return map;
        }

        map = new Dictionary<string, object?>(StringComparer.Ordinal);
        result[Keywords.Reverse] = map;
        return map;
    }

    /// <summary>The spec's "add value" with <c>as array</c> true.</summary>
    private static void AddValue(Dictionary<string, object?> map, string key, object? value)
    {
        if (!map.TryGetValue(key, out object? existing) || existing is not List<object?> list)
        {
            list = existing is null && !map.ContainsKey(key) ? [] : [existing];
            map[key] = list;
        }

        if (value is List<object?> values)
        {
            list.AddRange(values);
        }
        else
        {
            list.Add(value);
        }
    }

    private static List<object?> AsList(object? value) => value switch
    {
        List<object?> list => list,
        null => [],
        _ => [value],
    };

    private static bool IsValueObject(object? value) => value is Dictionary<string, object?> map && map.ContainsKey(Keywords.Value);

    private static bool IsListObject(object? value) => value is Dictionary<string, object?> map && map.ContainsKey(Keywords.List);

    private static bool IsGraphObject(Dictionary<string, object?> map)
    {
        if (!map.ContainsKey(Keywords.Graph))
        {
            return false;
        }

        foreach (string k in map.Keys)
        {
            if (k is not (Keywords.Graph or Keywords.Id or Keywords.Index or Keywords.Context))
            {
                return false;
            }
        }

        return true;
    }

    private readonly record struct Entry(string Name, JsonElement Value);
}
