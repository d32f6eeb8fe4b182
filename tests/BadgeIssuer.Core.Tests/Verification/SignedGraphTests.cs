using System.Globalization;
using System.Text.Json;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>The signed view's rendering rules and its bounds (SignedGraph.cs).</summary>
public sealed class SignedGraphTests
{
    private const string Cred = "https://www.w3.org/2018/credentials#";
    private const string Ob = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";
    private const string RdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

    private static RdfQuad Q(RdfTerm s, string p, RdfTerm o) => new(s, RdfTerm.Iri(p), o);

    [Fact]
    public void Credential_IsRenderedWithThisVerifiersNames_WhateverTermsTheDocumentUsed()
    {
        RdfTerm c = RdfTerm.Iri("urn:uuid:1");
        RdfTerm status = RdfTerm.BlankNode("c14n0");
        RdfTerm criteria = RdfTerm.BlankNode("c14n1");
        RdfTerm achievement = RdfTerm.Iri("urn:uuid:a");
        RdfTerm subject = RdfTerm.Iri("did:example:learner");
        RdfQuad[] quads =
        [
            Q(c, RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")),
            Q(c, RdfType, RdfTerm.Iri(Ob + "OpenBadgeCredential")),
            Q(c, Cred + "validUntil", RdfTerm.Literal("2020-01-01T00:00:00Z", "http://www.w3.org/2001/XMLSchema#dateTime")),
            Q(c, Cred + "credentialStatus", status),
            Q(status, RdfType, RdfTerm.Iri("https://www.w3.org/ns/credentials/status#BitstringStatusListEntry")),
            Q(status, "https://www.w3.org/ns/credentials/status#statusListIndex", RdfTerm.Literal("7")),
            Q(c, Cred + "credentialSubject", subject),
            Q(subject, Ob + "achievement", achievement),
            Q(achievement, Ob + "Criteria", criteria),
            Q(criteria, Ob + "narrative", RdfTerm.Literal("Do it.")),
            Q(subject, Ob + "identifier", RdfTerm.BlankNode("c14n2")),
            Q(RdfTerm.BlankNode("c14n2"), Ob + "hashed", RdfTerm.Literal("true", "https://www.w3.org/2001/XMLSchema#boolean")),
        ];

        using JsonDocument view = SignedGraph.FromQuads(quads).Render();
        JsonElement root = view.RootElement;

        root.GetProperty("id").GetString().Should().Be("urn:uuid:1");
        root.GetProperty("type").EnumerateArray().Select(t => t.GetString()).Should().BeEquivalentTo(["OpenBadgeCredential", "VerifiableCredential"]);
        root.GetProperty("validUntil").GetString().Should().Be("2020-01-01T00:00:00Z");
        root.GetProperty("credentialStatus").GetProperty("type").GetString().Should().Be("BitstringStatusListEntry");
        root.GetProperty("credentialStatus").GetProperty("statusListIndex").GetString().Should().Be("7");

        // One IRI, a class ("Criteria") and a property ("criteria"): the property is named by its lower-case term.
        JsonElement a = root.GetProperty("credentialSubject").GetProperty("achievement");
        a.GetProperty("criteria").GetProperty("narrative").GetString().Should().Be("Do it.");

        // OB spells the XSD namespace with https: still a JSON boolean.
        root.GetProperty("credentialSubject").GetProperty("identifier").GetProperty("hashed").ValueKind.Should().Be(JsonValueKind.True);
    }

    [Fact]
    public void TwoUnembeddedCredentials_AreAmbiguous_AndRefused()
    {
        RdfQuad[] quads =
        [
            Q(RdfTerm.Iri("urn:a"), RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")),
            Q(RdfTerm.Iri("urn:b"), RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")),
        ];

        SignedGraphException ex = FluentActions.Invoking(() => SignedGraph.FromQuads(quads).Render()).Should().ThrowExactly<SignedGraphException>().Which;
        ex.Message.Should().Contain("exactly one is needed");
    }

    [Fact]
    public void AnEndorsementIsNeverTheRoot_EvenWhenItPointsBackAtTheCredential()
    {
        RdfTerm c = RdfTerm.Iri("urn:c");
        RdfTerm e = RdfTerm.Iri("urn:e");
        RdfQuad[] quads =
        [
            Q(c, RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")),
            Q(e, RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")),
            Q(c, Ob + "endorsement", e),
            Q(e, Cred + "refreshService", c),
            Q(e, Cred + "credentialSubject", c),
        ];

        using JsonDocument view = SignedGraph.FromQuads(quads).Render();
        view.RootElement.GetProperty("id").GetString().Should().Be("urn:c");
    }

    [Fact]
    public void SharedNodesThatWouldRenderExponentially_StopAtTheWorkBound()
    {
        // n0 → n1 twice (two properties), n1 → n2 twice, … : 2^30 renderings from 60 quads, within the depth bound.
        var quads = new List<RdfQuad> { Q(RdfTerm.Iri("urn:n0"), RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")) };
        for (int i = 0; i < 30; i++)
        {
            RdfTerm from = RdfTerm.Iri(string.Create(CultureInfo.InvariantCulture, $"urn:n{i}"));
            RdfTerm to = RdfTerm.Iri(string.Create(CultureInfo.InvariantCulture, $"urn:n{i + 1}"));
            quads.Add(Q(from, "https://example.org/left", to));
            quads.Add(Q(from, "https://example.org/right", to));
        }

        quads.Add(Q(RdfTerm.Iri("urn:n30"), "https://example.org/leaf", RdfTerm.Literal("x")));
        SignedGraphException ex = FluentActions.Invoking(() => SignedGraph.FromQuads(quads).Render()).Should().ThrowExactly<SignedGraphException>().Which;
        ex.Message.Should().Contain("work bound");
    }

    [Fact]
    public void ALongLiteralSharedManyTimes_StopsAtTheCharacterBound()
    {
        // One node with a 256 KiB literal, referenced from 200 properties of the root: 50 MiB of output otherwise.
        RdfTerm c = RdfTerm.Iri("urn:c");
        RdfTerm big = RdfTerm.Iri("urn:big");
        var quads = new List<RdfQuad> { Q(c, RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")), Q(big, "https://example.org/text", RdfTerm.Literal(new string('x', 256 * 1024))) };
        for (int i = 0; i < 200; i++)
        {
            quads.Add(Q(c, string.Create(CultureInfo.InvariantCulture, $"https://example.org/p{i}"), big));
        }

        FluentActions.Invoking(() => SignedGraph.FromQuads(quads).Render()).Should().ThrowExactly<SignedGraphException>();
    }

    [Fact]
    public void ManyCandidateCredentialNodes_AreRefusedBeforeSearchingEachOne()
    {
        // 40 credential nodes in a ring (each points at the next): each would need a walk of the whole graph.
        var quads = new List<RdfQuad>();
        for (int i = 0; i < 40; i++)
        {
            RdfTerm n = RdfTerm.Iri(string.Create(CultureInfo.InvariantCulture, $"urn:v{i}"));
            quads.Add(Q(n, RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")));
            quads.Add(Q(n, "https://example.org/next", RdfTerm.Iri(string.Create(CultureInfo.InvariantCulture, $"urn:v{(i + 1) % 40}"))));
        }

        SignedGraphException ex = FluentActions.Invoking(() => SignedGraph.FromQuads(quads).Render()).Should().ThrowExactly<SignedGraphException>().Which;
        ex.Message.Should().Contain("more than 16 candidate");
    }

    [Fact]
    public void SignedContentNestedBeyondTheBound_IsRefused_NotCutShort()
    {
        // A chain of 60 nodes (a flattened document can be shallow JSON and still a deep graph).
        var quads = new List<RdfQuad> { Q(RdfTerm.Iri("urn:n0"), RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")) };
        for (int i = 0; i < 60; i++)
        {
            quads.Add(Q(RdfTerm.Iri(string.Create(CultureInfo.InvariantCulture, $"urn:n{i}")), "https://example.org/next", RdfTerm.Iri(string.Create(CultureInfo.InvariantCulture, $"urn:n{i + 1}"))));
        }

        quads.Add(Q(RdfTerm.Iri("urn:n60"), Cred + "validUntil", RdfTerm.Literal("2020-01-01T00:00:00Z")));
        SignedGraphException ex = FluentActions.Invoking(() => SignedGraph.FromQuads(quads).Render()).Should().ThrowExactly<SignedGraphException>().Which;
        ex.Message.Should().Contain("nests deeper");
    }

    [Fact]
    public void NestedListsDeeperThanTheBound_AreRefused()
    {
        // A root holding a list whose only item is a list, 60 levels down.
        const string First = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
        const string Rest = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
        RdfTerm nil = RdfTerm.Iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil");
        var quads = new List<RdfQuad> { Q(RdfTerm.Iri("urn:c"), RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")), Q(RdfTerm.Iri("urn:c"), "https://example.org/list", RdfTerm.BlankNode("l0")) };
        for (int i = 0; i < 60; i++)
        {
            RdfTerm list = RdfTerm.BlankNode(string.Create(CultureInfo.InvariantCulture, $"l{i}"));
            quads.Add(Q(list, First, i == 59 ? RdfTerm.Literal("x") : RdfTerm.BlankNode(string.Create(CultureInfo.InvariantCulture, $"l{i + 1}"))));
            quads.Add(Q(list, Rest, nil));
        }

        FluentActions.Invoking(() => SignedGraph.FromQuads(quads).Render()).Should().ThrowExactly<SignedGraphException>();
    }

    [Fact]
    public void ALongPropertyNameOnASharedNode_CountsAgainstTheCharacterBound()
    {
        // One node with a 256 KiB predicate IRI (unmapped, so written in full), referenced 200 times.
        RdfTerm c = RdfTerm.Iri("urn:c");
        RdfTerm shared = RdfTerm.Iri("urn:s");
        var quads = new List<RdfQuad> { Q(c, RdfType, RdfTerm.Iri(Cred + "VerifiableCredential")), Q(shared, "https://example.org/" + new string('p', 256 * 1024), RdfTerm.Literal("x")) };
        for (int i = 0; i < 200; i++)
        {
            quads.Add(Q(c, string.Create(CultureInfo.InvariantCulture, $"https://example.org/r{i}"), shared));
        }

        FluentActions.Invoking(() => SignedGraph.FromQuads(quads).Render()).Should().ThrowExactly<SignedGraphException>();
    }
}
