using System.Net;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Core.StatusList;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>Verify:Remote — did:web documents and status lists fetched only from allow-listed hosts, through a fake handler.</summary>
public sealed class RemoteResolutionTests : IDisposable
{
    private const string VerifyPath = "/credentials/verify";

    // A did:web issuer on another host, served to the service only through the fake handler.
    private const string Host = "issuer.example";
    private const string DidDocumentUrl = "https://" + Host + "/.well-known/did.json";
    private const string StatusListUrl = "https://" + Host + "/status/1";

    private readonly TestIssuer _issuer = TestIssuer.CreateDidWeb(Host, signedAt: BadgeIssuerApplication.Now.AddDays(-2));
    private readonly FakeRemoteHandler _network = new();

    public void Dispose()
    {
        _issuer.Dispose();
        _network.Dispose();
    }

    /// <summary>The service, its remote client answering from <see cref="_network"/>.</summary>
    private WebApplicationFactory<Program> Start(BadgeIssuerApplication app)
        => app.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.AddHttpClient(RemoteResolution.ClientName).ConfigurePrimaryHttpMessageHandler(() => _network)));

    private static BadgeIssuerApplication App(params (string Key, string Value)[] settings)
        => new([("Verify:Remote:AllowedHosts:0", Host), .. settings]);

    /// <summary>An OpenBadgeCredential of the remote issuer, optionally with a revocation entry in <see cref="StatusListUrl"/>.</summary>
    private byte[] Credential(int? statusIndex = null) => _issuer.Sign(TestDocuments.OpenBadge(
        _issuer.Id,
        issuerName: "Remote issuer",
        achievementName: "Remote badge",
        id: "urn:uuid:7d0e2c1a-5b3f-4e6d-9a8c-1f2e3d4c5b6a",
        achievementId: "urn:uuid:3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d",
        credentialStatus: statusIndex is int index ? TestDocuments.BitstringEntry(StatusListUrl, "revocation", index) : null));

    /// <summary>The remote issuer's signed revocation list with <paramref name="revoked"/> set.</summary>
    private byte[] StatusList(params long[] revoked) => _issuer.StatusList(StatusListUrl, StatusPurpose.Revocation, BadgeIssuerApplication.Now.AddDays(-1), revoked);

    private static async Task<JsonNode> VerifyAsync(WebApplicationFactory<Program> app, byte[] credential)
    {
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(credential, "application/vc+ld+json"), Ct);
        return await ReportAsync(response);
    }

    [Fact]
    public async Task Verify_DidWebIssuerOnAllowListedHost_FetchesTheDocumentAndVerifies()
    {
        _network.Json(DidDocumentUrl, _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential());

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Check(report, "issuer-key").Should().Be("passed");
        _network.Requests.Should().ContainSingle().Which.Should().Be(new Uri(DidDocumentUrl));
    }

    [Fact]
    public async Task Verify_SameIssuerTwice_FetchesTheDocumentOnce()
    {
        _network.Json(DidDocumentUrl, _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        ((bool)(await VerifyAsync(remote, Credential()))["verified"]!).Should().BeTrue();
        ((bool)(await VerifyAsync(remote, Credential()))["verified"]!).Should().BeTrue();

        _network.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Verify_HostNotAllowListed_FetchesNothingAndDoesNotVerify()
    {
        _network.Json(DidDocumentUrl, _issuer.DidDocument);
        using var app = new BadgeIssuerApplication();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "proof").Should().Be("failed");
        _network.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Verify_RemoteHostTimesOut_ReportsAFailedProofWithTheReason()
    {
        _network.Hang(DidDocumentUrl);
        using BadgeIssuerApplication app = App(("Verify:Remote:TimeoutSeconds", "1"));
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "proof").Should().Be("failed");
        Message(report, "proof").Should().Contain("no answer within 1 s");
    }

    [Fact]
    public async Task Verify_RemoteDocumentOverLimit_IsRefused()
    {
        string padded = _issuer.DidDocument.TrimEnd().TrimEnd('}') + ", \"padding\": \"" + new string('x', 4096) + "\"}";
        _network.Json(DidDocumentUrl, padded);
        using BadgeIssuerApplication app = App(("Verify:Remote:MaxDocumentBytes", "2048"));
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Message(report, "proof").Should().Contain("the limit is 2048");
    }

    [Fact]
    public async Task Verify_RedirectToAHostNotAllowListed_IsNotFollowed()
    {
        _network.Redirect(DidDocumentUrl, "https://elsewhere.example/did.json").Json("https://elsewhere.example/did.json", _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Message(report, "proof").Should().Contain("not allow-listed");
        _network.Requests.Should().NotContain(u => u.Host == "elsewhere.example");
    }

    [Fact]
    public async Task Verify_RedirectWithinTheAllowList_IsFollowed()
    {
        const string moved = "https://" + Host + "/moved/did.json";
        _network.Redirect(DidDocumentUrl, moved).Json(moved, _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential());

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        _network.Requests.Count.Should().Be(2);
    }

    [Theory]
    [InlineData(7, "failed")]
    [InlineData(8, "passed")]
    public async Task Verify_RemoteStatusList_IsFetchedVerifiedAndRead(int index, string expected)
    {
        _network.Json(DidDocumentUrl, _issuer.DidDocument).Json(StatusListUrl, StatusList(7));
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential(statusIndex: index));

        Check(report, "status").Should().Be(expected);
        ((bool)report["verified"]!).Should().Be(expected == "passed");
        _network.Requests.Should().Contain(u => u.AbsoluteUri == StatusListUrl);
    }

    [Fact]
    public async Task Verify_SlowRemoteBeyondTheRequestTimeout_Returns504Problem()
    {
        _network.Hang(DidDocumentUrl);
        using BadgeIssuerApplication app = App(("Verify:Remote:TimeoutSeconds", "30"), ("Verify:RequestTimeoutSeconds", "1"));
        using WebApplicationFactory<Program> remote = Start(app);
        using HttpClient client = remote.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(Credential(), "application/vc+ld+json"), Ct);

        await ProblemAsync(response, HttpStatusCode.GatewayTimeout, "verification-timeout");
    }

    [Theory]
    [InlineData("https://issuer.example")]
    [InlineData("*.example")]
    [InlineData("issuer.example/path")]
    public void Start_AllowedHostThatIsNotAHostName_FailsValidation(string host)
    {
        using var app = new BadgeIssuerApplication(("Verify:Remote:AllowedHosts:0", host));

        Exception error = FluentActions.Invoking(() => app.CreateClient()).Should().Throw<Exception>().Which;
        error.ToString().Should().Contain("Verify:Remote:AllowedHosts");
    }

    [Fact]
    public async Task Verify_DidWebDocumentWithAnotherId_IsRefused()
    {
        _network.Json(DidDocumentUrl, _issuer.DidDocument.Replace("\"id\": \"did:web:issuer.example\"", "\"id\": \"did:web:other.example\"", StringComparison.Ordinal));
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "proof").Should().Be("failed");
        Message(report, "proof").Should().Contain("InvalidDocument");
    }
}
