using System.Globalization;
using System.Text;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdfc;

/// <summary>
/// Many blank nodes with one shared first-degree hash (an unsigned 900 KB credential with 300,000 empty evidence
/// objects held a core for minutes and the process at 11.8 GB): each one goes through Hash N-Degree Quads with its own
/// temporary issuer, which must cost what it holds, not the size of the graph, until the work limit stops the run.
/// Measured as memory allocated by the canonicalization (deterministic, unlike time): about 10 GB with graph-sized
/// temporary issuers, a small fraction of the bound without.
/// </summary>
public sealed class ManySharedBlankNodesTests
{
    private const int Count = 300_000;

    private const long MaxAllocatedBytes = 1L << 30;

    [Fact]
    public void Identical_blank_nodes_reach_the_work_limit_without_graph_sized_copies()
    {
        var sb = new StringBuilder(Count * 40);
        for (int i = 0; i < Count; i++)
        {
            sb.Append("<urn:credential> <urn:evidence> _:b").Append(i.ToString(CultureInfo.InvariantCulture)).Append(" .\n");
        }

        RdfDataset dataset = NQuads.Parse(sb.ToString());

        long before = GC.GetAllocatedBytesForCurrentThread();
        FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(dataset)).Should().ThrowExactly<RdfcWorkLimitExceededException>();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().BeLessThan(MaxAllocatedBytes, "a temporary issuer costs what it holds, not the graph's size");
    }
}
