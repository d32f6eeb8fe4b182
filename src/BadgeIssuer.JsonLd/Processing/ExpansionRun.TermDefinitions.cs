using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

internal sealed partial class ExpansionRun
{
    /// <summary>
    /// Create Term Definition (§4.2.2). Reads as the specification's step list; each step group lives in a helper
    /// named after it. Steps 26 (unknown entries) and 11 (<c>@protected</c>) are checked as soon as the value is known
    /// to be a map, before any IRI expansion, as before.
    /// </summary>
    private void CreateTermDefinition(ActiveContext active, TermState state, string term)
    {
        // §4.2.2 step 1: already defined, or being defined (a cycle).
        if (state.Defined.TryGetValue(term, out bool done))
        {
            if (done)
            {
                return;
            }

            throw new JsonLdException(JsonLdErrorCode.CyclicIriMapping, $"cyclic IRI mapping for term '{term}'");
        }

        // §4.2.2 step 2: the empty term; mark the term as being defined.
        if (term.Length == 0)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, "the empty string is not a valid term");
        }

        state.Defined[term] = false;
        CountTermDefinition();

        // §4.2.2 step 3.
        state.Context.TryGet(term, out JsonElement value);

        // §4.2.2 steps 4-5: @type may only be refined; other keywords cannot be redefined; keyword-like terms are ignored.
        if (!CheckKeywordTerm(state, term, value))
        {
            return;
        }

        // §4.2.2 step 6.
        TermDefinition? previous = active.GetTerm(term);
        active.Terms.Remove(term);

        // §4.2.2 steps 7-9: a null or string value stands for {"@id": value}; otherwise the value must be a map.
        bool hasId = TryGetIdEntry(term, value, out JsonElement? idValue, out bool simpleTerm);

        // §4.2.2 step 10.
        bool isMap = value.ValueKind == JsonValueKind.Object;
        var definition = new TermDefinition { Protected = state.Protected };

        if (isMap)
        {
            // §4.2.2 steps 26, 11 and 12.
            CheckTermDefinitionEntries(term, value);
            ReadProtectedFlag(value, definition);
            ReadTypeMapping(active, state, term, value, definition);

            // §4.2.2 step 13: a reverse property is complete here.
            if (value.TryGetProperty(Keywords.Reverse, out JsonElement reverse))
            {
                CreateReverseTermDefinition(active, state, term, value, reverse, definition, previous);
                return;
            }
        }

        // §4.2.2 step 14: an @id that differs from the term; steps 15-18: the IRI mapping follows from the term.
        if (hasId && (idValue is null || idValue.Value.ValueKind != JsonValueKind.String || !idValue.Value.ValueEquals(term)))
        {
            if (idValue is not JsonElement explicitId)
            {
                // §4.2.2 step 14.1: a null @id keeps the term only to detect redefinitions.
                definition.IriMapping = null;
            }
            else if (!ReadIdMapping(active, state, term, explicitId, simpleTerm, definition))
            {
                return;
            }
        }
        else
        {
            SetIriMappingFromTerm(active, state, term, definition);
        }

        if (isMap)
        {
            // §4.2.2 steps 19-25.
            ReadContainerMapping(term, value, definition);
            ReadIndexMapping(active, state, term, value, definition);
            ReadScopedTermEntries(active, state, term, value, definition);
            ReadLanguageAndDirectionMappings(term, value, definition);
            ReadNestValue(term, value, definition);
            ReadPrefixFlag(term, value, definition);
        }

        // §4.2.2 steps 27-28.
        FinishTermDefinition(active, state, term, definition, previous);
    }

    // §4.2.2 steps 7-9: whether the definition has an @id entry (a null or string value is {"@id": value}), its value
    // (null for a null @id), and whether it is a simple term (a string value). Any other value is an error.
    private static bool TryGetIdEntry(string term, JsonElement value, out JsonElement? idValue, out bool simpleTerm)
    {
        idValue = null;
        simpleTerm = false;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                idValue = value;
                simpleTerm = true;
                return true;
            case JsonValueKind.Object:
                if (!value.TryGetProperty(Keywords.Id, out JsonElement id))
                {
                    return false;
                }

                idValue = id.ValueKind == JsonValueKind.Null ? null : id;
                return true;
            default:
                throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, $"the definition of term '{term}' must be a string, null or an object");
        }
    }

    // §4.2.2 steps 4-5: @type (JSON-LD 1.1 only) may only carry @container: @set and @protected; no other keyword may
    // be redefined; a term of keyword form ("@" 1*ALPHA) is ignored (an error in safe mode). False when it is ignored.
    private bool CheckKeywordTerm(TermState state, string term, JsonElement value)
    {
        if (string.Equals(term, Keywords.Type, StringComparison.Ordinal))
        {
            if (IsJsonLd10)
            {
                throw new JsonLdException(JsonLdErrorCode.KeywordRedefinition, "@type cannot be redefined in json-ld-1.0");
            }

            bool ok = value.ValueKind == JsonValueKind.Object;
            if (ok)
            {
                int count = 0;
                foreach (JsonProperty p in value.EnumerateObject())
                {
                    count++;
                    if (p.NameEquals(Keywords.Container))
                    {
                        ok &= p.Value.ValueKind == JsonValueKind.String && p.Value.ValueEquals(Keywords.Set);
                    }
                    else if (!p.NameEquals(Keywords.Protected))
                    {
                        ok = false;
                    }
                }

                ok &= count > 0;
            }

            if (!ok)
            {
                throw new JsonLdException(JsonLdErrorCode.KeywordRedefinition, "@type may only be given @container: @set and @protected");
            }
        }
        else if (Keywords.IsKeyword(term))
        {
            throw new JsonLdException(JsonLdErrorCode.KeywordRedefinition, $"keyword {term} cannot be redefined");
        }
        else if (Keywords.HasKeywordForm(term))
        {
            if (_options.SafeMode)
            {
                throw new JsonLdException(JsonLdErrorCode.SafeModeUndefinedTerm, $"reserved term: {term}");
            }

            state.Defined[term] = true;
            return false;
        }

        return true;
    }

    // §4.2.2 step 26: an expanded term definition may only have the entries the algorithm reads.
    private static void CheckTermDefinitionEntries(string term, JsonElement value)
    {
        foreach (JsonProperty p in value.EnumerateObject())
        {
            switch (p.Name)
            {
                case Keywords.Id:
                case Keywords.Reverse:
                case Keywords.Container:
                case Keywords.Context:
                case Keywords.Direction:
                case Keywords.Index:
                case Keywords.Language:
                case Keywords.Nest:
                case Keywords.Prefix:
                case Keywords.Protected:
                case Keywords.Type:
                    break;
                default:
                    throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, $"term '{term}' has an unknown entry '{p.Name}'");
            }
        }
    }

    // §4.2.2 step 11: @protected.
    private void ReadProtectedFlag(JsonElement value, TermDefinition definition)
    {
        if (!value.TryGetProperty(Keywords.Protected, out JsonElement prot))
        {
            return;
        }

        if (IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, "@protected is not allowed in json-ld-1.0");
        }

        if (prot.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidProtectedValue, "@protected must be true or false");
        }

        definition.Protected = prot.ValueKind == JsonValueKind.True;
    }

    // §4.2.2 step 12: @type (the type mapping).
    private void ReadTypeMapping(ActiveContext active, TermState state, string term, JsonElement value, TermDefinition definition)
    {
        if (!value.TryGetProperty(Keywords.Type, out JsonElement type))
        {
            return;
        }

        // §4.2.2 steps 12.1-12.2.
        if (type.ValueKind != JsonValueKind.String)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTypeMapping, $"@type of term '{term}' must be a string");
        }

        string? expandedType = ExpandIri(active, type.GetString()!, documentRelative: false, vocab: true, state);

        // §4.2.2 steps 12.3-12.4.
        if (expandedType is Keywords.Json or Keywords.None && IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTypeMapping, $"@type {expandedType} is not allowed in json-ld-1.0");
        }

        if (expandedType is null || (expandedType is not (Keywords.Id or Keywords.Json or Keywords.None or Keywords.Vocab) && !Iri.IsAbsolute(expandedType)))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTypeMapping, $"@type of term '{term}' is not an IRI");
        }

        // §4.2.2 step 12.5.
        definition.TypeMapping = expandedType;
    }

    // §4.2.2 step 13: @reverse. Completes the definition (step 13.7), unless the value has keyword form (step 13.3).
    private void CreateReverseTermDefinition(
        ActiveContext active,
        TermState state,
        string term,
        JsonElement value,
        JsonElement reverse,
        TermDefinition definition,
        TermDefinition? previous)
    {
        // §4.2.2 steps 13.1-13.2.
        if (value.TryGetProperty(Keywords.Id, out _) || value.TryGetProperty(Keywords.Nest, out _))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidReverseProperty, $"reverse term '{term}' cannot have @id or @nest");
        }

        if (reverse.ValueKind != JsonValueKind.String)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"@reverse of term '{term}' must be a string");
        }

        // §4.2.2 step 13.3.
        string reverseValue = reverse.GetString()!;
        if (Keywords.HasKeywordForm(reverseValue))
        {
            if (_options.SafeMode)
            {
                throw new JsonLdException(JsonLdErrorCode.SafeModeUndefinedTerm, $"reserved @reverse value: {reverseValue}");
            }

            state.Defined[term] = true;
            return;
        }

        // §4.2.2 step 13.4.
        string? mapped = ExpandIri(active, reverseValue, documentRelative: false, vocab: true, state);
        if (mapped is null || !mapped.Contains(':', StringComparison.Ordinal))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"@reverse of term '{term}' is not an IRI");
        }

        definition.IriMapping = mapped;

        // §4.2.2 step 13.5: reverse properties only take @set and @index containers.
        if (value.TryGetProperty(Keywords.Container, out JsonElement rc))
        {
            if (rc.ValueKind == JsonValueKind.Null)
            {
                definition.HasContainer = false;
            }
            else if (rc.ValueKind == JsonValueKind.String && (rc.ValueEquals(Keywords.Set) || rc.ValueEquals(Keywords.Index)))
            {
                definition.Container = rc.ValueEquals(Keywords.Set) ? Containers.Set : Containers.Index;
                definition.HasContainer = true;
            }
            else
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidReverseProperty, $"reverse term '{term}' may only use @set or @index containers");
            }
        }

        // §4.2.2 steps 13.6-13.7 (with step 20, @index, and steps 27-28).
        definition.Reverse = true;
        ReadIndexMapping(active, state, term, value, definition);
        FinishTermDefinition(active, state, term, definition, previous);
    }

    // §4.2.2 step 14.2: an explicit @id that differs from the term. False when the @id has keyword form (step 14.2.2)
    // and the term is ignored.
    private bool ReadIdMapping(ActiveContext active, TermState state, string term, JsonElement idValue, bool simpleTerm, TermDefinition definition)
    {
        // §4.2.2 step 14.2.1.
        if (idValue.ValueKind != JsonValueKind.String)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"@id of term '{term}' must be a string");
        }

        // §4.2.2 step 14.2.2.
        string id = idValue.GetString()!;
        if (!Keywords.IsKeyword(id) && Keywords.HasKeywordForm(id))
        {
            if (_options.SafeMode)
            {
                throw new JsonLdException(JsonLdErrorCode.SafeModeUndefinedTerm, $"reserved @id value: {id}");
            }

            state.Defined[term] = true;
            return false;
        }

        // §4.2.2 step 14.2.3.
        string? mapped = ExpandIri(active, id, documentRelative: false, vocab: true, state);
        if (mapped is null || (!Keywords.IsKeyword(mapped) && !mapped.Contains(':', StringComparison.Ordinal)))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"term '{term}' does not map to an IRI, blank node or keyword");
        }

        if (string.Equals(mapped, Keywords.Context, StringComparison.Ordinal))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidKeywordAlias, "@context cannot be aliased");
        }

        definition.IriMapping = mapped;

        // §4.2.2 step 14.2.4: a term that looks like an IRI must expand to its own IRI mapping.
        int colon = term.Length > 1 ? term.IndexOf(':', 1) : -1;
        if ((colon > 0 && colon < term.Length - 1) || term.Contains('/', StringComparison.Ordinal))
        {
            state.Defined[term] = true;
            string? termIri = ExpandIri(active, term, documentRelative: false, vocab: true, state);
            if (!string.Equals(termIri, mapped, StringComparison.Ordinal))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"term '{term}' looks like an IRI but maps to a different IRI");
            }
        }

        // §4.2.2 step 14.2.5: the prefix flag of a simple term.
        if (simpleTerm && !term.Contains(':', StringComparison.Ordinal) && !term.Contains('/', StringComparison.Ordinal)
            && (mapped.StartsWith("_:", StringComparison.Ordinal) || EndsWithGenDelim(mapped)))
        {
            definition.Prefix = true;
        }

        return true;
    }

    // §4.2.2 steps 15-18: the IRI mapping of a term without its own @id (a compact IRI, an IRI, @type, or @vocab + term).
    private void SetIriMappingFromTerm(ActiveContext active, TermState state, string term, TermDefinition definition)
    {
        if (term.Length > 1 && term.IndexOf(':', 1) > 0)
        {
            // §4.2.2 step 15: a compact IRI whose prefix may be defined in the same local context (15.1).
            int colon = term.IndexOf(':', 1);
            string prefix = term[..colon];
            string suffix = term[(colon + 1)..];
            if (state.Context.Contains(prefix))
            {
                CreateTermDefinition(active, state, prefix);
            }

            // §4.2.2 steps 15.2-15.3.
            if (active.GetTerm(prefix) is { IriMapping: not null } prefixDef)
            {
                definition.IriMapping = prefixDef.IriMapping + suffix;
            }
            else
            {
                definition.IriMapping = term;
            }
        }
        else if (term.Contains('/', StringComparison.Ordinal))
        {
            // §4.2.2 step 16: a relative IRI reference.
            string? mapped = ExpandIri(active, term, documentRelative: true, vocab: true);
            if (mapped is null || !Iri.IsAbsolute(mapped))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"term '{term}' is not an IRI");
            }

            definition.IriMapping = mapped;
        }
        else if (string.Equals(term, Keywords.Type, StringComparison.Ordinal))
        {
            // §4.2.2 step 17.
            definition.IriMapping = Keywords.Type;
        }
        else if (active.Vocab is not null)
        {
            // §4.2.2 step 18.
            definition.IriMapping = active.Vocab + term;
        }
        else
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"term '{term}' has no IRI mapping and there is no @vocab");
        }
    }

    // §4.2.2 step 19: @container (19.4: a @type container needs an @id or @vocab type mapping, @id by default).
    private void ReadContainerMapping(string term, JsonElement value, TermDefinition definition)
    {
        if (!value.TryGetProperty(Keywords.Container, out JsonElement container))
        {
            return;
        }

        definition.Container = ParseContainer(container, term);
        definition.HasContainer = true;
        if (definition.Has(Containers.Type))
        {
            definition.TypeMapping ??= Keywords.Id;
            if (definition.TypeMapping is not (Keywords.Id or Keywords.Vocab))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidTypeMapping, $"term '{term}' with @type container must have @type @id or @vocab");
            }
        }
    }

    // §4.2.2 steps 22-23: @language and @direction, read only when the definition has no @type.
    private static void ReadLanguageAndDirectionMappings(string term, JsonElement value, TermDefinition definition)
    {
        if (value.TryGetProperty(Keywords.Type, out _))
        {
            return;
        }

        if (value.TryGetProperty(Keywords.Language, out JsonElement lang))
        {
            definition.HasLanguage = true;
            definition.Language = lang.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => lang.GetString()!.ToLowerInvariant(),
                _ => throw new JsonLdException(JsonLdErrorCode.InvalidLanguageMapping, $"@language of term '{term}' must be a string or null"),
            };
        }

        if (value.TryGetProperty(Keywords.Direction, out JsonElement dir))
        {
            definition.HasDirection = true;
            definition.Direction = dir.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String when dir.ValueEquals("ltr") => "ltr",
                JsonValueKind.String when dir.ValueEquals("rtl") => "rtl",
                _ => throw new JsonLdException(JsonLdErrorCode.InvalidBaseDirection, $"@direction of term '{term}' must be \"ltr\", \"rtl\" or null"),
            };
        }
    }

    // §4.2.2 step 24: @nest.
    private void ReadNestValue(string term, JsonElement value, TermDefinition definition)
    {
        if (!value.TryGetProperty(Keywords.Nest, out JsonElement nest))
        {
            return;
        }

        if (IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, "@nest is not allowed in json-ld-1.0");
        }

        if (nest.ValueKind != JsonValueKind.String || (Keywords.IsKeyword(nest.GetString()) && !nest.ValueEquals(Keywords.Nest)))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidNestValue, $"@nest of term '{term}' must be a term or @nest");
        }

        definition.Nest = nest.GetString();
    }

    // §4.2.2 step 25: @prefix.
    private void ReadPrefixFlag(string term, JsonElement value, TermDefinition definition)
    {
        if (!value.TryGetProperty(Keywords.Prefix, out JsonElement prefixFlag))
        {
            return;
        }

        if (IsJsonLd10 || term.Contains(':', StringComparison.Ordinal) || term.Contains('/', StringComparison.Ordinal))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, $"@prefix is not allowed on term '{term}'");
        }

        if (prefixFlag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidPrefixValue, $"@prefix of term '{term}' must be true or false");
        }

        definition.Prefix = prefixFlag.ValueKind == JsonValueKind.True;
        if (definition.Prefix && Keywords.IsKeyword(definition.IriMapping))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, $"keyword alias '{term}' cannot be a prefix");
        }
    }

    // §4.2.2 step 20: @index (the index mapping).
    private void ReadIndexMapping(ActiveContext active, TermState state, string term, JsonElement value, TermDefinition definition)
    {
        if (!value.TryGetProperty(Keywords.Index, out JsonElement index))
        {
            return;
        }

        if (IsJsonLd10 || !definition.Has(Containers.Index))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, $"@index on term '{term}' requires an @index container");
        }

        string? indexIri = index.ValueKind == JsonValueKind.String ? ExpandIri(active, index.GetString()!, documentRelative: false, vocab: true, state) : null;
        if (indexIri is null || !Iri.IsAbsolute(indexIri) || Keywords.IsKeyword(index.GetString()))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, $"@index of term '{term}' must expand to an IRI");
        }

        definition.Index = index.GetString();
    }

    // §4.2.2 step 21: @context (a scoped context), processed once here only to detect errors (step 21.3).
    private void ReadScopedTermEntries(ActiveContext active, TermState state, string term, JsonElement value, TermDefinition definition)
    {
        if (!value.TryGetProperty(Keywords.Context, out JsonElement scoped))
        {
            return;
        }

        if (IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, "scoped contexts are not allowed in json-ld-1.0");
        }

        try
        {
            ProcessContext(active, scoped, state.BaseUrl, new List<string>(state.RemoteContexts), overrideProtected: true, propagate: true, validateScoped: false);
        }
        catch (JsonLdException ex) when (ex.Code is not (JsonLdErrorCode.ResourceLimitExceeded or JsonLdErrorCode.SafeModeUndefinedTerm or JsonLdErrorCode.SafeModeRelativeType))
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidScopedContext, $"the scoped context of term '{term}' is invalid: {ex.Message}", ex);
        }

        definition.Context = scoped;
        definition.ContextBaseUrl = state.BaseUrl;
    }

    // §4.2.2 steps 27-28: a protected term may only be redefined identically; store the definition and mark it defined.
    private static void FinishTermDefinition(ActiveContext active, TermState state, string term, TermDefinition definition, TermDefinition? previous)
    {
        if (!state.OverrideProtected && previous is { Protected: true })
        {
            if (!definition.SameAs(previous))
            {
                throw new JsonLdException(JsonLdErrorCode.ProtectedTermRedefinition, $"protected term '{term}' cannot be redefined");
            }

            definition = previous;
        }

        active.Terms[term] = definition;
        state.Defined[term] = true;
    }

    // §4.2.2 steps 19.1-19.3: the container value, a keyword or an array of keywords, as a flag set.
    private Containers ParseContainer(JsonElement container, string term)
    {
        Containers result = Containers.None;
        if (container.ValueKind == JsonValueKind.String)
        {
            result = ContainerFlag(container.GetString()!, term);
            if (IsJsonLd10 && result is Containers.Graph or Containers.Id or Containers.Type)
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidContainerMapping, $"container {container.GetString()} is not allowed in json-ld-1.0");
            }

            return result;
        }

        if (container.ValueKind != JsonValueKind.Array || IsJsonLd10)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidContainerMapping, $"invalid @container on term '{term}'");
        }

        foreach (JsonElement item in container.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidContainerMapping, $"invalid @container on term '{term}'");
            }

            result |= ContainerFlag(item.GetString()!, term);
        }

        bool valid = result switch
        {
            Containers.List or Containers.Set or Containers.Language or Containers.Index or Containers.Id or Containers.Type or Containers.Graph => true,
            _ when (result & Containers.List) != 0 => false,
            _ when (result & Containers.Graph) != 0 => (result & ~(Containers.Graph | Containers.Set | Containers.Id | Containers.Index)) == 0
                && (result & (Containers.Id | Containers.Index)) != (Containers.Id | Containers.Index),
            _ => (result & Containers.Set) != 0 && System.Numerics.BitOperations.PopCount((uint)(result & ~Containers.Set)) <= 1,
        };

        if (!valid)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidContainerMapping, $"invalid combination of containers on term '{term}'");
        }

        return result;
    }

    private static Containers ContainerFlag(string value, string term) => value switch
    {
        Keywords.List => Containers.List,
        Keywords.Set => Containers.Set,
        Keywords.Language => Containers.Language,
        Keywords.Index => Containers.Index,
        Keywords.Id => Containers.Id,
        Keywords.Type => Containers.Type,
        Keywords.Graph => Containers.Graph,
        _ => throw new JsonLdException(JsonLdErrorCode.InvalidContainerMapping, $"invalid container '{value}' on term '{term}'"),
    };

    private static bool EndsWithGenDelim(string iri)
    {
        char last = iri[^1];
        return last is ':' or '/' or '?' or '#' or '[' or ']' or '@';
    }

    /// <summary>IRI Expansion (§5.2.2).</summary>
    private string? ExpandIri(ActiveContext active, string value, bool documentRelative, bool vocab, TermState? local = null)
    {
        // §5.2.2 step 1: keywords (a null value never reaches here) expand to themselves.
        if (Keywords.IsKeyword(value))
        {
            return value;
        }

        // §5.2.2 step 2: a keyword-like value ("@" followed by letters) is ignored.
        if (Keywords.HasKeywordForm(value))
        {
            return null;
        }

        // §5.2.2 step 3: a term of the local context being processed is defined first.
        if (local is not null && local.Context.Contains(value) && !(local.Defined.TryGetValue(value, out bool d) && d))
        {
            CreateTermDefinition(active, local, value);
        }

        // §5.2.2 step 4: a term mapped to a keyword expands to that keyword.
        TermDefinition? term = active.GetTerm(value);
        if (term is not null && Keywords.IsKeyword(term.IriMapping))
        {
            return term.IriMapping;
        }

        // §5.2.2 step 5: vocabulary-relative, a term expands to its IRI mapping.
        if (vocab && term is not null)
        {
            return term.IriMapping;
        }

        // §5.2.2 step 6: a compact IRI or an absolute IRI (a colon after the first character).
        int colon = value.Length > 1 ? value.IndexOf(':', 1) : -1;
        if (colon > 0)
        {
            string prefix = value[..colon];
            // §5.2.2 step 6.2: a blank node identifier, or a suffix starting "//" (an IRI with an authority).
            if (string.Equals(prefix, "_", StringComparison.Ordinal) || value.AsSpan(colon + 1).StartsWith("//", StringComparison.Ordinal))
            {
                return value;
            }

            // §5.2.2 step 6.3: the prefix of the local context is defined first.
            if (local is not null && local.Context.Contains(prefix) && !(local.Defined.TryGetValue(prefix, out bool pd) && pd))
            {
                CreateTermDefinition(active, local, prefix);
            }

            // §5.2.2 step 6.4: a prefix term: its IRI mapping followed by the suffix.
            if (active.GetTerm(prefix) is { IriMapping: not null, Prefix: true } prefixDef)
            {
                return string.Concat(prefixDef.IriMapping, value.AsSpan(colon + 1));
            }

            // §5.2.2 step 6.5: already an absolute IRI.
            if (Iri.IsAbsolute(value))
            {
                return value;
            }
        }

        // §5.2.2 step 7: vocabulary-relative, the vocabulary mapping is prepended.
        if (vocab && active.Vocab is not null)
        {
            return active.Vocab + value;
        }

        // §5.2.2 step 8: document-relative, resolved against the base IRI.
        if (documentRelative)
        {
            return Iri.Resolve(active.BaseIri, value);
        }

        // §5.2.2 step 9.
        return value;
    }
}
