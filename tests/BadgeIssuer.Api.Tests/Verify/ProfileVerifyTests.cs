using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Api.Tests.Vectors;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>
/// Verification profiles through the endpoints: a valid credential that is not an Open Badge verifies (profile vc)
/// instead of failing the OB steps; a CLR verifies with one nested report per embedded credential; relatedResource
/// digests are checked against resources the service has or may fetch.
/// </summary>
public sealed class ProfileVerifyTests : IDisposable
{
    private const string VerifyPath = "/credentials/verify";
    private const string Host = "resources.example";
    private const string TermsUrl = "https://" + Host + "/terms.html";

    private readonly TestIssuer _issuer = TestIssuer.Create(signedAt: BadgeIssuerApplication.Now.AddDays(-2));
    private readonly FakeRemoteHandler _network = new();

    public void Dispose()
    {
        _issuer.Dispose();
        _network.Dispose();
    }

    private JsonObject PlainVc() => new()
    {
        ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2"),
        ["id"] = "urn:uuid:" + Guid.NewGuid().ToString(),
        ["type"] = new JsonArray("VerifiableCredential"),
        ["issuer"] = _issuer.Id,
        ["validFrom"] = "2026-01-01T00:00:00Z",
        ["credentialSubject"] = new JsonObject { ["id"] = "did:example:learner", ["name"] = "Ada" },
    };

    private static async Task<(HttpStatusCode Status, JsonNode Report)> VerifyAsync(HttpClient client, byte[] credential, string query = "")
    {
        using HttpResponseMessage response = await client.PostAsync(VerifyPath + query, Body(credential, "application/vc+ld+json"), Ct);
        return (response.StatusCode, await ReportAsync(response));
    }

    [Fact]
    public async Task Verify_ValidPlainVc_Returns200WithProfileVcAndTheObStepsSkipped()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        (HttpStatusCode status, JsonNode report) = await VerifyAsync(client, _issuer.Sign(PlainVc()));

        (status == HttpStatusCode.OK).Should().BeTrue(report.ToJsonString());
        ((bool)report["verified"]!).Should().BeTrue();
        ((string)report["profile"]!).Should().Be("vc");
        Check(report, "vc-data-model").Should().Be("passed");
        Check(report, "schema").Should().Be("skipped");
        Check(report, "type").Should().Be("passed");
    }

    [Fact]
    public async Task Verify_ClrVector_Returns200WithProfileClrAndANestedReport()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        byte[] clr = File.ReadAllBytes(Path.Combine(VectorEndpointTests.Root, "clr-v2p0-impl-guide-eddsa-rdfc-2022", "credential.signed.json"));

        // The guide's issuer publishes no key document: its key is taken from the method's fragment (trust policy).
        (HttpStatusCode status, JsonNode report) = await VerifyAsync(client, clr, "?trustVerificationMethodFragment=true");

        (status == HttpStatusCode.OK).Should().BeTrue(report.ToJsonString());
        ((string)report["profile"]!).Should().Be("clr");
        Check(report, "clr").Should().Be("passed");
        Check(report, "clr-credential").Should().Be("passed");
        JsonNode embedded = report["embeddedCredentials"]!.AsArray().Single()!;
        ((string)embedded["location"]!).Should().Be("credentialSubject.verifiableCredential[0]");
        ((string)embedded["profile"]!).Should().Be("ob");
        ((bool)embedded["verified"]!).Should().BeTrue();
        ((string)embedded["credentialId"]!).Should().Be("urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002");
    }

    [Fact]
    public async Task VerifyPresentation_OfAPlainVc_AppliesTheProfileToItsCredential()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();
        using var holder = new TestHolder();
        string vp = holder.SignDataIntegrity(TestHolder.Presentation(holder.Did, _issuer.SignToNode(PlainVc()).ToJsonString()), "c-1");
        var request = new JsonObject { ["verifiablePresentation"] = JsonNode.Parse(vp), ["options"] = new JsonObject { ["challenge"] = "c-1" } };

        using HttpResponseMessage response = await client.PostAsync("/presentations/verify", Body(request.ToJsonString(), "application/json"), Ct);
        JsonNode report = await ReportAsync(response);

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        ((string)report["credentials"]![0]!["profile"]!).Should().Be("vc");
    }

    [Fact]
    public async Task Verify_RelatedResourceFetchedFromAnAllowedHost_IsDigestCheckedWithItsMediaType()
    {
        byte[] terms = Encoding.UTF8.GetBytes("<html><body>Terms of issue</body></html>");
        _network.Content(TermsUrl, terms, "text/html");
        string sri = "sha384-" + Convert.ToBase64String(SHA384.HashData(terms));
        using var app = new BadgeIssuerApplication(("Verify:Remote:AllowedHosts:0", Host));
        using WebApplicationFactory<Program> remote = app.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.AddHttpClient(RemoteResolution.ClientName).ConfigurePrimaryHttpMessageHandler(() => _network)));
        using HttpClient client = remote.CreateClient();

        (HttpStatusCode matched, JsonNode ok) = await VerifyAsync(client, _issuer.Sign(WithResource(sri, "text/html")));
        (HttpStatusCode changed, JsonNode bad) = await VerifyAsync(client, _issuer.Sign(WithResource("sha384-" + Convert.ToBase64String(SHA384.HashData("other"u8)), "text/html")));
        (HttpStatusCode otherType, JsonNode pdf) = await VerifyAsync(client, _issuer.Sign(WithResource(sri, "application/pdf")));

        (matched == HttpStatusCode.OK).Should().BeTrue(ok.ToJsonString());
        Message(ok, "related-resource").Should().Contain("fetched from " + Host);
        changed.Should().Be(HttpStatusCode.UnprocessableEntity);
        Check(bad, "related-resource").Should().Be("failed");
        otherType.Should().Be(HttpStatusCode.UnprocessableEntity);
        Message(pdf, "related-resource").Should().Contain("not the application/pdf");
    }

    [Fact]
    public async Task Verify_RelatedResourceWithRemoteResolutionOff_IsNotCheckedAndSaysWhy()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateClient();

        (HttpStatusCode status, JsonNode report) = await VerifyAsync(client, _issuer.Sign(WithResource("sha384-" + Convert.ToBase64String(SHA384.HashData("x"u8)), null)));

        (status == HttpStatusCode.OK).Should().BeTrue(report.ToJsonString());
        Check(report, "related-resource").Should().Be("warning");
        Message(report, "related-resource").Should().Contain("digest not checked").And.Contain("Verify:Remote:Mode");
        _network.Requests.Should().BeEmpty();
    }

    private JsonObject WithResource(string sri, string? mediaType)
    {
        JsonObject credential = PlainVc();
        var entry = new JsonObject { ["id"] = TermsUrl, ["digestSRI"] = sri };
        if (mediaType is not null)
        {
            entry["mediaType"] = mediaType;
        }

        credential["relatedResource"] = new JsonArray(entry);
        return credential;
    }
}
