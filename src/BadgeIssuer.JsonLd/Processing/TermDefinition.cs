using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>Container mapping flags of a term definition.</summary>
[Flags]
internal enum Containers
{
    None = 0,
    List = 1,
    Set = 2,
    Language = 4,
    Index = 8,
    Id = 16,
    Type = 32,
    Graph = 64,
}

/// <summary>A term definition (JSON-LD 1.1 Processing Algorithms 4.2). Immutable once its context is built.</summary>
internal sealed class TermDefinition
{
    /// <summary>The IRI mapping; null for a term explicitly mapped to null.</summary>
    public string? IriMapping { get; set; }

    public bool Reverse { get; set; }

    public string? TypeMapping { get; set; }

    public bool HasLanguage { get; set; }

    public string? Language { get; set; }

    public bool HasDirection { get; set; }

    public string? Direction { get; set; }

    public Containers Container { get; set; }

    public bool HasContainer { get; set; }

    public bool Prefix { get; set; }

    public bool Protected { get; set; }

    public string? Index { get; set; }

    public string? Nest { get; set; }

    /// <summary>The scoped (local) context, if any, and the base URL it is resolved against.</summary>
    public JsonElement? Context { get; set; }

    public string? ContextBaseUrl { get; set; }

    public bool Has(Containers c) => (Container & c) != 0;

    /// <summary>Structural equality ignoring <see cref="Protected"/> (for protected-term redefinition).</summary>
    public bool SameAs(TermDefinition other)
    {
        return string.Equals(IriMapping, other.IriMapping, StringComparison.Ordinal)
            && Reverse == other.Reverse
            && string.Equals(TypeMapping, other.TypeMapping, StringComparison.Ordinal)
            && HasLanguage == other.HasLanguage
            && string.Equals(Language, other.Language, StringComparison.Ordinal)
            && HasDirection == other.HasDirection
            && string.Equals(Direction, other.Direction, StringComparison.Ordinal)
            && Container == other.Container
            && Prefix == other.Prefix
            && string.Equals(Index, other.Index, StringComparison.Ordinal)
            && string.Equals(Nest, other.Nest, StringComparison.Ordinal)
            && ContextEquals(Context, other.Context);
    }

    private static bool ContextEquals(JsonElement? a, JsonElement? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return JsonElement.DeepEquals(a.Value, b.Value);
    }
}
