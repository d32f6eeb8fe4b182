using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdfc;

public sealed class RdfcWorkLimitTests
{
    private readonly ITestOutputHelper _output;

    public RdfcWorkLimitTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void Default_limit_covers_every_positive_suite_test_with_headroom()
    {
        int heaviest = 0;
        string heaviestId = string.Empty;
        foreach (RdfCanonEntry entry in RdfCanonManifest.Entries)
        {
            if (string.Equals(entry.Type, RdfCanonManifest.NegativeEvalTest, StringComparison.Ordinal))
            {
                continue;
            }

            var options = new RdfcOptions { HashAlgorithm = entry.HashAlgorithm, MaxHashNDegreeCalls = int.MaxValue };
            RdfCanonicalizer.Canonicalize(RdfCanonManifest.LoadInput(entry), options, out int calls);
            if (calls > heaviest)
            {
                heaviest = calls;
                heaviestId = entry.Id;
            }
        }

        _output.WriteLine($"heaviest positive test: {heaviestId} with {heaviest} Hash N-Degree Quads calls");
        (heaviest * 4 <= RdfcOptions.DefaultMaxHashNDegreeCalls).Should().BeTrue($"{heaviestId} needs {heaviest} calls");
    }

    [Fact]
    public void Limit_is_configurable()
    {
        // A symmetric 3-cycle: every node has the same first-degree hash, so Hash N-Degree Quads must run.
        RdfDataset cycle = NQuads.Parse("_:a <urn:p> _:b .\n_:b <urn:p> _:c .\n_:c <urn:p> _:a .\n");
        RdfCanonicalizer.Canonicalize(cycle, new RdfcOptions { MaxHashNDegreeCalls = int.MaxValue }, out int needed);
        (needed > 1).Should().BeTrue($"needed {needed}");

        // Exactly enough work succeeds; one call less fails.
        RdfcResult result = RdfCanonicalizer.Canonicalize(cycle, new RdfcOptions { MaxHashNDegreeCalls = needed });
        result.CanonicalNQuads.Should().NotBeEmpty();
        var ex = FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(cycle, new RdfcOptions { MaxHashNDegreeCalls = needed - 1 })).Should().ThrowExactly<RdfcWorkLimitExceededException>().Which;
        ex.Message.Should().Be("canonicalization work limit exceeded");
    }

    [Fact]
    public void Zero_limit_still_canonicalizes_graphs_with_unique_first_degree_hashes()
    {
        RdfDataset dataset = NQuads.Parse("_:x <urn:p> \"1\" .\n_:y <urn:p> \"2\" .\n_:x <urn:q> _:y .\n");
        RdfcResult result = RdfCanonicalizer.Canonicalize(dataset, new RdfcOptions { MaxHashNDegreeCalls = 0 });
        result.IssuedIdentifiers.Count.Should().Be(2);
    }

    [Fact]
    public void Negative_limit_is_rejected()
    {
        RdfDataset dataset = NQuads.Parse("_:x <urn:p> \"1\" .\n");
        FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(dataset, new RdfcOptions { MaxHashNDegreeCalls = -1 })).Should().ThrowExactly<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Deep_recursion_is_refused_instead_of_overflowing_the_stack()
    {
        // A long cycle of indistinguishable blank nodes makes Hash N-Degree Quads recurse once per node.
        var text = new System.Text.StringBuilder();
        const int Nodes = 20_000;
        for (int i = 0; i < Nodes; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"_:n{i} <urn:ex:next> _:n{(i + 1) % Nodes} .\n");
        }

        RdfDataset cycle = NQuads.Parse(text.ToString());
        Exception? caught = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    RdfCanonicalizer.Canonicalize(cycle, new RdfcOptions { MaxHashNDegreeCalls = int.MaxValue });
                }
                catch (Exception ex)
                {
                    caught = ex;
                }
            },
            maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();
        caught.Should().BeOfType<RdfcWorkLimitExceededException>();
    }

    [Fact]
    public void Poison_clique_fails_fast_with_the_default_limit()
    {
        RdfDataset clique = RdfCanonManifest.LoadInput(RdfCanonManifest.Get("test074c"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(clique, null, out _)).Should().ThrowExactly<RdfcWorkLimitExceededException>();
        stopwatch.Stop();
        _output.WriteLine($"test074 (10-node clique) rejected after {stopwatch.Elapsed.TotalMilliseconds:F1} ms");
    }
}
