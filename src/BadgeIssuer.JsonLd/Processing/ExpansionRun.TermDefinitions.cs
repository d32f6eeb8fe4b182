using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

internal sealed partial class ExpansionRun
{
    /// <summary>Create Term Definition (4.2.2).</summary>
    private void CreateTermDefinition(ActiveContext active, TermState state, string term)
    {
        if (state.Defined.TryGetValue(term, out bool done))
        {
            if (done)
            {
                return;
            }

            throw new JsonLdException(JsonLdErrorCode.CyclicIriMapping, $"cyclic IRI mapping for term '{term}'");
        }

        if (term.Length == 0)
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, "the empty string is not a valid term");
        }

        state.Defined[term] = false;
        CountTermDefinition();
        state.Context.TryGet(term, out JsonElement value);

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
            return;
        }

        TermDefinition? previous = active.GetTerm(term);
        active.Terms.Remove(term);

        bool simpleTerm = false;
        JsonElement? idValue = null;
        bool hasId = false;
        if (value.ValueKind == JsonValueKind.Null)
        {
            hasId = true;
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            hasId = true;
            idValue = value;
            simpleTerm = true;
        }
        else if (value.ValueKind == JsonValueKind.Object)
        {
            if (value.TryGetProperty(Keywords.Id, out JsonElement id))
            {
                hasId = true;
                idValue = id.ValueKind == JsonValueKind.Null ? null : id;
            }
        }
        else
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidTermDefinition, $"the definition of term '{term}' must be a string, null or an object");
        }

        bool isMap = value.ValueKind == JsonValueKind.Object;
        var definition = new TermDefinition { Protected = state.Protected };

        if (isMap)
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

            if (value.TryGetProperty(Keywords.Protected, out JsonElement prot))
            {
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

            if (value.TryGetProperty(Keywords.Type, out JsonElement type))
            {
                if (type.ValueKind != JsonValueKind.String)
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidTypeMapping, $"@type of term '{term}' must be a string");
                }

                string? expandedType = ExpandIri(active, type.GetString()!, documentRelative: false, vocab: true, state);
                if (expandedType is Keywords.Json or Keywords.None && IsJsonLd10)
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidTypeMapping, $"@type {expandedType} is not allowed in json-ld-1.0");
                }

                if (expandedType is null || (expandedType is not (Keywords.Id or Keywords.Json or Keywords.None or Keywords.Vocab) && !Iri.IsAbsolute(expandedType)))
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidTypeMapping, $"@type of term '{term}' is not an IRI");
                }

                definition.TypeMapping = expandedType;
            }

            if (value.TryGetProperty(Keywords.Reverse, out JsonElement reverse))
            {
                if (value.TryGetProperty(Keywords.Id, out _) || value.TryGetProperty(Keywords.Nest, out _))
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidReverseProperty, $"reverse term '{term}' cannot have @id or @nest");
                }

                if (reverse.ValueKind != JsonValueKind.String)
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"@reverse of term '{term}' must be a string");
                }

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

                string? mapped = ExpandIri(active, reverseValue, documentRelative: false, vocab: true, state);
                if (mapped is null || !mapped.Contains(':', StringComparison.Ordinal))
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"@reverse of term '{term}' is not an IRI");
                }

                definition.IriMapping = mapped;
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

                definition.Reverse = true;
                ReadIndexMapping(active, state, term, value, definition);
                FinishTermDefinition(active, state, term, definition, previous);
                return;
            }
        }

        if (hasId && (idValue is null || idValue.Value.ValueKind != JsonValueKind.String || !idValue.Value.ValueEquals(term)))
        {
            if (idValue is null)
            {
                definition.IriMapping = null;
            }
            else
            {
                if (idValue.Value.ValueKind != JsonValueKind.String)
                {
                    throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"@id of term '{term}' must be a string");
                }

                string id = idValue.Value.GetString()!;
                if (!Keywords.IsKeyword(id) && Keywords.HasKeywordForm(id))
                {
                    if (_options.SafeMode)
                    {
                        throw new JsonLdException(JsonLdErrorCode.SafeModeUndefinedTerm, $"reserved @id value: {id}");
                    }

                    state.Defined[term] = true;
                    return;
                }

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

                if (simpleTerm && !term.Contains(':', StringComparison.Ordinal) && !term.Contains('/', StringComparison.Ordinal)
                    && (mapped.StartsWith("_:", StringComparison.Ordinal) || EndsWithGenDelim(mapped)))
                {
                    definition.Prefix = true;
                }
            }
        }
        else if (term.Length > 1 && term.IndexOf(':', 1) > 0)
        {
            int colon = term.IndexOf(':', 1);
            string prefix = term[..colon];
            string suffix = term[(colon + 1)..];
            if (state.Context.Contains(prefix))
            {
                CreateTermDefinition(active, state, prefix);
            }

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
            string? mapped = ExpandIri(active, term, documentRelative: true, vocab: true);
            if (mapped is null || !Iri.IsAbsolute(mapped))
            {
                throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"term '{term}' is not an IRI");
            }

            definition.IriMapping = mapped;
        }
        else if (string.Equals(term, Keywords.Type, StringComparison.Ordinal))
        {
            definition.IriMapping = Keywords.Type;
        }
        else if (active.Vocab is not null)
        {
            definition.IriMapping = active.Vocab + term;
        }
        else
        {
            throw new JsonLdException(JsonLdErrorCode.InvalidIriMapping, $"term '{term}' has no IRI mapping and there is no @vocab");
        }

        if (isMap)
        {
            if (value.TryGetProperty(Keywords.Container, out JsonElement container))
            {
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

            ReadIndexMapping(active, state, term, value, definition);
            ReadScopedTermEntries(active, state, term, value, definition);

            if (!value.TryGetProperty(Keywords.Type, out _))
            {
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

            if (value.TryGetProperty(Keywords.Nest, out JsonElement nest))
            {
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

            if (value.TryGetProperty(Keywords.Prefix, out JsonElement prefixFlag))
            {
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
        }

        FinishTermDefinition(active, state, term, definition, previous);
    }

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

    /// <summary>IRI Expansion (5.2.2).</summary>
    private string? ExpandIri(ActiveContext active, string value, bool documentRelative, bool vocab, TermState? local = null)
    {
        if (Keywords.IsKeyword(value))
        {
            return value;
        }

        if (Keywords.HasKeywordForm(value))
        {
            return null;
        }

        if (local is not null && local.Context.Contains(value) && !(local.Defined.TryGetValue(value, out bool d) && d))
        {
            CreateTermDefinition(active, local, value);
        }

        TermDefinition? term = active.GetTerm(value);
        if (term is not null && Keywords.IsKeyword(term.IriMapping))
        {
            return term.IriMapping;
        }

        if (vocab && term is not null)
        {
            return term.IriMapping;
        }

        int colon = value.Length > 1 ? value.IndexOf(':', 1) : -1;
        if (colon > 0)
        {
            string prefix = value[..colon];
            if (string.Equals(prefix, "_", StringComparison.Ordinal) || value.AsSpan(colon + 1).StartsWith("//", StringComparison.Ordinal))
            {
                return value;
            }

            if (local is not null && local.Context.Contains(prefix) && !(local.Defined.TryGetValue(prefix, out bool pd) && pd))
            {
                CreateTermDefinition(active, local, prefix);
            }

            if (active.GetTerm(prefix) is { IriMapping: not null, Prefix: true } prefixDef)
            {
                return string.Concat(prefixDef.IriMapping, value.AsSpan(colon + 1));
            }

            if (Iri.IsAbsolute(value))
            {
                return value;
            }
        }

        if (vocab && active.Vocab is not null)
        {
            return active.Vocab + value;
        }

        if (documentRelative)
        {
            return Iri.Resolve(active.BaseIri, value);
        }

        return value;
    }
}
