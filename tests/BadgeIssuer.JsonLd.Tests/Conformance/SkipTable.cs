namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>
/// Every skip of the W3C JSON-LD runner, in one place: a few rules (features out of scope by design) and a
/// table of individual tests keyed by <c>manifest#id</c>. A test not matched here is run.
/// </summary>
public static class SkipTable
{
    /// <summary>
    /// Individual tests skipped with a reason, keyed by <c>manifest#id</c> (e.g. <c>toRdf#te075</c>).
    /// Empty until a test is found that cannot pass by design; a known bug is a failure, not a skip.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ById { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    /// <summary>HTTP behaviour options of the remote-doc part of the suite.</summary>
    private static readonly string[] s_httpOptions = ["contentType", "httpLink", "redirectTo", "httpStatus"];

    /// <summary>Returns the reason <paramref name="test"/> is skipped, or null when it is run.</summary>
    public static string? ReasonToSkip(SuiteTest test)
    {
        ArgumentNullException.ThrowIfNull(test);

        if (ById.TryGetValue(test.Manifest + "#" + test.Id, out string? reason))
        {
            return reason;
        }

        // Rule 1: tests that pin JSON-LD 1.0 behaviour; this library implements JSON-LD 1.1.
        if (string.Equals(test.OptionString("specVersion"), "json-ld-1.0", StringComparison.Ordinal))
        {
            return "JSON-LD 1.0-only test";
        }

        // Rule 2: remote-document/HTTP behaviour; the library never fetches documents, by design.
        foreach (string option in s_httpOptions)
        {
            if (test.Option.TryGetProperty(option, out _))
            {
                return $"remote-document/HTTP option '{option}' — not supported by design (no network loading)";
            }
        }

        // Rule 3: HTML input (JSON-LD in <script> elements); not supported by design.
        if (test.Input.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
        {
            return "HTML input — not supported by design (JSON documents only)";
        }

        return null;
    }
}
