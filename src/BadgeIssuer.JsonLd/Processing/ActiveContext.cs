using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// An active context (JSON-LD 1.1 Processing Algorithms 4.1). Immutable once built. Derivations keyed by a
/// loaded context URL or by a term definition's scoped context are memoised on their parent; the roots are
/// shared per document loader (<see cref="RootContexts"/>), so an OB credential's contexts are processed once.
/// Contexts derived from inline (document) contexts are never reachable from a shared root.
/// </summary>
internal sealed class ActiveContext
{
    private const int MaxDerivedPerContext = 512;

    private ConcurrentDictionary<DerivationKey, ActiveContext>? _derived;

    public ActiveContext(string? baseIri)
    {
        Terms = new Dictionary<string, TermDefinition>(StringComparer.Ordinal);
        BaseIri = baseIri;
        OriginalBaseUrl = baseIri;
    }

    private ActiveContext(ActiveContext source)
    {
        Terms = new Dictionary<string, TermDefinition>(source.Terms, StringComparer.Ordinal);
        BaseIri = source.BaseIri;
        OriginalBaseUrl = source.OriginalBaseUrl;
        Vocab = source.Vocab;
        DefaultLanguage = source.DefaultLanguage;
        DefaultDirection = source.DefaultDirection;
        PreviousContext = source.PreviousContext;
    }

    public Dictionary<string, TermDefinition> Terms { get; }

    public string? BaseIri { get; set; }

    public string? OriginalBaseUrl { get; set; }

    public string? Vocab { get; set; }

    public string? DefaultLanguage { get; set; }

    public string? DefaultDirection { get; set; }

    public ActiveContext? PreviousContext { get; set; }

    public ActiveContext Clone() => new(this);

    public bool HasProtectedTerms()
    {
        foreach (TermDefinition td in Terms.Values)
        {
            if (td.Protected)
            {
                return true;
            }
        }

        return false;
    }

    public TermDefinition? GetTerm(string term) => Terms.GetValueOrDefault(term);

    public bool TryGetDerived(in DerivationKey key, out ActiveContext? derived)
    {
        derived = null;
        return _derived is not null && _derived.TryGetValue(key, out derived);
    }

    public void AddDerived(in DerivationKey key, ActiveContext derived)
    {
        ConcurrentDictionary<DerivationKey, ActiveContext> map = _derived ?? Interlocked.CompareExchange(ref _derived, new ConcurrentDictionary<DerivationKey, ActiveContext>(), null) ?? _derived!;
        if (map.Count < MaxDerivedPerContext)
        {
            map.TryAdd(key, derived);
        }
    }
}

/// <summary>Identifies a derivation of an active context: the local context (a URL string or a term definition) and the flags.</summary>
internal readonly record struct DerivationKey(object Source, int Flags);

/// <summary>
/// Initial (empty) active contexts, memoised per document loader, base IRI, processing mode and
/// <see cref="JsonLdOptions.UnwrapNestedContextObjects"/> (a context processed leniently must not serve a strict run).
/// </summary>
internal static class RootContexts
{
    private const int MaxRootsPerLoader = 256;

    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<(System.Reflection.MethodInfo, string, bool, bool), ActiveContext>> s_byTarget = new();
    private static readonly ConcurrentDictionary<(System.Reflection.MethodInfo, string, bool, bool), ActiveContext> s_static = new();

    public static ActiveContext Get(JsonLdOptions options)
    {
        DocumentLoader loader = options.DocumentLoader;
        ConcurrentDictionary<(System.Reflection.MethodInfo, string, bool, bool), ActiveContext> map =
            loader.Target is null ? s_static : s_byTarget.GetValue(loader.Target, static _ => new());
        var key = (loader.Method, options.Base ?? string.Empty, options.IsJsonLd10, options.UnwrapNestedContextObjects);
        if (map.TryGetValue(key, out ActiveContext? root))
        {
            return root;
        }

        root = new ActiveContext(options.Base);
        return map.Count < MaxRootsPerLoader ? map.GetOrAdd(key, root) : root;
    }
}
