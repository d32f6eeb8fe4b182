using System.Net;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Verify;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>Verify:Remote — did:web documents and status lists fetched only from allow-listed hosts, through a fake handler.</summary>
public sealed class RemoteResolutionTests : IDisposable
{
    private const string VerifyPath = "/credentials/verify";

    private readonly RemoteIssuer _issuer = new();
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
        => new([("Verify:Remote:AllowedHosts:0", RemoteIssuer.Host), .. settings]);

    private static async Task<JsonNode> VerifyAsync(WebApplicationFactory<Program> app, byte[] credential)
    {
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(credential, "application/vc+ld+json"), Ct);
        return await ReportAsync(response);
    }

    [Fact]
    public async Task Verify_DidWebIssuerOnAllowListedHost_FetchesTheDocumentAndVerifies()
    {
        _network.Json(RemoteIssuer.DidDocumentUrl, _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential());

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Check(report, "issuer-key").Should().Be("passed");
        _network.Requests.Should().ContainSingle().Which.Should().Be(new Uri(RemoteIssuer.DidDocumentUrl));
    }

    [Fact]
    public async Task Verify_SameIssuerTwice_FetchesTheDocumentOnce()
    {
        _network.Json(RemoteIssuer.DidDocumentUrl, _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        ((bool)(await VerifyAsync(remote, _issuer.Credential()))["verified"]!).Should().BeTrue();
        ((bool)(await VerifyAsync(remote, _issuer.Credential()))["verified"]!).Should().BeTrue();

        _network.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Verify_HostNotAllowListed_FetchesNothingAndDoesNotVerify()
    {
        _network.Json(RemoteIssuer.DidDocumentUrl, _issuer.DidDocument);
        using var app = new BadgeIssuerApplication();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "proof").Should().Be("failed");
        _network.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Verify_RemoteHostTimesOut_ReportsAFailedProofWithTheReason()
    {
        _network.Hang(RemoteIssuer.DidDocumentUrl);
        using BadgeIssuerApplication app = App(("Verify:Remote:TimeoutSeconds", "1"));
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "proof").Should().Be("failed");
        Message(report, "proof").Should().Contain("no answer within 1 s");
    }

    [Fact]
    public async Task Verify_RemoteDocumentOverLimit_IsRefused()
    {
        string padded = _issuer.DidDocument.TrimEnd().TrimEnd('}') + ", \"padding\": \"" + new string('x', 4096) + "\"}";
        _network.Json(RemoteIssuer.DidDocumentUrl, padded);
        using BadgeIssuerApplication app = App(("Verify:Remote:MaxDocumentBytes", "2048"));
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Message(report, "proof").Should().Contain("the limit is 2048");
    }

    [Fact]
    public async Task Verify_RedirectToAHostNotAllowListed_IsNotFollowed()
    {
        _network.Redirect(RemoteIssuer.DidDocumentUrl, "https://elsewhere.example/did.json").Json("https://elsewhere.example/did.json", _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Message(report, "proof").Should().Contain("not allow-listed");
        _network.Requests.Should().NotContain(u => u.Host == "elsewhere.example");
    }

    [Fact]
    public async Task Verify_RedirectWithinTheAllowList_IsFollowed()
    {
        const string moved = "https://" + RemoteIssuer.Host + "/moved/did.json";
        _network.Redirect(RemoteIssuer.DidDocumentUrl, moved).Json(moved, _issuer.DidDocument);
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential());

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        _network.Requests.Count.Should().Be(2);
    }

    [Theory]
    [InlineData(7, "failed")]
    [InlineData(8, "passed")]
    public async Task Verify_RemoteStatusList_IsFetchedVerifiedAndRead(int index, string expected)
    {
        _network.Json(RemoteIssuer.DidDocumentUrl, _issuer.DidDocument).Json(RemoteIssuer.StatusListUrl, _issuer.StatusList(7));
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential(statusIndex: index));

        Check(report, "status").Should().Be(expected);
        ((bool)report["verified"]!).Should().Be(expected == "passed");
        _network.Requests.Should().Contain(u => u.AbsoluteUri == RemoteIssuer.StatusListUrl);
    }

    [Fact]
    public async Task Verify_SlowRemoteBeyondTheRequestTimeout_Returns504Problem()
    {
        _network.Hang(RemoteIssuer.DidDocumentUrl);
        using BadgeIssuerApplication app = App(("Verify:Remote:TimeoutSeconds", "30"), ("Verify:RequestTimeoutSeconds", "1"));
        using WebApplicationFactory<Program> remote = Start(app);
        using HttpClient client = remote.CreateClient();

        using HttpResponseMessage response = await client.PostAsync(VerifyPath, Body(_issuer.Credential(), "application/vc+ld+json"), Ct);

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
        _network.Json(RemoteIssuer.DidDocumentUrl, _issuer.DidDocument.Replace("\"id\": \"did:web:issuer.example\"", "\"id\": \"did:web:other.example\"", StringComparison.Ordinal));
        using BadgeIssuerApplication app = App();
        using WebApplicationFactory<Program> remote = Start(app);

        JsonNode report = await VerifyAsync(remote, _issuer.Credential());

        ((bool)report["verified"]!).Should().BeFalse();
        Check(report, "proof").Should().Be("failed");
        Message(report, "proof").Should().Contain("InvalidDocument");
    }
}
