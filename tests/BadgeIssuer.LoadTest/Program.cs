using System.Globalization;
using System.Net;
using System.Text.Json;

namespace BadgeIssuer.LoadTest;

/// <summary>
/// <c>BadgeIssuer.LoadTest [options]</c> runs one scenario against a running service;
/// <c>BadgeIssuer.LoadTest report A.json B.json …</c> prints the runs as a table with per-scenario medians;
/// <c>--self-test</c> checks the percentile rule. Exit codes: 0 ran without errors, 1 the run saw errors, 2 usage or setup failed.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["report", .. string[] files])
        {
            return Report(files);
        }

        if (args is ["wait", .. string[] waitArgs])
        {
            return await WaitReadyAsync(waitArgs);
        }

        if (args is ["--self-test"])
        {
            Percentiles.SelfTest();
            Console.WriteLine("percentile self-test passed");
            return 0;
        }

        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(LoadOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(LoadOptions.Usage);
            return 0;
        }

        using CancellationTokenSource stop = new();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        using SocketsHttpHandler handler = new()
        {
            MaxConnectionsPerServer = options.Concurrency,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        using HttpClient client = new(handler, disposeHandler: false)
        {
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        TextWriter log = options.Quiet ? TextWriter.Null : Console.Out;
        Scenario scenario;
        try
        {
            scenario = await new ScenarioSetup(client, options, log).PrepareAsync(stop.Token);
        }
        catch (Exception ex) when (ex is SetupException or HttpRequestException or IOException or JsonException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"setup failed ({options.Url}): {ex.Message}");
            return 2;
        }

        log.WriteLine($"run: {scenario.Description}");
        if (options.Urls.Count > 1)
        {
            log.WriteLine($"run: {options.Urls.Count} instances, requests round-robin: {string.Join(", ", options.Urls)}");
        }
        log.WriteLine($"run: {options.Concurrency} connections, warm-up {options.Warmup.TotalSeconds:0.#}s, measuring {options.Duration.TotalSeconds:0.#}s");

        LoadResult result = await new LoadRunner(client, scenario, options).RunAsync(stop.Token);

        log.WriteLine(result.Describe());
        LoadResult.Columns single = LoadResult.Columns.For([result]);
        Console.WriteLine(LoadResult.Header(single));
        Console.WriteLine(result.TableRow(single));

        if (options.JsonFile is string file)
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(result, LoadJsonContext.Default.LoadResult));
        }

        return result.Errors + result.Exceptions == 0 && result.Ok > 0 ? 0 : 1;
    }

    // wait [--url U] [--timeout T]: poll GET /readyz (GET /health where there is no /readyz) until it answers 200.
    private static async Task<int> WaitReadyAsync(string[] args)
    {
        Uri url = new("http://127.0.0.1:5090/");
        TimeSpan timeout = TimeSpan.FromSeconds(60);
        int? pid = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--url":
                    url = new Uri(args[i + 1].TrimEnd('/') + "/", UriKind.Absolute);
                    break;
                case "--timeout":
                    timeout = LoadOptions.ParseDuration(args[i + 1]);
                    break;
                case "--pid":
                    pid = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: wait [--url URL] [--timeout T] [--pid PID]");
                    return 2;
            }
        }

        using HttpClient client = new() { Timeout = TimeSpan.FromSeconds(2) };
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        string last = "no answer";
        while (System.Diagnostics.Stopwatch.GetElapsedTime(start) < timeout)
        {
            try
            {
                using HttpResponseMessage ready = await client.GetAsync(new Uri(url, "readyz"));
                HttpStatusCode status = ready.StatusCode;
                if (status == HttpStatusCode.NotFound)
                {
                    using HttpResponseMessage health = await client.GetAsync(new Uri(url, "health"));
                    status = health.StatusCode;
                }

                if (status == HttpStatusCode.OK)
                {
                    return 0;
                }

                last = ((int)status).ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            if (pid is int id && !IsRunning(id))
            {
                await Console.Error.WriteLineAsync($"process {id} exited before {url} was ready");
                return 1;
            }

            await Task.Delay(200);
        }

        await Console.Error.WriteLineAsync($"{url} not ready after {timeout.TotalSeconds:0}s: {last}");
        return 1;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using System.Diagnostics.Process process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // Every run as a row, then one row per (scenario, concurrency, batch) with the median of each column and the
    // spread of throughput across the runs.
    private static int Report(string[] files)
    {
        List<LoadResult> results = [];
        foreach (string file in files)
        {
            try
            {
                results.Add(JsonSerializer.Deserialize(File.ReadAllText(file), LoadJsonContext.Default.LoadResult)
                    ?? throw new JsonException("empty"));
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                Console.Error.WriteLine($"{file}: {ex.Message}");
                return 2;
            }
        }

        LoadResult.Columns columns = LoadResult.Columns.For(results);
        Console.WriteLine("runs");
        Console.WriteLine(LoadResult.Header(columns));
        foreach (LoadResult result in results)
        {
            Console.WriteLine(result.TableRow(columns));
        }

        Console.WriteLine();
        Console.WriteLine("medians (spread = min..max throughput over the runs)");
        Console.WriteLine(LoadResult.Header(columns) + "  runs  spread");
        foreach (IGrouping<(string, int, int, string?, int), LoadResult> group in results.GroupBy(r => (r.Scenario, r.Concurrency, r.BatchSize, r.Storage, r.Instances)))
        {
            LoadResult[] runs = [.. group];
            LoadResult median = new()
            {
                Scenario = runs[0].Scenario,
                Url = runs[0].Url,
                Instances = runs[0].Instances,
                Storage = runs[0].Storage,
                Concurrency = runs[0].Concurrency,
                BatchSize = runs[0].BatchSize,
                Requests = (long)Median(runs, r => r.Requests),
                Errors = runs.Sum(r => r.Errors),
                Exceptions = runs.Sum(r => r.Exceptions),
                RequestsPerSecond = Median(runs, r => r.RequestsPerSecond),
                ItemsPerSecond = Median(runs, r => r.ItemsPerSecond),
                LatencyMs = new LatencySummary
                {
                    P50 = Median(runs, r => r.LatencyMs.P50),
                    P90 = Median(runs, r => r.LatencyMs.P90),
                    P99 = Median(runs, r => r.LatencyMs.P99),
                    Max = Median(runs, r => r.LatencyMs.Max),
                },
                ClientCpuPercent = Median(runs, r => r.ClientCpuPercent),
                ServerCpuPercent = runs.All(r => r.ServerCpuPercent is not null) ? Median(runs, r => r.ServerCpuPercent!.Value) : null,
                DbCpuPercent = runs.All(r => r.DbCpuPercent is not null) ? Median(runs, r => r.DbCpuPercent!.Value) : null,
                MachineCpuPercent = runs.All(r => r.MachineCpuPercent is not null) ? Median(runs, r => r.MachineCpuPercent!.Value) : null,
                StatusCodes = [],
                PerSecond = [],
                ErrorSamples = [],
            };
            CultureInfo c = CultureInfo.InvariantCulture;
            string spread = string.Create(c, $"{runs.Min(r => r.ItemsPerSecond):F0}..{runs.Max(r => r.ItemsPerSecond):F0}");
            Console.WriteLine(string.Create(c, $"{median.TableRow(columns)}  {runs.Length,4}  {spread}"));
        }

        Console.WriteLine("(errors column in the medians table: total over the runs)");
        WriteRatios(results);
        return 0;
    }

    /// <summary>
    /// Side by side with the JavaScript reference issuer (runs recorded with --storage js-reference): per scenario,
    /// the median throughput of every other setup divided by the reference's, and both p99s.
    /// </summary>
    private static void WriteRatios(List<LoadResult> results)
    {
        const string Reference = "js-reference";
        CultureInfo c = CultureInfo.InvariantCulture;
        bool header = false;
        foreach (IGrouping<(string Scenario, int Concurrency), LoadResult> scenario in results.GroupBy(r => (r.Scenario, r.Concurrency)))
        {
            LoadResult[] reference = [.. scenario.Where(r => r.Storage == Reference)];
            if (reference.Length == 0)
            {
                continue;
            }

            double js = Median(reference, r => r.ItemsPerSecond);
            foreach (IGrouping<string?, LoadResult> setup in scenario.Where(r => r.Storage != Reference).GroupBy(r => r.Storage))
            {
                LoadResult[] ours = [.. setup];
                if (!header)
                {
                    Console.WriteLine();
                    Console.WriteLine("side by side with the JavaScript reference issuer (medians)");
                    Console.WriteLine("scenario      conc  setup         ours/s      js/s   ratio  ours p99 ms  js p99 ms  runs");
                    header = true;
                }

                double us = Median(ours, r => r.ItemsPerSecond);
                Console.WriteLine(string.Create(c,
                    $"{scenario.Key.Scenario,-12} {scenario.Key.Concurrency,5}  {setup.Key ?? "?",-10} {us,9:F0} {js,9:F0} {(js > 0 ? us / js : double.NaN),6:F1}× {Median(ours, r => r.LatencyMs.P99),11:F2} {Median(reference, r => r.LatencyMs.P99),10:F2}  {ours.Length}/{reference.Length}"));
            }
        }
    }

    private static double Median(LoadResult[] runs, Func<LoadResult, double> value)
    {
        double[] sorted = [.. runs.Select(value).Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
