using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using BadgeIssuer.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>
/// The SSRF guard of public remote resolution (<c>Verify:Remote:Mode = public</c>): every connection the verifier's
/// client opens, the first and each redirect's, goes through <see cref="ConnectAsync"/>. It resolves the host name
/// itself, refuses the connection unless every address is public (<see cref="PublicAddresses"/>: no loopback, private,
/// link-local, CGNAT, multicast, reserved, and no IPv6 form embedding an IPv4 address) and the port is one of
/// <see cref="RemoteResolutionOptions.PublicPorts"/>, then connects to the addresses it checked, never to a name
/// resolved again behind its back (DNS rebinding). What a caller sees is the same for a name that does not resolve and
/// for one that resolves to a refused address, so the public verify endpoint cannot be used to map internal names; the
/// operator's log has the details.
/// </summary>
internal sealed partial class RemoteFetchGuard(IOptions<RemoteResolutionOptions> options, ILogger<RemoteFetchGuard> logger)
{
    /// <summary>The one message for a host that may not be fetched, whatever the reason.</summary>
    public const string Refused = "does not resolve to public addresses only; public remote resolution fetches from public addresses only";


    /// <summary>Name resolution (tests replace it; nothing else does).</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; set; } = Dns.GetHostAddressesAsync;

    /// <summary>The address policy (tests admit their loopback server through it; nothing else changes it).</summary>
    internal Func<IPAddress, string?> WhyRefused { get; set; } = address => PublicAddresses.WhyRefused(address, allowLoopback: false);

    /// <summary>Server certificate check; null is the platform's (tests trust their own certificate through it).</summary>
    internal RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary><see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>: the platform's verdict unless a test replaced it.</summary>
    public bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        => CertificateValidation is { } check ? check(sender, certificate, chain, errors) : errors == SslPolicyErrors.None;

    /// <summary><see cref="SocketsHttpHandler.ConnectCallback"/> in public mode.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        int port = context.DnsEndPoint.Port;
        if (!options.Value.EffectivePublicPorts.Contains(port))
        {
            throw new RemoteAddressRefusedException($"port {port} is not one of Verify:Remote:PublicPorts");
        }

        IPAddress[] addresses;
        try
        {
            addresses = await PublicAddresses.ResolveAsync(Resolve, host, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ArgumentException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogRefused(logger, host, "-", "the name does not resolve: " + e.Message);
            throw new RemoteAddressRefusedException($"the host '{host}' {Refused}");
        }

        if (addresses.Length == 0)
        {
            LogRefused(logger, host, "-", "the name has no addresses");
            throw new RemoteAddressRefusedException($"the host '{host}' {Refused}");
        }

        foreach (IPAddress address in addresses)
        {
            if (WhyRefused(address) is { } why)
            {
                LogRefused(logger, host, address.ToString(), why);
                throw new RemoteAddressRefusedException($"the host '{host}' {Refused}");
            }
        }

        return await PublicAddresses.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(131, LogLevel.Information, "Remote resolution guard: the host '{Host}' ({Address}) is refused: {Why}.")]
    private static partial void LogRefused(ILogger logger, string host, string address, string why);
}

/// <summary>A connection refused by <see cref="RemoteFetchGuard"/>.</summary>
internal sealed class RemoteAddressRefusedException : HttpRequestException
{
    public RemoteAddressRefusedException()
    {
    }

    public RemoteAddressRefusedException(string message) : base(message)
    {
    }

    public RemoteAddressRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
