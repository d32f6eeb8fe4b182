using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>The hash algorithm RDFC-1.0 uses.</summary>
public enum RdfcHashAlgorithm
{
    Sha256,
    Sha384,
}

/// <summary>Options for RDFC-1.0.</summary>
public sealed class RdfcOptions
{
    /// <summary>Default for <see cref="MaxHashNDegreeCalls"/>.</summary>
    /// <remarks>
    /// The heaviest positive test of the W3C suite (test044) needs 468 calls, so 4096 leaves ~8x headroom, while the
    /// suite's poison graph (test074, a 10-node clique) is rejected in about a tenth of a second. Credentials with
    /// distinguishable blank nodes need no call at all. Counting calls bounds the total work: within one call, every
    /// permutation of not-yet-labelled related nodes recurses at least once.
    /// </remarks>
    public const int DefaultMaxHashNDegreeCalls = 4096;

    public RdfcHashAlgorithm HashAlgorithm { get; init; } = RdfcHashAlgorithm.Sha256;

    /// <summary>
    /// Upper bound on Hash N-Degree Quads invocations (the algorithm's exponential part), counted over the whole run.
    /// Exceeding it throws <see cref="RdfcWorkLimitExceededException"/>, as does recursion too deep for the stack.
    /// </summary>
    public int MaxHashNDegreeCalls { get; init; } = DefaultMaxHashNDegreeCalls;

    public static RdfcOptions Default { get; } = new();
}

/// <summary>The result of RDFC-1.0: the canonical N-Quads, the canonical quads in order, and the issued identifiers.</summary>
public sealed class RdfcResult
{
    public RdfcResult(string canonicalNQuads, IReadOnlyList<RdfQuad> quads, IReadOnlyDictionary<string, string> issuedIdentifiers)
    {
        CanonicalNQuads = canonicalNQuads;
        Quads = quads;
        IssuedIdentifiers = issuedIdentifiers;
    }

    /// <summary>The canonical N-Quads document (sorted lines, each ending in <c>\n</c>).</summary>
    public string CanonicalNQuads { get; }

    /// <summary>The relabelled quads, sorted in canonical order.</summary>
    public IReadOnlyList<RdfQuad> Quads { get; }

    /// <summary>Input blank node label (without <c>_:</c>) → canonical label (<c>c14nN</c>, without <c>_:</c>).</summary>
    public IReadOnlyDictionary<string, string> IssuedIdentifiers { get; }
}

/// <summary>Thrown when RDFC-1.0 exceeds <see cref="RdfcOptions.MaxHashNDegreeCalls"/> (a poison graph).</summary>
public sealed class RdfcWorkLimitExceededException : Exception
{
    public RdfcWorkLimitExceededException()
        : base("canonicalization work limit exceeded")
    {
    }

    public RdfcWorkLimitExceededException(string message)
        : base(message)
    {
    }

    public RdfcWorkLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation 2024).</summary>
public static class RdfCanonicalizer
{
    /// <summary>Canonicalizes <paramref name="dataset"/>.</summary>
    /// <exception cref="RdfcWorkLimitExceededException">
    /// Hash N-Degree Quads ran more than <see cref="RdfcOptions.MaxHashNDegreeCalls"/> times.
    /// </exception>
    public static RdfcResult Canonicalize(RdfDataset dataset, RdfcOptions? options = null)
        => Canonicalize(dataset, options, out _);

    /// <summary>Canonicalizes <paramref name="dataset"/>, reporting how often Hash N-Degree Quads ran.</summary>
    internal static RdfcResult Canonicalize(RdfDataset dataset, RdfcOptions? options, out int hashNDegreeCalls)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= RdfcOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxHashNDegreeCalls, nameof(options));
        if (options.HashAlgorithm is not (RdfcHashAlgorithm.Sha256 or RdfcHashAlgorithm.Sha384))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HashAlgorithm, "Unsupported RDFC-1.0 hash algorithm.");
        }

        using var run = new Rdfc10(dataset.Quads, options);
        try
        {
            return run.Run();
        }
        finally
        {
            hashNDegreeCalls = run.HashNDegreeCalls;
        }
    }

    /// <summary>Canonicalizes the dataset and returns the canonical N-Quads.</summary>
    public static string CanonicalizeToNQuads(RdfDataset dataset, RdfcOptions? options = null)
        => Canonicalize(dataset, options).CanonicalNQuads;
}
