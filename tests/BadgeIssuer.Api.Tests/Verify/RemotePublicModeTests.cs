using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Verify;
using BadgeIssuer.Api.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static BadgeIssuer.Api.Tests.Support.VerifyAssert;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>
/// Verify:Remote:Mode = public — did:web documents fetched from any host whose name resolves only to public addresses.
/// Offline: a loopback https server stands in for the issuer's host, names resolve through an injected resolver, and
/// only the test's own loopback server is admitted by the address policy (every other address keeps the real policy).
/// </summary>
public sealed class RemotePublicModeTests : IAsyncLifetime
{
    private const string PublicHost = "issuer.test";
    private const string InternalHost = "internal.test";

    private readonly ConcurrentDictionary<string, TestIssuer> _issuers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _arrivals = new();
    private readonly ConcurrentQueue<string> _lookups = new();
    private X509Certificate2? _certificate;
    private WebApplication? _server;
    private int _inFlight;
    private int _maxInFlight;

    private int Port { get; set; }

    /// <summary>The did:web issuer on <paramref name="host"/> at the test server's port (one key per host).</summary>
    private TestIssuer Issuer(string host) => _issuers.GetOrAdd(host, h => TestIssuer.CreateDidWeb($"{h}%3A{Port}", signedAt: BadgeIssuerApplication.Now.AddDays(-2)));

    public async ValueTask InitializeAsync()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={PublicHost}", ecdsa, HashAlgorithmName.SHA256);
        using X509Certificate2 ephemeral = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(1));
        _certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(_certificate)));
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Run(async context =>
        {
            _arrivals.Enqueue(context.Request.Path);
            int now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            try
            {
                if (_routes.TryGetValue(context.Request.Path, out Func<HttpContext, Task>? route))
                {
                    await route(context);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        });
        await _server.StartAsync(Ct);
        Port = new Uri(_server.Urls.First()).Port;
        Serve("/.well-known/did.json", DidDocument(PublicHost));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync(CancellationToken.None);
            await _server.DisposeAsync();
        }

        _certificate?.Dispose();
        foreach (TestIssuer issuer in _issuers.Values)
        {
            issuer.Dispose();
        }
    }

    private void Serve(string path, string json)
        => _routes[path] = context =>
        {
            context.Response.ContentType = "application/did+json";
            return context.Response.WriteAsync(json);
        };

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>The service in public mode; <paramref name="addresses"/> is the injected DNS (unknown names do not resolve).</summary>
    private BadgeIssuerApplication App(Dictionary<string, IPAddress[]> addresses, params (string Key, string Value)[] settings)
    {
        var app = new BadgeIssuerApplication([
            ("Verify:Remote:Mode", "public"),
            ("Verify:Remote:PublicPorts:0", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. settings]);
        RemoteFetchGuard guard = app.Services.GetRequiredService<RemoteFetchGuard>();
        guard.Resolve = (host, _) =>
        {
            _lookups.Enqueue(host);
            return addresses.TryGetValue(host, out IPAddress[]? found) ? Task.FromResult(found) : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException(11001));
        };

        // Only this test's own server (127.0.0.1) is admitted; every other address gets the real policy.
        guard.WhyRefused = address => address.Equals(IPAddress.Loopback) ? null : PublicAddresses.WhyRefused(address, allowLoopback: false);
        guard.CertificateValidation = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == _certificate!.GetCertHashString();
        return app;
    }

    private static Dictionary<string, IPAddress[]> Dns(params (string Host, string[] Addresses)[] entries)
        => entries.ToDictionary(e => e.Host, e => e.Addresses.Select(IPAddress.Parse).ToArray(), StringComparer.Ordinal);

    private static readonly Dictionary<string, IPAddress[]> s_publicHostOnly = Dns((PublicHost, ["127.0.0.1"]));

    private string DidDocument(string host) => Issuer(host).DidDocument;

    private byte[] Credential(string host) => Issuer(host).Sign(TestDocuments.OpenBadge(Issuer(host).Id, issuerName: "Remote issuer"));

    private static async Task<JsonNode> VerifyAsync(BadgeIssuerApplication app, byte[] credential)
    {
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync("/credentials/verify", Body(credential, "application/vc+ld+json"), Ct);
        return await ReportAsync(response);
    }

    [Fact]
    public async Task Public_DidWebOnAPublicHost_IsFetchedOverHttpsAndVerifies()
    {
        using BadgeIssuerApplication app = App(s_publicHostOnly);

        JsonNode report = await VerifyAsync(app, Credential(PublicHost));

        ((bool)report["verified"]!).Should().BeTrue(report.ToJsonString());
        Check(report, "issuer-key").Should().Be("passed");
        _arrivals.Should().Equal("/.well-known/did.json");
    }

    public static TheoryData<string> RefusedAddresses => new(
        "127.0.0.2", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
        "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
        "64:ff9b::a00:1", "2002:a00:1::1", "2001::1", "2001:db8::1");

    [Theory]
    [MemberData(nameof(RefusedAddresses))]
    public async Task Public_HostResolvingToANonPublicAddress_IsNeverConnected(string address)
    {
        Serve("/.well-known/did.json", DidDocument(InternalHost));
        using BadgeIssuerApplication app = App(Dns((InternalHost, [address])));

        JsonNode report = await VerifyAsync(app, Credential(InternalHost));

        ((bool)report["verified"]!).Should().BeFalse();
        report.ToJsonString().Should().Contain(RemoteFetchGuard.Refused, address);
        _arrivals.Should().BeEmpty();
    }

    [Fact]
    public async Task Public_OnePublicAndOnePrivateAddress_IsRefused()
    {
        Serve("/.well-known/did.json", DidDocument(InternalHost));
        using BadgeIssuerApplication app = App(Dns((InternalHost, ["127.0.0.1", "10.0.0.7"])));

        JsonNode report = await VerifyAsync(app, Credential(InternalHost));

        report.ToJsonString().Should().Contain(RemoteFetchGuard.Refused);
        _arrivals.Should().BeEmpty();
    }

    [Fact]
    public async Task Public_NameThatDoesNotResolve_ReadsTheSameAsARefusedAddress()
    {
        // No DNS oracle: the public endpoint must not tell "exists inside" from "does not exist".
        using BadgeIssuerApplication app = App(Dns(("private.test", ["10.0.0.1"])));

        string unresolved = Message(await VerifyAsync(app, Credential("nowhere.test")), "proof");
        string refused = Message(await VerifyAsync(app, Credential("private.test")), "proof");

        unresolved.Should().Contain($"the host 'nowhere.test' {RemoteFetchGuard.Refused}");
        refused.Should().Contain($"the host 'private.test' {RemoteFetchGuard.Refused}");
    }

    [Fact]
    public async Task Public_RedirectToAHostWithAPrivateAddress_IsNotFollowed()
    {
        _routes["/.well-known/did.json"] = context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = $"https://{InternalHost}:{Port}/moved.json";
            return Task.CompletedTask;
        };
        Serve("/moved.json", DidDocument(PublicHost));
        using BadgeIssuerApplication app = App(Dns((PublicHost, ["127.0.0.1"]), (InternalHost, ["192.168.0.10"])));

        JsonNode report = await VerifyAsync(app, Credential(PublicHost));

        ((bool)report["verified"]!).Should().BeFalse();
        Message(report, "proof").Should().Contain($"the host '{InternalHost}' {RemoteFetchGuard.Refused}");
        _arrivals.Should().Equal("/.well-known/did.json");
    }

    [Fact]
    public async Task Public_RedirectToHttp_IsNotFollowed()
    {
        _routes["/.well-known/did.json"] = context =>
        {
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = $"http://{PublicHost}:{Port}/moved.json";
            return Task.CompletedTask;
        };
        using BadgeIssuerApplication app = App(s_publicHostOnly);

        JsonNode report = await VerifyAsync(app, Credential(PublicHost));

        report.ToJsonString().Should().Contain("which is not https on a public port");
        _arrivals.Should().Equal("/.well-known/did.json");
    }

    [Fact]
    public async Task Public_PortNotInPublicPorts_IsNotRequested()
    {
        using BadgeIssuerApplication app = App(s_publicHostOnly, ("Verify:Remote:PublicPorts:0", "443"));

        JsonNode report = await VerifyAsync(app, Credential(PublicHost));

        ((bool)report["verified"]!).Should().BeFalse();
        _lookups.Should().BeEmpty();
        _arrivals.Should().BeEmpty();
    }

    [Fact]
    public async Task Public_UntrustedCertificate_IsRefused()
    {
        using BadgeIssuerApplication app = App(s_publicHostOnly);
        app.Services.GetRequiredService<RemoteFetchGuard>().CertificateValidation = null; // the platform's trust: a self-signed certificate fails

        JsonNode report = await VerifyAsync(app, Credential(PublicHost));

        ((bool)report["verified"]!).Should().BeFalse();
        _arrivals.Should().BeEmpty();
    }

    [Fact]
    public async Task Public_FailedFetch_IsCachedBriefly_NotRetriedPerRequest()
    {
        using BadgeIssuerApplication app = App(Dns((InternalHost, ["10.9.9.9"])));

        await VerifyAsync(app, Credential(InternalHost));
        await VerifyAsync(app, Credential(InternalHost));

        _lookups.Should().ContainSingle();
    }

    [Fact]
    public async Task Public_ConcurrentFetchesFromOneHost_AreLimitedToMaxConcurrentPerHost()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _routes["/.well-known/did.json"] = async context =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
            context.Response.ContentType = "application/did+json";
            await context.Response.WriteAsync(DidDocument(PublicHost));
        };
        using BadgeIssuerApplication app = App(s_publicHostOnly, ("Verify:Remote:MaxConcurrentPerHost", "1"), ("Verify:Remote:TimeoutSeconds", "10"));

        Task<JsonNode> first = VerifyAsync(app, Credential(PublicHost));
        await WaitUntilAsync(() => !_arrivals.IsEmpty);
        Task<JsonNode> second = VerifyAsync(app, Credential(PublicHost));
        await Task.Delay(300, Ct); // the second fetch is waiting for the host's only connection
        release.SetResult();
        await Task.WhenAll(first, second);

        _arrivals.Should().HaveCount(2, "both fetches started before either document was cached");
        _maxInFlight.Should().Be(1);
        ((bool)(await first)["verified"]!).Should().BeTrue();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25, Ct);
        }

        condition().Should().BeTrue("the condition should hold within 5 s");
    }

    [Fact]
    public void Options_ConfiguredPublicPorts_ReplaceTheDefault443()
    {
        using var app = new BadgeIssuerApplication(("Verify:Remote:Mode", "public"), ("Verify:Remote:PublicPorts:0", "8443"));

        app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RemoteResolutionOptions>>().Value.EffectivePublicPorts.Should().Equal(8443);
        RemoteResolution remote = app.Services.GetRequiredService<RemoteResolution>();
        remote.IsAllowed(new Uri("https://issuer.test:8443/.well-known/did.json")).Should().BeTrue();
        remote.IsAllowed(new Uri("https://issuer.test/.well-known/did.json")).Should().BeFalse();
    }

    [Theory]
    [InlineData("intranet")]
    [InlineData("issuer.test.")]
    public async Task Public_HostNameThatIsNotFullyQualified_IsNotResolved(string host)
    {
        // A single-label name would be completed by the server's DNS search domains, i.e. resolve inside its network.
        using BadgeIssuerApplication app = App(Dns((host, ["127.0.0.1"])));

        JsonNode report = await VerifyAsync(app, Credential(host));

        ((bool)report["verified"]!).Should().BeFalse();
        _lookups.Should().BeEmpty();
        _arrivals.Should().BeEmpty();
    }

    [Fact]
    public async Task Off_ByDefault_NothingIsResolvedOrFetched()
    {
        using var app = new BadgeIssuerApplication();
        RemoteFetchGuard guard = app.Services.GetRequiredService<RemoteFetchGuard>();
        guard.Resolve = (host, _) =>
        {
            _lookups.Enqueue(host);
            return Task.FromResult(new[] { IPAddress.Loopback });
        };

        JsonNode report = await VerifyAsync(app, Credential(PublicHost));

        ((bool)report["verified"]!).Should().BeFalse();
        _lookups.Should().BeEmpty();
        _arrivals.Should().BeEmpty();
    }

    [Theory]
    [InlineData("public", "Verify:Remote:AllowedHosts:0", "issuer.example", "applies to allowlist mode only")]
    [InlineData("off", "Verify:Remote:AllowedHosts:0", "issuer.example", "applies to allowlist mode only")]
    [InlineData("allowlist", "Verify:Remote:TimeoutSeconds", "5", "names no host")]
    [InlineData("public", "Verify:Remote:PublicPorts:0", "70000", "PublicPorts must hold at most 32 ports, each between 1 and 65535")]
    [InlineData("5", "Verify:Remote:TimeoutSeconds", "5", "Verify:Remote:Mode must be off, allowlist or public")]
    [InlineData("public", "Verify:Remote:MaxConcurrentPerHost", "0", "MaxConcurrentPerHost must be between 1 and 64")]
    public void Start_InconsistentRemoteSettings_FailsValidation(string mode, string key, string value, string expected)
    {
        using var app = new BadgeIssuerApplication(("Verify:Remote:Mode", mode), (key, value));

        Exception error = FluentActions.Invoking(() => app.CreateClient()).Should().Throw<Exception>().Which;
        error.ToString().Should().Contain(expected);
    }
}
