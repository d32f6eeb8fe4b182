using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>
/// The service on Kestrel over https on a free loopback port, with a throwaway certificate for localhost (its PEM for
/// node's <c>NODE_EXTRA_CA_CERTS</c>) and an authorized client that trusts exactly that certificate: what wallet
/// libraries, which insist on https, talk to.
/// </summary>
internal sealed class HttpsService : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly WebApplicationFactory<Program> _kestrel;
    private readonly HttpClientHandler _handler;

    public HttpsService()
    {
        using ECDsa ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", ecdsa, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        DateTimeOffset real = TimeProvider.System.GetUtcNow();
        using X509Certificate2 ephemeral = request.CreateSelfSigned(real.AddDays(-1), real.AddDays(1));
        _certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), null);
        CertificatePem = ephemeral.ExportCertificatePem();
        Port = FreePort();
        BaseUrl = "https://localhost:" + Port.ToString(CultureInfo.InvariantCulture);

        App = new BadgeIssuerApplication(("BadgeIssuer:PublicBaseUrl", BaseUrl));
        _kestrel = App.WithWebHostBuilder(_ => { });
        _kestrel.UseKestrel(options => options.ListenLocalhost(Port, listen => listen.UseHttps(_certificate)));
        _kestrel.StartServer();
        _handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == _certificate.GetCertHashString(),
        };
        Client = new HttpClient(_handler) { BaseAddress = new Uri(BaseUrl) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BadgeIssuerApplication.ApiKey);
    }

    public BadgeIssuerApplication App { get; }

    public HttpClient Client { get; }

    public string CertificatePem { get; }

    public int Port { get; }

    public string BaseUrl { get; }

    /// <summary>The default issuer's did:web on this port.</summary>
    public string IssuerDid => "did:web:localhost%3A" + Port.ToString(CultureInfo.InvariantCulture) + ":issuers:default";

    public void Dispose()
    {
        Client.Dispose();
        _handler.Dispose();
        _kestrel.Dispose();
        App.Dispose();
        _certificate.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
