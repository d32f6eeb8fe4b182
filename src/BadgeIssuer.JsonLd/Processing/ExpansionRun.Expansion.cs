using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>The Expansion Algorithm (5.1.2) and Value Expansion (5.3.2).</summary>
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

    private object? Expand(ActiveContext active, string? activeProperty, JsonElement element, string? baseUrl, bool fromMap, int depth)
    {
        if (depth > _options.MaxDepth)
        {
            throw new JsonLdException(
                JsonLdErrorCode.ResourceLimitExceeded,
                string.Create(CultureInfo.InvariantCulture, $"the document is nested deeper than {_options.MaxDepth} levels"));
        }

        TermDefinition? activeTerm = activeProperty is null ? null : active.GetTerm(activeProperty);
        bool hasPropertyScope = activeTerm?.Context is not null;

        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array:
            {
                var result = new List<object?>(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                {
                    AppendExpandedItem(result, active, activeProperty, activeTerm, item, baseUrl, fromMap, depth);
                }

                return result;
            }

            case JsonValueKind.Object:
                return ExpandObject(active, activeProperty, activeTerm, element, baseUrl, fromMap, depth);
            default:
            {
                if (activeProperty is null || string.Equals(activeProperty, Keywords.Graph, StringComparison.Ordinal))
                {
                    if (_options.SafeMode)
                    {
                        throw new JsonLdException(JsonLdErrorCode.SafeModeDroppedValue, "free-floating scalar would be dropped");
                    }

                    return null;
                }

                if (hasPropertyScope)
                {
                    active = ApplyScopedContext(active, activeTerm!, overrideProtected: true, propagate: true);
                }

                return ExpandValue(active, activeProperty, ToScalar(element));
            }
        }
    }

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

    private object? ExpandObject(ActiveContext active, string? activeProperty, TermDefinition? activeTerm, JsonElement element, string? baseUrl, bool fromMap, int depth)
    {
        Entry[] entries = SortedEntries(element, depth == 0 ? _excludedTopLevelMember : null);

        // Step 7: a non-propagated (type-scoped) context reverts for new node objects.
        if (active.PreviousContext is not null && !fromMap)
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

            if (!hasValue && !onlyId)
            {
                active = active.PreviousContext;
            }
        }

        // Step 8: property-scoped context.
        if (activeTerm?.Context is not null)
        {
            active = ApplyScopedContext(active, activeTerm, overrideProtected: true, propagate: true);
        }

        // Step 9: embedded context.
        if (element.TryGetProperty(Keywords.Context, out JsonElement localContext))
        {
            active = ApplyInputContext(active, localContext, baseUrl);
        }

        // Steps 10-11: type-scoped contexts.
        ActiveContext typeScoped = active;
        string? inputType = null;
        bool firstTypeKey = true;
        foreach (Entry e in entries)
        {
            if (!string.Equals(ExpandIri(active, e.Name, documentRelative: false, vocab: true), Keywords.Type, StringComparison.Ordinal))
            {
                continue;
            }

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

        if (inputType is not null)
        {
            inputType = ExpandIri(active, inputType, documentRelative: false, vocab: true);
        }

        var result = new Dictionary<string, object?>(entries.Length, StringComparer.Ordinal);
        ExpandEntries(active, typeScoped, activeProperty, entries, result, inputType, baseUrl, depth);

        return FinishObject(result, activeProperty);
    }

    private ActiveContext ApplyTypeScope(ActiveContext active, ActiveContext typeScoped, string term)
    {
        TermDefinition? td = typeScoped.GetTerm(term);
        return td?.Context is null ? active : ApplyScopedContext(active, td, overrideProtected: false, propagate: false);
    }

    /// <summary>Steps 13 and 14 of the Expansion Algorithm.</summary>
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
        List<string>? nests = null;
        Dictionary<string, JsonElement>? nestValues = null;
        foreach (Entry entry in entries)
        {
            string key = entry.Name;
            JsonElement value = entry.Value;
            if (string.Equals(key, Keywords.Context, StringComparison.Ordinal))
            {
                continue;
            }

            string? expandedProperty = ExpandIri(active, key, documentRelative: false, vocab: true);
            if (expandedProperty is null || (!expandedProperty.Contains(':', StringComparison.Ordinal) && !Keywords.IsKeyword(expandedProperty)))
            {
                if (_options.SafeMode)
                {
                    throw new JsonLdException(JsonLdErrorCode.SafeModeUndefinedTerm, $"undefined term: {key}");
                }

                continue;
            }

            if (Keywords.IsKeyword(expandedProperty))
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

                object? expandedValue;
                switch (expandedProperty)
                {
                    case Keywords.Id:
                    {
                        if (value.ValueKind != JsonValueKind.String)
                        {
                            throw new JsonLdException(JsonLdErrorCode.InvalidIdValue, $"@id must be a string (at '{key}')");
                        }

                        string id = value.GetString()!;
                        string? expandedId = ExpandIri(active, id, documentRelative: true, vocab: false);
                        if (_options.SafeMode && (expandedId is null || (!Iri.IsAbsolute(expandedId) && !expandedId.StartsWith("_:", StringComparison.Ordinal))))
                        {
                            throw new JsonLdException(JsonLdErrorCode.SafeModeRelativeId, $"relative @id reference: {id}");
                        }

                        // A keyword-like @id expands to null and is kept as null (jsonld.js and the W3C suite do so).
                        result[Keywords.Id] = expandedId;
                        continue;
                    }

                    case Keywords.Type:
                        expandedValue = ExpandTypeValue(typeScoped, value, key, result);
                        break;

                    case Keywords.Graph:
                        expandedValue = AsList(Expand(active, Keywords.Graph, value, baseUrl, fromMap: false, depth + 1));
                        break;

                    case Keywords.Included:
                    {
                        if (IsJsonLd10)
                        {
                            continue;
                        }

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

                        expandedValue = included;
                        break;
                    }

                    case Keywords.Value:
                    {
                        if (string.Equals(inputType, Keywords.Json, StringComparison.Ordinal))
                        {
                            if (IsJsonLd10)
                            {
                                throw new JsonLdException(JsonLdErrorCode.InvalidValueObjectValue, "@json is not allowed in json-ld-1.0");
                            }

                            expandedValue = value.Clone();
                        }
                        else if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                        {
                            throw new JsonLdException(JsonLdErrorCode.InvalidValueObjectValue, "@value must be a scalar or null");
                        }
                        else
                        {
                            expandedValue = ToScalar(value);
                        }

                        if (expandedValue is null)
                        {
                            result[Keywords.Value] = null;
                            continue;
                        }

                        break;
                    }

                    case Keywords.Language:
                    {
                        if (value.ValueKind != JsonValueKind.String)
                        {
                            throw new JsonLdException(JsonLdErrorCode.InvalidLanguageTaggedString, "@language must be a string");
                        }

                        string lang = value.GetString()!;
                        CheckLanguageTag(lang);
                        expandedValue = lang.ToLowerInvariant();
                        break;
                    }

                    case Keywords.Direction:
                    {
                        if (IsJsonLd10)
                        {
                            continue;
                        }

                        if (value.ValueKind != JsonValueKind.String || !(value.ValueEquals("ltr") || value.ValueEquals("rtl")))
                        {
                            throw new JsonLdException(JsonLdErrorCode.InvalidBaseDirection, "@direction must be \"ltr\" or \"rtl\"");
                        }

                        expandedValue = value.GetString();
                        break;
                    }

                    case Keywords.Index:
                    {
                        if (value.ValueKind != JsonValueKind.String)
                        {
                            throw new JsonLdException(JsonLdErrorCode.InvalidIndexValue, "@index must be a string");
                        }

                        expandedValue = value.GetString();
                        break;
                    }

                    case Keywords.List:
                    {
                        if (activeProperty is null || string.Equals(activeProperty, Keywords.Graph, StringComparison.Ordinal))
                        {
                            if (_options.SafeMode)
                            {
                                throw new JsonLdException(JsonLdErrorCode.SafeModeDroppedValue, "free-floating @list would be dropped");
                            }

                            continue;
                        }

                        expandedValue = AsList(Expand(active, activeProperty, value, baseUrl, fromMap: false, depth + 1));
                        break;
                    }

                    case Keywords.Set:
                        expandedValue = Expand(active, activeProperty, value, baseUrl, fromMap: false, depth + 1);
                        break;

                    case Keywords.Reverse:
                    {
                        if (value.ValueKind != JsonValueKind.Object)
                        {
                            throw new JsonLdException(JsonLdErrorCode.InvalidReverseValue, "@reverse must be an object");
                        }

                        var reversed = (Dictionary<string, object?>?)Expand(active, Keywords.Reverse, value, baseUrl, fromMap: false, depth + 1);
                        if (reversed is not null)
                        {
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
                                if (string.Equals(kv.Key, Keywords.Reverse, StringComparison.Ordinal))
                                {
                                    continue;
                                }

                                reverseMap ??= GetOrAddReverseMap(result);
                                foreach (object? item in AsList(kv.Value))
                                {
                                    if (IsValueObject(item) || IsListObject(item))
                                    {
                                        throw new JsonLdException(JsonLdErrorCode.InvalidReversePropertyValue, $"reverse property {kv.Key} cannot take a value or list object");
                                    }

                                    AddValue(reverseMap, kv.Key, item);
                                }
                            }
                        }

                        continue;
                    }

                    case Keywords.Nest:
                        nests ??= [];
                        nestValues ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                        if (!nestValues.ContainsKey(key))
                        {
                            nests.Add(key);
                            nestValues[key] = value;
                        }

                        continue;

                    default:
                        // Framing keywords (@default, @embed, ...) are ignored outside frame expansion.
                        continue;
                }

                if (expandedValue is not null)
                {
                    result[expandedProperty] = expandedValue;
                }

                continue;
            }

            TermDefinition? term = active.GetTerm(key);
            Containers container = term?.Container ?? Containers.None;
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

            if (expanded is null)
            {
                continue;
            }

            if ((container & Containers.List) != 0 && !IsListObject(expanded))
            {
                expanded = new Dictionary<string, object?>(1, StringComparer.Ordinal) { [Keywords.List] = AsList(expanded) };
            }

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

            if (term is not null && term.Reverse)
            {
                Dictionary<string, object?> reverseMap = GetOrAddReverseMap(result);
                foreach (object? item in AsList(expanded))
                {
                    if (IsValueObject(item) || IsListObject(item))
                    {
                        throw new JsonLdException(JsonLdErrorCode.InvalidReversePropertyValue, $"reverse property {key} cannot take a value or list object");
                    }

                    AddValue(reverseMap, expandedProperty, item);
                }
            }
            else
            {
                AddValue(result, expandedProperty, expanded);
            }
        }

        if (nests is null)
        {
            return;
        }

        foreach (string nestingKey in nests)
        {
            JsonElement nestValue = nestValues![nestingKey];
            if (nestValue.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement nested in nestValue.EnumerateArray())
                {
                    ExpandNested(active, typeScoped, nestingKey, nested, result, inputType, baseUrl, depth);
                }
            }
            else
            {
                ExpandNested(active, typeScoped, nestingKey, nestValue, result, inputType, baseUrl, depth);
            }
        }
    }

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

    private List<object?> ExpandIndexMap(ActiveContext active, string key, TermDefinition term, JsonElement value, string? baseUrl, int depth)
    {
        var expanded = new List<object?>();
        Containers container = term.Container;
        string indexKey = term.Index ?? Keywords.Index;
        foreach (Entry entry in SortedEntries(value))
        {
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

            string? expandedIndex = ExpandIri(active, index, documentRelative: false, vocab: true);
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

        return expanded;
    }

    /// <summary>Steps 15-20 of the Expansion Algorithm.</summary>
    private object? FinishObject(Dictionary<string, object?> result, string? activeProperty)
    {
        object? output = result;
        if (result.TryGetValue(Keywords.Value, out object? value))
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
                if (_options.SafeMode)
                {
                    throw new JsonLdException(JsonLdErrorCode.SafeModeDroppedValue, "a value object with a null @value would be dropped");
                }

                return null;
            }
            else if (value is not string && result.ContainsKey(Keywords.Language))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidLanguageTaggedValue, "only strings can be language-tagged");
            }
            else if (hasType && (type is not string t || !Iri.IsWellFormedAbsolute(t)))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidTypedValue, "the @type of a value object must be an IRI");
            }
        }
        else if (result.TryGetValue(Keywords.Type, out object? type) && type is not List<object?>)
        {
            result[Keywords.Type] = new List<object?> { type };
        }
        else if (result.TryGetValue(Keywords.Set, out object? setValue) | result.ContainsKey(Keywords.List))
        {
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
            if (map.Count == 1 && map.ContainsKey(Keywords.Language))
            {
                if (_options.SafeMode)
                {
                    throw new JsonLdException(JsonLdErrorCode.SafeModeDroppedValue, "an object with only @language would be dropped");
                }

                return null;
            }

            if (activeProperty is null || string.Equals(activeProperty, Keywords.Graph, StringComparison.Ordinal))
            {
                if (map.Count == 0 || map.ContainsKey(Keywords.Value) || map.ContainsKey(Keywords.List) || (map.Count == 1 && map.ContainsKey(Keywords.Id)))
                {
                    if (_options.SafeMode)
                    {
                        throw new JsonLdException(JsonLdErrorCode.SafeModeDroppedValue, "a free-floating object would be dropped");
                    }

                    return null;
                }
            }
        }

        return output;
    }

    /// <summary>Value Expansion (5.3.2).</summary>
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
