using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>A child process (the built service, <c>dotnet run</c>, bash) with its output kept, killed on dispose.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The service DLL of this build (the configuration the tests were built in).</summary>
    public static string ServiceDll => Path.Combine(ServiceBinDirectory, "BadgeIssuer.Api.dll");

    /// <summary><c>src/BadgeIssuer.Api/bin/&lt;configuration&gt;/&lt;tfm&gt;</c> of this build.</summary>
    public static string ServiceBinDirectory
    {
        get
        {
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            return Path.Combine(Interop.NodeInterop.RepoRoot, "src", "BadgeIssuer.Api", "bin", tfm.Parent!.Name, tfm.Name);
        }
    }

    /// <summary>The build configuration the tests run in (Release, Debug).</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)).Parent!.Name;

    /// <summary>
    /// Starts <paramref name="fileName"/> in <paramref name="workingDirectory"/> with the service's configuration
    /// variables of the test runner's environment removed and <paramref name="environment"/> added.
    /// </summary>
    public static ServiceProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string[] prefixes = ["ASPNETCORE_", "DOTNET_ENVIRONMENT", "BadgeIssuer__", "ConnectionStrings__", "Logging__", "Verify__", "RateLimits__", "BASE_URL", "API_KEY", "DATA_DIR"];
        foreach (string key in start.Environment.Keys.Where(k => prefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits until <c>GET /readyz</c> answers 200.</summary>
    public async Task WaitUntilReadyAsync(string baseUrl, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Process.HasExited.Should().BeFalse($"the service exited early:\n{Output}");
            try
            {
                using HttpResponseMessage response = await client.GetAsync(new Uri(baseUrl + "/readyz"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow answer on a busy machine.
            }

            (clock.Elapsed < timeout).Should().BeTrue($"the service was not ready within {timeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code (killing it after <paramref name="timeout"/>).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await Process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Process.Kill(entireProcessTree: true);
            Assert.Fail($"did not finish within {timeout.TotalSeconds} s:\n{Output}");
        }

        Process.WaitForExit(); // flushes the redirected output
        return Process.ExitCode;
    }

    /// <summary>Stops the process (if running) and waits for its output to be complete.</summary>
    public void Stop()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.WaitForExit();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Url(int port) => "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Append(line).Append('\n');
            }
        }
    }

    public void Dispose()
    {
        Stop();
        Process.Dispose();
    }
}
