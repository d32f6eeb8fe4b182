using System.Globalization;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>
/// Dataset isomorphism for the toRdf tests: two datasets are isomorphic exactly when their RDFC-1.0 canonical
/// N-Quads are equal. Language tags are case-insensitive in RDF and the suite writes them in lower case, so
/// they are lower-cased on both sides first; nothing else is normalised.
/// </summary>
public static class CanonicalDataset
{
    public static string Of(RdfDataset dataset) => Of(dataset, predicateNames: null);

    /// <summary>
    /// Isomorphism for generalized RDF (blank-node predicates, which RDFC-1.0 does not define): every bijection
    /// between the two sides' blank-node predicates is tried, with each predicate renamed to a fixed IRI, and the
    /// datasets are isomorphic when one bijection makes the canonical forms equal. Used only for the few suite
    /// tests with <c>produceGeneralizedRdf</c>, which have two or three such predicates.
    /// </summary>
    public static bool AreIsomorphic(RdfDataset expected, RdfDataset actual)
    {
        List<string> expectedPredicates = BlankPredicates(expected);
        List<string> actualPredicates = BlankPredicates(actual);
        if (expectedPredicates.Count == 0 && actualPredicates.Count == 0)
        {
            return string.Equals(Of(expected), Of(actual), StringComparison.Ordinal);
        }

        if (expectedPredicates.Count != actualPredicates.Count || expectedPredicates.Count > 6)
        {
            return false;
        }

        var expectedNames = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < expectedPredicates.Count; i++)
        {
            expectedNames[expectedPredicates[i]] = "urn:test:blank-predicate:" + i.ToString(CultureInfo.InvariantCulture);
        }

        string target = Of(expected, expectedNames);
        foreach (int[] permutation in Permutations(actualPredicates.Count))
        {
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < permutation.Length; i++)
            {
                names[actualPredicates[i]] = "urn:test:blank-predicate:" + permutation[i].ToString(CultureInfo.InvariantCulture);
            }

            if (string.Equals(target, Of(actual, names), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Of(RdfDataset dataset, Dictionary<string, string>? predicateNames)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var normalised = new RdfDataset();
        foreach (RdfQuad quad in dataset.Quads)
        {
            RdfTerm predicate = quad.Predicate.IsBlankNode && predicateNames is not null
                ? RdfTerm.Iri(predicateNames[quad.Predicate.Value])
                : quad.Predicate;
            normalised.Add(quad with { Predicate = predicate, Object = LowerLanguage(quad.Object) });
        }

        return RdfCanonicalizer.Canonicalize(normalised).CanonicalNQuads;
    }

    private static List<string> BlankPredicates(RdfDataset dataset)
    {
        var result = new List<string>();
        foreach (RdfQuad quad in dataset.Quads)
        {
            if (quad.Predicate.IsBlankNode && !result.Contains(quad.Predicate.Value, StringComparer.Ordinal))
            {
                result.Add(quad.Predicate.Value);
            }
        }

        return result;
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        int[] items = Enumerable.Range(0, n).ToArray();
        return Permute(items, 0);

        static IEnumerable<int[]> Permute(int[] a, int k)
        {
            if (k == a.Length)
            {
                yield return (int[])a.Clone();
                yield break;
            }

            for (int i = k; i < a.Length; i++)
            {
                (a[k], a[i]) = (a[i], a[k]);
                foreach (int[] p in Permute(a, k + 1))
                {
                    yield return p;
                }

                (a[k], a[i]) = (a[i], a[k]);
            }
        }
    }

    private static RdfTerm LowerLanguage(RdfTerm term)
        => term.IsLiteral && term.Language is not null
            ? term with { Language = term.Language.ToLower(CultureInfo.InvariantCulture) }
            : term;
}
