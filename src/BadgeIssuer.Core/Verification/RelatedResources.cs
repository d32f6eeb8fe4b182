// Integrity of related resources (VC Data Model 2.0 §5.3): a relatedResource entry names a resource by id and gives
// its digest as digestSRI (Subresource Integrity hash expressions, https://www.w3.org/TR/SRI/ §3.5: sha256, sha384 or
// sha512, then '-' and the base64 digest) and/or digestMultibase (VC Data Integrity 1.0 §2.6: a multibase-encoded
// multihash). A verifier that retrieves the resource MUST compute its digest and produce an error when it does not
// match, and SHOULD refuse a resource served with another media type than the entry's mediaType. The verifier gets
// resources only from an IRelatedResourceSource (the bundled contexts by default; the service adds what it publishes
// and what remote resolution may fetch); a resource it cannot get is reported as not checked, with the reason.

using System.Buffers.Text;
using System.Security.Cryptography;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Core.Verification;

/// <summary>A related resource as a source found it, or why there is none.</summary>
/// <param name="Content">The resource's bytes; null when it is not available.</param>
/// <param name="MediaType">The media type it was served as, when known (without parameters).</param>
/// <param name="Origin">Where it came from, for the report (e.g. "bundled context", "fetched from example.org").</param>
/// <param name="Unavailable">Why it is not available, when <paramref name="Content"/> is null.</param>
public sealed record RelatedResourceContent(ReadOnlyMemory<byte>? Content, string? MediaType, string Origin, string? Unavailable)
{
    /// <summary>A resource that is not available, and why.</summary>
    public static RelatedResourceContent NotAvailable(string why) => new(null, null, string.Empty, why);
}

/// <summary>Supplies the resources <c>relatedResource</c> entries name, for their digests to be checked. Nothing is fetched by the verifier itself.</summary>
public interface IRelatedResourceSource
{
    /// <summary>The resource at <paramref name="url"/>, at most <paramref name="maxBytes"/> long, or why it is not available.</summary>
    /// <param name="url">The entry's id.</param>
    /// <param name="mediaType">The entry's mediaType, when it gives one (a fetching source asks for it).</param>
    /// <param name="maxBytes">The largest resource accepted; a larger one is not available.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<RelatedResourceContent> GetAsync(string url, string? mediaType, int maxBytes, CancellationToken cancellationToken = default);
}

/// <summary>The JSON-LD contexts bundled with this verifier (the bytes the document loader serves), as <c>application/ld+json</c>.</summary>
public sealed class BundledContextResources : IRelatedResourceSource
{
    /// <summary>The media type bundled contexts are served as.</summary>
    public const string MediaType = "application/ld+json";

    private BundledContextResources()
    {
    }

    /// <summary>The one instance.</summary>
    public static BundledContextResources Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask<RelatedResourceContent> GetAsync(string url, string? mediaType, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        byte[]? bytes = BundledDocumentLoader.GetBundledBytes(url);
        return ValueTask.FromResult(bytes is null
            ? RelatedResourceContent.NotAvailable("it is not a context bundled with this verifier")
            : bytes.Length > maxBytes
                ? RelatedResourceContent.NotAvailable($"the bundled copy is larger than {maxBytes} bytes")
                : new RelatedResourceContent(bytes, MediaType, "bundled context", null));
    }
}

/// <summary>Asks each source in turn; the first that has the resource answers. The reasons of all are kept when none has it.</summary>
public sealed class CompositeRelatedResourceSource(IReadOnlyList<IRelatedResourceSource> sources) : IRelatedResourceSource
{
    private readonly IReadOnlyList<IRelatedResourceSource> _sources = sources ?? throw new ArgumentNullException(nameof(sources));

    /// <inheritdoc/>
    public async ValueTask<RelatedResourceContent> GetAsync(string url, string? mediaType, int maxBytes, CancellationToken cancellationToken = default)
    {
        var reasons = new List<string>(_sources.Count);
        foreach (IRelatedResourceSource source in _sources)
        {
            RelatedResourceContent found = await source.GetAsync(url, mediaType, maxBytes, cancellationToken).ConfigureAwait(false);
            if (found.Content is not null)
            {
                return found;
            }

            if (found.Unavailable is { Length: > 0 } why && !reasons.Contains(why, StringComparer.Ordinal))
            {
                reasons.Add(why);
            }
        }

        return RelatedResourceContent.NotAvailable(reasons.Count == 0 ? "no source has it" : string.Join("; ", reasons));
    }
}

/// <summary>The outcome of comparing one digest with a resource.</summary>
internal enum DigestOutcome
{
    /// <summary>The digest matches.</summary>
    Matched,

    /// <summary>The digest does not match: the resource is not the one the issuer named.</summary>
    Mismatched,

    /// <summary>The value is not a digest (bad encoding, wrong length): the entry is broken.</summary>
    Malformed,

    /// <summary>A well-formed digest with an algorithm or encoding this verifier does not support: not checked.</summary>
    Unsupported,
}

/// <summary>Checks <c>digestSRI</c> and <c>digestMultibase</c> values against a resource's bytes.</summary>
internal static class ResourceDigests
{
    /// <summary>
    /// SRI (§3.3.3–3.3.5): of the hash expressions with a supported algorithm, only those of the strongest algorithm
    /// count, and the resource matches when any of them does. Expressions are white-space separated; options after '?'
    /// are ignored.
    /// </summary>
    public static (DigestOutcome Outcome, string Detail) CheckSri(IEnumerable<string> values, ReadOnlySpan<byte> content)
    {
        var expressions = new List<(int Strength, string Algorithm, string Base64)>();
        foreach (string value in values)
        {
            foreach (string expression in value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                int dash = expression.IndexOf('-', StringComparison.Ordinal);
                if (dash < 0)
                {
                    return (DigestOutcome.Malformed, $"'{Short(expression)}' is not a hash expression (algorithm-base64)");
                }

                string algorithm = expression[..dash];
                string digest = expression[(dash + 1)..];
                int question = digest.IndexOf('?', StringComparison.Ordinal);
                if (question >= 0)
                {
                    digest = digest[..question];
                }

                int strength = algorithm switch { "sha256" => 1, "sha384" => 2, "sha512" => 3, _ => 0 };
                if (strength > 0)
                {
                    expressions.Add((strength, algorithm, digest));
                }
            }
        }

        if (expressions.Count == 0)
        {
            return (DigestOutcome.Unsupported, "no sha256, sha384 or sha512 hash expression");
        }

        int strongest = expressions.Max(e => e.Strength);
        string chosen = expressions.First(e => e.Strength == strongest).Algorithm;
        string actual = Convert.ToBase64String(Hash(chosen, content)!);
        foreach ((int strength, _, string base64) in expressions)
        {
            if (strength == strongest && string.Equals(base64, actual, StringComparison.Ordinal))
            {
                return (DigestOutcome.Matched, "digestSRI " + chosen);
            }
        }

        return (DigestOutcome.Mismatched, $"digestSRI {chosen} does not match (the resource's is {chosen}-{actual})");
    }

    /// <summary>
    /// One <c>digestMultibase</c> value: a multibase prefix (<c>z</c> base58btc, <c>u</c>/<c>U</c> base64url, <c>m</c>/<c>M</c>
    /// base64, <c>f</c>/<c>F</c> base16) over a multihash (varint code, varint length, digest) of sha2-256 (0x12),
    /// sha2-512 (0x13), sha3-512 (0x14), sha3-384 (0x15), sha3-256 (0x16) or sha2-384 (0x20).
    /// </summary>
    public static (DigestOutcome Outcome, string Detail) CheckMultibase(string value, ReadOnlySpan<byte> content)
    {
        if (value.Length < 2)
        {
            return (DigestOutcome.Malformed, "an empty multibase value");
        }

        byte[]? multihash = DecodeMultibase(value[0], value.AsSpan(1), out bool supported);
        if (!supported)
        {
            return (DigestOutcome.Unsupported, $"multibase encoding '{value[0]}' is not supported here (z, u, U, m, M, f, F are)");
        }

        if (multihash is null || multihash.Length < 3 || multihash[0] >= 0x80 || multihash[1] >= 0x80)
        {
            return (DigestOutcome.Malformed, $"'{Short(value)}' is not a multibase-encoded multihash");
        }

        string? algorithm = multihash[0] switch
        {
            0x12 => "sha2-256",
            0x13 => "sha2-512",
            0x14 => "sha3-512",
            0x15 => "sha3-384",
            0x16 => "sha3-256",
            0x20 => "sha2-384",
            _ => null,
        };
        if (algorithm is null)
        {
            return (DigestOutcome.Unsupported, $"multihash code 0x{multihash[0]:x2} is not a supported hash (sha2-256/384/512, sha3-256/384/512)");
        }

        byte[]? actual = Hash(algorithm, content);
        if (actual is null)
        {
            return (DigestOutcome.Unsupported, $"{algorithm} is not available on this platform");
        }

        if (multihash[1] != actual.Length || multihash.Length != 2 + actual.Length)
        {
            return (DigestOutcome.Malformed, $"the multihash's length does not fit {algorithm}");
        }

        return CryptographicOperations.FixedTimeEquals(multihash.AsSpan(2), actual)
            ? (DigestOutcome.Matched, "digestMultibase " + algorithm)
            : (DigestOutcome.Mismatched, $"digestMultibase {algorithm} does not match");
    }

    private static byte[]? DecodeMultibase(char prefix, ReadOnlySpan<char> encoded, out bool supported)
    {
        supported = true;
        try
        {
            switch (prefix)
            {
                case 'z':
                    return Base58Btc.Decode(encoded);
                case 'u':
                    return Base64UrlStrict.TryDecodeToArray(encoded, 1024);
                case 'U':
                    return Base64Url.IsValid(encoded) ? Base64Url.DecodeFromChars(encoded) : null;
                case 'm':
                case 'M':
                    // m is base64 without padding, M with it.
                    string padded = prefix == 'm' ? encoded.ToString() + new string('=', (4 - (encoded.Length % 4)) % 4) : encoded.ToString();
                    return Base64.IsValid(padded) ? Convert.FromBase64String(padded) : null;
                case 'f':
                case 'F':
                    return encoded.Length % 2 == 0 ? Convert.FromHexString(encoded) : null;
                default:
                    supported = false;
                    return null;
            }
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[]? Hash(string algorithm, ReadOnlySpan<byte> content) => algorithm switch
    {
        "sha256" or "sha2-256" => SHA256.HashData(content),
        "sha384" or "sha2-384" => SHA384.HashData(content),
        "sha512" or "sha2-512" => SHA512.HashData(content),
        "sha3-256" => SHA3_256.IsSupported ? SHA3_256.HashData(content) : null,
        "sha3-384" => SHA3_384.IsSupported ? SHA3_384.HashData(content) : null,
        "sha3-512" => SHA3_512.IsSupported ? SHA3_512.HashData(content) : null,
        _ => null,
    };

    private static string Short(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
