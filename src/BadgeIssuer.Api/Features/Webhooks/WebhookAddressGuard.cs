using System.Net;
using System.Net.Sockets;
using BadgeIssuer.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Features.Webhooks;

/// <summary>
/// The SSRF guard of webhook deliveries. A target URL must be https (http only with <see cref="WebhookOptions.AllowLoopback"/>,
/// and then only to loopback), carry no user info, and its host must resolve — by us — only to public unicast addresses:
/// never loopback, private (RFC 1918, RFC 4193 fc00::/7), link-local, shared (CGNAT 100.64.0.0/10), multicast,
/// documentation, benchmarking or otherwise reserved ranges, unspecified, or IPv6 forms that embed an IPv4 address
/// (v4-mapped, v4-compatible, NAT64, 6to4, Teredo). The URL is checked at registration, and every connection is checked
/// again in <see cref="ConnectAsync"/> (a name that resolves differently later, DNS rebinding, is refused then); the
/// socket connects to an address that was checked, never to a name resolved again behind our back. Redirects are not
/// followed (the handler has <c>AllowAutoRedirect = false</c>; a 3xx answer is a failed attempt), and no proxy is used.
/// The port must be one of <see cref="WebhookOptions.AllowedPorts"/> (443 by default), so deliveries cannot probe other
/// services; loopback targets under <see cref="WebhookOptions.AllowLoopback"/> may use any port.
/// <para>
/// What callers see is generic: a refused host "resolves to a refused (non-public) address", never which address nor
/// which range (that would map internal names for them). The operator's log has the details.
/// </para>
/// </summary>
internal sealed partial class WebhookAddressGuard(IOptions<WebhookOptions> options, ILogger<WebhookAddressGuard> logger)
{
    internal const string RefusedAddress = "resolves to a refused (non-public) address; webhooks go to public addresses only";

    public const int MaxUrlLength = 2048;

    /// <summary>Name resolution (tests replace it to simulate names that resolve to refused addresses).</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; set; } = Dns.GetHostAddressesAsync;

    private bool AllowLoopback => options.Value.AllowLoopback;

    /// <summary>Why <paramref name="address"/> may not be a webhook target, or null when it may (a public unicast address).</summary>
    public static string? WhyRefused(IPAddress address, bool allowLoopback) => PublicAddresses.WhyRefused(address, allowLoopback);

    /// <summary>
    /// Checks a URL given at registration: syntax, scheme and every address its host resolves to now. Returns the
    /// normalized URL, or null with the reason in <paramref name="error"/>.
    /// </summary>
    public async Task<(string? Url, string? Error)> CheckUrlAsync(string value, CancellationToken cancellationToken)
    {
        if (value.Length > MaxUrlLength)
        {
            return (null, $"the URL is longer than {MaxUrlLength} characters");
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? url) || value.Any(char.IsWhiteSpace) || value.Any(char.IsControl))
        {
            return (null, "not an absolute URL");
        }

        if (CheckSyntax(url) is { } syntax)
        {
            return (null, syntax);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await PublicAddresses.ResolveAsync(Resolve, url.IdnHost, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return (null, $"the host '{url.IdnHost}' does not resolve");
        }

        if (CheckAddresses(url, url.Port, addresses) is { } refused)
        {
            return (null, refused);
        }

        return (url.AbsoluteUri, null);
    }

    /// <summary>Scheme, user info and port; null when acceptable.</summary>
    public string? CheckSyntax(Uri url)
    {
        bool http = string.Equals(url.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal);
        if (!string.Equals(url.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) && !(http && AllowLoopback))
        {
            return "the URL must be https";
        }

        if (url.UserInfo.Length > 0)
        {
            return "the URL must not contain user info (user:password@)";
        }

        if (url.Fragment.Length > 0)
        {
            return "the URL must not have a fragment";
        }

        if (url.Port is < 1 or > 65535)
        {
            return "the URL's port is not valid";
        }

        return null;
    }

    private string? CheckAddresses(Uri url, int port, IPAddress[] addresses)
    {
        if (addresses.Length == 0)
        {
            return $"the host '{url.IdnHost}' does not resolve";
        }

        bool http = string.Equals(url.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal);
        foreach (IPAddress address in addresses)
        {
            if (WhyRefused(address, AllowLoopback) is { } why)
            {
                // The address and its range go to the operator's log only.
                LogRefusedAddress(logger, url.IdnHost, address.ToString(), why);
                return $"the host '{url.IdnHost}' {RefusedAddress}";
            }

            if (http && !IPAddress.IsLoopback(address))
            {
                return "the URL must be https (http is accepted for loopback only)";
            }
        }

        // Any port on loopback under the development allowance (a local receiver listens where it can).
        IReadOnlyList<int> ports = options.Value.EffectivePorts;
        if (!ports.Contains(port) && !(AllowLoopback && addresses.All(IPAddress.IsLoopback)))
        {
            return $"the URL's port is not allowed; webhooks go to port {string.Join(", ", ports)} (BadgeIssuer:Webhooks:AllowedPorts)";
        }

        return null;
    }

    [LoggerMessage(125, LogLevel.Information, "Webhook address guard: the host '{Host}' resolves to {Address}, which is {Why}; refused.")]
    private static partial void LogRefusedAddress(ILogger logger, string host, string address, string why);

    /// <summary>
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, refuses the connection when any address is
    /// refused (or, for http, not loopback) or the port is not allowed, and connects to the checked addresses.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        Uri url = context.InitialRequestMessage.RequestUri ?? throw new HttpRequestException("The request has no URL.");
        IPAddress[] addresses;
        try
        {
            addresses = await PublicAddresses.ResolveAsync(Resolve, context.DnsEndPoint.Host, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new HttpRequestException($"the host '{context.DnsEndPoint.Host}' does not resolve", e);
        }

        if ((CheckSyntax(url) ?? CheckAddresses(url, context.DnsEndPoint.Port, addresses)) is { } refused)
        {
            throw new WebhookAddressRefusedException(refused);
        }

        return await PublicAddresses.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
    }
}

/// <summary>A webhook connection refused by <see cref="WebhookAddressGuard"/>.</summary>
internal sealed class WebhookAddressRefusedException : HttpRequestException
{
    public WebhookAddressRefusedException()
    {
    }

    public WebhookAddressRefusedException(string message) : base(message)
    {
    }

    public WebhookAddressRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
