using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BadgeIssuer.Api.Tests.Infrastructure;

/// <summary>
/// A request body below Kestrel's minimum data rate: a 408 <c>request-timeout</c> problem with the security headers,
/// and one warning line in the log without a stack trace. Real Kestrel on loopback (the test server has no data
/// rate), with a 2 s grace period instead of the default 5 s to keep the test short.
/// </summary>
public sealed class SlowRequestBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SlowBody_Gets408Problem_WithSecurityHeaders_AndOneWarningLine()
    {
        var logs = new LogCapture();
        using var app = new BadgeIssuerApplication { Logs = logs };
        using WebApplicationFactory<Program> kestrel = app.WithWebHostBuilder(_ => { });
        kestrel.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(2));
        });
        kestrel.StartServer();
        var address = new Uri(kestrel.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        int startup = logs.Entries.Count;

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port, Ct);
        NetworkStream stream = tcp.GetStream();
        string head = "POST /issuers/default/api-keys HTTP/1.1\r\nHost: localhost\r\n"
            + "Authorization: Bearer " + BadgeIssuerApplication.ApiKey + "\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);

        // Nothing more is sent: Kestrel gives up after the grace period and the endpoint's body read throws.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        string response = await ReadUntilClosedAsync(stream, limit.Token);

        response.Should().StartWith("HTTP/1.1 408");
        response.Should().ContainEquivalentOf("X-Content-Type-Options: nosniff");
        response.Should().ContainEquivalentOf("X-Frame-Options: DENY");
        response.Should().ContainEquivalentOf("Content-Security-Policy: default-src 'none'");
        response.Should().ContainEquivalentOf("Content-Type: application/problem+json");
        response.Should().Contain("\"code\":\"request-timeout\"");
        response.Should().Contain("\"type\":\"urn:badgeissuer:problem:request-timeout\"");

        // What this request logged (start-up warnings about the dev KEK and the http base URL come before).
        CapturedLog[] logged = [.. logs.Entries.Skip(startup)];
        CapturedLog warning = logged.Should().ContainSingle(e => e.Level >= LogLevel.Warning).Which;
        warning.Message.Should().Contain("arrived too slowly");
        warning.Message.Should().NotContain("\n");
        logged.Should().AllSatisfy(e => e.Exception.Should().BeNull());
        string.Join("\n", logged.Select(e => e.Everything())).Should().NotContain("   at ");
    }

    private static async Task<string> ReadUntilClosedAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
                // The problem is small: once its end has arrived there is nothing left to wait for.
                if (Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Kestrel may reset the connection after answering.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }
}
