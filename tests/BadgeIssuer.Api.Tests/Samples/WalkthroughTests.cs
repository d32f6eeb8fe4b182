using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BadgeIssuer.Api.Tests.Interop;

namespace BadgeIssuer.Api.Tests.Samples;

/// <summary>
/// <c>samples/walkthrough.sh</c> against the real service: the built <c>BadgeIssuer.Api.dll</c> (same configuration
/// as this test build) started with <c>dotnet</c> on a free loopback port and a temp data directory. Needs bash and curl.
/// </summary>
public sealed class WalkthroughTests
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_scriptTimeout = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Walkthrough_AgainstRunningService_ExitsZeroAndRevokedBadgeFailsStatus()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "walkthrough.sh needs bash and curl (run it under WSL or Git Bash by hand).");
        string dll = ServiceDll();
        File.Exists(dll).Should().BeTrue($"{dll} is missing: build src/BadgeIssuer.Api in this configuration first.");

        int port = FreePort();
        string baseUrl = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        string publicUrl = "http://localhost:" + port.ToString(CultureInfo.InvariantCulture);
        DirectoryInfo data = Directory.CreateTempSubdirectory("badgeissuer-walkthrough-data-");
        DirectoryInfo output = Directory.CreateTempSubdirectory("badgeissuer-walkthrough-out-");
        var serviceLog = new StringBuilder();
        using Process service = Start("dotnet", [dll], data.FullName, serviceLog, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = baseUrl,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["BadgeIssuer__DataDirectory"] = data.FullName,
            // As the README's run command: no PublicBaseUrl (ids are minted under http://localhost:<port>, since
            // did:web needs a host name) and no configured key (the script reads the generated one from bootstrap.json).
        });
        try
        {
            await WaitUntilReadyAsync(service, baseUrl, serviceLog);

            var scriptLog = new StringBuilder();
            using Process script = Start("bash", [Path.Combine(NodeInterop.RepoRoot, "samples", "walkthrough.sh")], NodeInterop.RepoRoot, scriptLog, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["BASE_URL"] = baseUrl,
                ["DATA_DIR"] = data.FullName, // API_KEY unset: the script reads bootstrap.json
                ["OUT_DIR"] = output.FullName,
            });
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            limit.CancelAfter(s_scriptTimeout);
            try
            {
                await script.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                script.Kill(entireProcessTree: true);
                throw;
            }

            script.WaitForExit(); // drains the output handlers
            string log = Snapshot(scriptLog);
            (script.ExitCode == 0).Should().BeTrue($"walkthrough.sh exited {script.ExitCode.ToString(CultureInfo.InvariantCulture)}:\n{log}\nservice:\n{Snapshot(serviceLog)}");
            log.Should().Contain("achievement created: " + publicUrl + "/achievements/");
            log.Should().Contain("awarded: " + publicUrl + "/credentials/");
            log.Should().Contain("downloaded: badge.json");
            log.Should().Contain("verified (badge.png): verified: true, status check: passed");
            log.Should().Contain("revoked: " + publicUrl + "/credentials/");
            log.Should().Contain("status list: " + publicUrl + "/status-lists/");
            log.Should().Contain("re-verified after revocation (badge.png): verified: false, status check: failed");
            foreach (string file in (string[])["badge.json", "badge.jwt", "badge.png", "badge.svg"])
            {
                (new FileInfo(Path.Combine(output.FullName, file)).Length > 0).Should().BeTrue(file);
            }
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill(entireProcessTree: true);
                service.WaitForExit();
            }

            TryDelete(data);
            TryDelete(output);
        }
    }

    [Fact]
    public async Task Readme_RunCommand_IsStatedVerbatim()
    {
        string readme = await File.ReadAllTextAsync(Path.Combine(NodeInterop.RepoRoot, "README.md"), Ct);
        readme.Replace("\r\n", "\n", StringComparison.Ordinal).Should().Contain("dotnet run --project src/BadgeIssuer.Api\n");
        File.Exists(Path.Combine(NodeInterop.RepoRoot, "src", "BadgeIssuer.Api", "BadgeIssuer.Api.csproj")).Should().BeTrue();
    }

    /// <summary>src/BadgeIssuer.Api/bin/&lt;Configuration&gt;/&lt;tfm&gt;/BadgeIssuer.Api.dll, configuration and tfm as this test assembly's.</summary>
    internal static string ServiceDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        string configuration = tfm.Parent!.Name;
        return Path.Combine(NodeInterop.RepoRoot, "src", "BadgeIssuer.Api", "bin", configuration, tfm.Name, "BadgeIssuer.Api.dll");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static Process Start(string program, IReadOnlyList<string> arguments, string workingDirectory, StringBuilder log, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.Append(line).Append('\n');
            }
        }
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    internal static async Task WaitUntilReadyAsync(Process service, string baseUrl, StringBuilder log)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            service.HasExited.Should().BeFalse($"The service exited early ({(service.HasExited ? service.ExitCode.ToString(CultureInfo.InvariantCulture) : "?")}):\n{Snapshot(log)}");
            try
            {
                using HttpResponseMessage response = await client.GetAsync(baseUrl + "/readyz", Ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!Ct.IsCancellationRequested)
            {
                // One probe timed out.
            }

            (clock.Elapsed < s_readyTimeout).Should().BeTrue($"/readyz did not answer 200 within {s_readyTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s:\n{Snapshot(log)}");
            await Task.Delay(200, Ct);
        }
    }

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // The temp directory is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // bootstrap.json is owner-only; still ours, but leave it to the OS if it resists.
        }
    }
}
