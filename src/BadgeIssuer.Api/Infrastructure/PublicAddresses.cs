using System.Net;
using System.Net.Sockets;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// The address policy of every outbound request the service makes on someone else's behalf (webhook deliveries, public
/// remote resolution in the verifier): only public unicast addresses. Refused: loopback (unless allowed), unspecified,
/// private (RFC 1918, RFC 4193 fc00::/7), link-local, shared (CGNAT 100.64.0.0/10), multicast, documentation,
/// benchmarking and other reserved ranges, and IPv6 forms that embed an IPv4 address (v4-mapped, v4-compatible, NAT64,
/// 6to4, Teredo).
/// </summary>
internal static class PublicAddresses
{
    /// <summary>Why <paramref name="address"/> may not be the target of an outbound request, or null when it may (a public unicast address).</summary>
    public static string? WhyRefused(IPAddress address, bool allowLoopback)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return WhyRefusedV6(address, allowLoopback);
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return "not an IP address";
        }

        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return (b[0], b[1], b[2]) switch
        {
            (0, _, _) => "unspecified (0.0.0.0/8)",
            (127, _, _) => allowLoopback ? null : "loopback (127.0.0.0/8)",
            (10, _, _) => "private (10.0.0.0/8)",
            (172, >= 16 and <= 31, _) => "private (172.16.0.0/12)",
            (192, 168, _) => "private (192.168.0.0/16)",
            (100, >= 64 and <= 127, _) => "shared address space (CGNAT, 100.64.0.0/10)",
            (169, 254, _) => "link-local (169.254.0.0/16)",
            (192, 0, 0) => "reserved (IETF protocol assignments, 192.0.0.0/24)",
            (192, 0, 2) or (198, 51, 100) or (203, 0, 113) => "reserved (documentation)",
            (192, 88, 99) => "reserved (6to4 relay anycast, 192.88.99.0/24)",
            (198, 18 or 19, _) => "reserved (benchmarking, 198.18.0.0/15)",
            ( >= 224 and <= 239, _, _) => "multicast (224.0.0.0/4)",
            ( >= 240, _, _) => "reserved (240.0.0.0/4, broadcast)",
            _ => null,
        };
    }

    private static string? WhyRefusedV6(IPAddress address, bool allowLoopback)
    {
        if (address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified (::)";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return allowLoopback ? null : "loopback (::1)";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return "IPv4-mapped IPv6 (::ffff:0:0/96)";
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        if (b[0] == 0xff)
        {
            return "multicast (ff00::/8)";
        }

        if ((b[0] & 0xfe) == 0xfc)
        {
            return "private (unique local, fc00::/7)";
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return "link-local (fe80::/10)";
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        {
            return "reserved (site-local, fec0::/10)";
        }

        // Only global unicast (2000::/3) is allowed, less the parts that are not ordinary hosts.
        if ((b[0] & 0xe0) != 0x20)
        {
            return "reserved (outside global unicast 2000::/3: v4-compatible, NAT64 64:ff9b::/96, discard 100::/64, …)";
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return "reserved (6to4, 2002::/16, embeds an IPv4 address)";
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] <= 0x01)
        {
            return "reserved (IETF protocol assignments incl. Teredo, 2001::/23)";
        }

        if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) || (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0))
        {
            return "reserved (documentation, 2001:db8::/32 or 3fff::/20)";
        }

        return null;
    }

    private static readonly TimeSpan s_resolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The addresses of <paramref name="host"/> as the guards check them: an IP literal (bracketed IPv6 too) is itself;
    /// a name goes through <paramref name="resolve"/>, bounded to 5 s.
    /// </summary>
    public static async Task<IPAddress[]> ResolveAsync(Func<string, CancellationToken, Task<IPAddress[]>> resolve, string host, CancellationToken cancellationToken)
    {
        string bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out IPAddress? literal))
        {
            return [literal];
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_resolveTimeout);
        return await resolve(bare, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Connects to exactly the <paramref name="addresses"/> that were checked, never to a name resolved again.</summary>
    public static async ValueTask<Stream> ConnectAsync(IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
