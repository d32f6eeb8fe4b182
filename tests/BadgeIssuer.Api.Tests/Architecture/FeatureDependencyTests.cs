using System.Reflection;
using BadgeIssuer.Api.Infrastructure;

namespace BadgeIssuer.Api.Tests.Architecture;

/// <summary>
/// The Api's features (<c>Features/&lt;Feature&gt;/</c>, namespace <c>BadgeIssuer.Api.Features.&lt;Feature&gt;</c>) use
/// each other one way only, and <c>Infrastructure</c>, which every feature uses, uses none of them. A use is any
/// mention of a type of the other module: in a signature, a field, an attribute or inside a method body (read from the
/// IL, lambdas and async methods included). What several features share goes to <c>Infrastructure</c> (or to Core or
/// Storage when it is a domain or storage concept); the composition root (<c>Program.cs</c>) wires them all.
/// </summary>
public sealed class FeatureDependencyTests
{
    /// <summary>
    /// The allowed direction: a feature may use the features after it in this list, never one before it. Issuers is the
    /// base (issuer records, keys, DID documents and their resolution, the first-start bootstrap); Status publishes lists
    /// signed by issuers and Verify reads them locally; Achievements and Issue sign with issuers' keys, Issue embeds
    /// achievements; Wallet re-issues holder-bound copies through Issue's pipeline with Issuers' keys (Issue reaches
    /// Wallet's offers only through Infrastructure's <c>IOfferDelivery</c>, which Wallet registers); Credentials lists by
    /// issuer; Tenancy's key scopes serve OAuth clients and webhook endpoints; Admin waits for the bootstrap and re-wraps
    /// webhook secrets.
    /// </summary>
    private static readonly string[] s_layers =
    [
        "Admin", "Webhooks", "OAuth", "Tenancy", "Credentials", "Wallet", "Issue", "Achievements", "Verify", "Status", "Issuers",
    ];

    private static readonly Lazy<FeatureGraph> s_api = new(() =>
        FeatureGraph.Build(typeof(ApiProblems).Assembly.GetTypes(), ApiModule));

    [Fact]
    public void ApiFeatures_UseEachOther_WithoutACycle()
    {
        Describe(s_api.Value.FindCycle()).Should().BeNull(
            "features must depend on each other one way only; move what both sides need to Infrastructure (or Core/Storage). The graph is:{0}{1}",
            Environment.NewLine, s_api.Value.Describe());
    }

    [Fact]
    public void Infrastructure_UsesNoFeature()
    {
        s_api.Value.UsesOf("Infrastructure").Select(use => $"Infrastructure → {use.Key} ({use.Value})").Should().BeEmpty(
            "Infrastructure is shared by every feature: what it needs of a feature belongs in Infrastructure, or the feature registers it");
    }

    [Fact]
    public void ApiFeatures_UseOnlyFeaturesAfterThemInTheLayerList()
    {
        string[] features = [.. typeof(ApiProblems).Assembly.GetTypes().Select(ApiModule).OfType<string>().Where(m => m != "Infrastructure").Distinct().Order(StringComparer.Ordinal)];
        features.Should().BeEquivalentTo(s_layers, "every feature has its place in the layer list of this test (and only features do)");

        IEnumerable<string> upward = s_api.Value.Edges
            .Where(e => e.Key != "Infrastructure")
            .SelectMany(e => e.Value
                .Where(use => use.Key != "Infrastructure" && Array.IndexOf(s_layers, use.Key) <= Array.IndexOf(s_layers, e.Key))
                .Select(use => $"{e.Key} → {use.Key} ({use.Value})"));
        upward.Should().BeEmpty(
            "a feature uses only features after it in s_layers (the allowed direction); the graph is:{0}{1}", Environment.NewLine, s_api.Value.Describe());
    }

    [Fact]
    public void FeatureGraph_UsesInsideMethodBodies_ShowTheirCycle()
    {
        FeatureGraph graph = FeatureGraph.Build(Nested(typeof(CycleFixture)), FixtureModule);

        graph.UsesOf("Alpha").Keys.Should().Equal("Beta");
        Describe(graph.FindCycle()).Should().StartWith("Alpha → Beta → Gamma → Alpha:")
            .And.Contain("CycleFixture+Gamma uses BadgeIssuer.Api.Tests.Architecture.FeatureDependencyTests+CycleFixture+Alpha");
    }

    [Fact]
    public void FeatureGraph_OneWayUses_HaveNoCycle()
    {
        FeatureGraph graph = FeatureGraph.Build(Nested(typeof(CycleFixture)).Where(t => FixtureModule(t) != "Gamma"), FixtureModule);

        graph.FindCycle().Should().BeNull();
        graph.Describe().Should().Contain("Beta → Gamma");
    }

    /// <summary><c>Issue → Issuers → Issue: …</c> and one example use per step; null for no cycle.</summary>
    private static string? Describe(IReadOnlyList<(string From, string To, string Example)>? cycle) =>
        cycle is null
            ? null
            : string.Join(" → ", cycle.Select(step => step.From).Append(cycle[0].From)) + ": "
                + string.Join("; ", cycle.Select(step => $"{step.From} → {step.To}: {step.Example}"));

    /// <summary>The feature a type of the Api belongs to, "Infrastructure", or null (the composition root, generated code).</summary>
    private static string? ApiModule(Type type)
    {
        const string Features = "BadgeIssuer.Api.Features.";
        const string Infrastructure = "BadgeIssuer.Api.Infrastructure";
        string? name = type.Namespace;
        if (name is null)
        {
            return null;
        }

        if (name == Infrastructure || name.StartsWith(Infrastructure + ".", StringComparison.Ordinal))
        {
            return "Infrastructure";
        }

        return name.StartsWith(Features, StringComparison.Ordinal) ? name[Features.Length..].Split('.')[0] : null;
    }

    private static string? FixtureModule(Type type)
    {
        for (Type? t = type; t is not null; t = t.DeclaringType)
        {
            if (t.DeclaringType == typeof(CycleFixture))
            {
                return t.Name;
            }
        }

        return null;
    }

    private static IEnumerable<Type> Nested(Type type) =>
        type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(t => Nested(t).Prepend(t));

    /// <summary>Three made-up features that use each other in a circle, only inside method bodies (one in a lambda).</summary>
    private static class CycleFixture
    {
        internal static class Alpha
        {
            public static int Count(int n) => n <= 0 ? 0 : Beta.Twice(n - 1);
        }

        internal static class Beta
        {
            public static int Twice(int n) => 2 * Gamma.Later(n)();
        }

        internal static class Gamma
        {
            public static Func<int> Later(int n) => () => Alpha.Count(n);
        }
    }
}
