using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace BadgeIssuer.LoadTest;

/// <summary>
/// Closed loop: <c>concurrency</c> workers, each sending its next request as soon as the previous response body has
/// been read. Requests completing inside the measurement window are counted; their latencies (send to last body
/// byte) go to the worker's own list, merged and sorted once at the end. Nothing on the hot path takes a lock.
/// </summary>
public sealed class LoadRunner
{
    private const int MaxErrorSamples = 5;

    private readonly HttpClient _client;
    private readonly Scenario _scenario;
    private readonly LoadOptions _options;
    private readonly ConcurrentQueue<string> _errorSamples = new();
    private long _sequence = -1;
    private int _errorSampleCount;

    public LoadRunner(HttpClient client, Scenario scenario, LoadOptions options)
    {
        _client = client;
        _scenario = scenario;
        _options = options;
    }

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        long measureStart = start + ToTicks(_options.Warmup);
        long measureEnd = measureStart + ToTicks(_options.Duration);
        int seconds = (int)Math.Ceiling(_options.Duration.TotalSeconds);

        // Room for the expected samples up front, so the lists rarely grow during the run.
        int capacity = (int)Math.Min(1 << 20, Math.Max(1024, 20_000 * _options.Duration.TotalSeconds / _options.Concurrency));
        Worker[] workers = [.. Enumerable.Range(0, _options.Concurrency).Select(_ => new Worker(capacity, seconds))];

        Task<CpuSample> cpu = SampleCpuAsync(measureStart, measureEnd, cancellationToken);
        await Task.WhenAll(workers.Select(w => Task.Run(() => RunWorkerAsync(w, measureStart, measureEnd, cancellationToken), cancellationToken)));
        CpuSample usage = await cpu;

        return Merge(workers, usage);
    }

    private async Task RunWorkerAsync(Worker worker, long measureStart, long measureEnd, CancellationToken cancellationToken)
    {
        byte[] drain = new byte[16 * 1024];
        while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < measureEnd)
        {
            long n = Interlocked.Increment(ref _sequence);
            using HttpRequestMessage request = _scenario.CreateRequest(n);
            long sent = Stopwatch.GetTimestamp();
            HttpStatusCode status;
            int items = 0;
            bool ok;
            try
            {
                using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                status = response.StatusCode;
                ok = _scenario.IsSuccess(status);
                if (!ok || _scenario.CountItems is not null)
                {
                    byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    if (ok)
                    {
                        items = _scenario.CountItems!(status, body);
                    }
                    else
                    {
                        SampleError($"{(int)status} {response.ReasonPhrase}: {System.Text.Encoding.UTF8.GetString(body)}");
                    }
                }
                else
                {
                    await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                    while (await stream.ReadAsync(drain, cancellationToken) > 0)
                    {
                    }

                    items = _scenario.ItemsPerRequest;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                long failedAt = Stopwatch.GetTimestamp();
                if (failedAt >= measureStart && failedAt < measureEnd)
                {
                    worker.Exceptions++;
                }

                SampleError($"{ex.GetType().Name}: {ex.Message}");
                continue;
            }

            long done = Stopwatch.GetTimestamp();
            if (done < measureStart || done >= measureEnd)
            {
                continue;
            }

            worker.Count(status);
            worker.PerSecond[(int)((done - measureStart) / Stopwatch.Frequency)]++;
            if (ok)
            {
                worker.Ok++;
                worker.Items += items;
                worker.Latencies.Add(done - sent);
            }
            else
            {
                worker.Errors++;
            }
        }
    }

    private void SampleError(string text)
    {
        if (Interlocked.Increment(ref _errorSampleCount) <= MaxErrorSamples)
        {
            _errorSamples.Enqueue(ScenarioSetup.Clip(text));
        }
    }

    private LoadResult Merge(Worker[] workers, CpuSample cpu)
    {
        long[] latencies = new long[workers.Sum(w => w.Latencies.Count)];
        int offset = 0;
        foreach (Worker worker in workers)
        {
            worker.Latencies.CopyTo(latencies, offset);
            offset += worker.Latencies.Count;
        }

        Array.Sort(latencies);
        double seconds = _options.Duration.TotalSeconds;
        SortedDictionary<string, long> statuses = new(StringComparer.Ordinal);
        foreach (Worker worker in workers)
        {
            foreach ((int code, long count) in worker.Statuses)
            {
                string key = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
                statuses[key] = statuses.GetValueOrDefault(key) + count;
            }
        }

        long ok = workers.Sum(w => w.Ok);
        long items = workers.Sum(w => w.Items);
        long[] perSecond = new long[workers[0].PerSecond.Length];
        foreach (Worker worker in workers)
        {
            for (int i = 0; i < perSecond.Length; i++)
            {
                perSecond[i] += worker.PerSecond[i];
            }
        }

        return new LoadResult
        {
            Scenario = _scenario.Name,
            Url = string.Join(",", _options.Urls),
            Instances = _options.Urls.Count,
            Storage = _options.Storage,
            Concurrency = _options.Concurrency,
            BatchSize = _scenario.ItemsPerRequest,
            WarmupSeconds = _options.Warmup.TotalSeconds,
            DurationSeconds = seconds,
            Requests = ok + workers.Sum(w => w.Errors) + workers.Sum(w => w.Exceptions),
            Ok = ok,
            Errors = workers.Sum(w => w.Errors),
            Exceptions = workers.Sum(w => w.Exceptions),
            Items = items,
            ItemErrors = _scenario.CountItems is null ? 0 : (ok * _scenario.ItemsPerRequest) - items,
            RequestsPerSecond = ok / seconds,
            ItemsPerSecond = items / seconds,
            LatencyMs = new LatencySummary
            {
                Min = Ms(latencies.Length == 0 ? 0 : latencies[0]),
                Mean = latencies.Length == 0 ? 0 : Percentiles.TicksToMs((long)latencies.Average()),
                P50 = Ms(Percentiles.NearestRank(latencies, 50)),
                P90 = Ms(Percentiles.NearestRank(latencies, 90)),
                P99 = Ms(Percentiles.NearestRank(latencies, 99)),
                P999 = Ms(Percentiles.NearestRank(latencies, 99.9)),
                Max = Ms(latencies.Length == 0 ? 0 : latencies[^1]),
            },
            StatusCodes = statuses,
            PerSecond = perSecond,
            ClientCpuPercent = cpu.ClientPercent,
            ServerCpuPercent = cpu.ServerPercent,
            ServerCpuPercentPerInstance = cpu.PerServerPercent,
            DbCpuPercent = cpu.DbPercent,
            ClientGcCollections = cpu.Gc,
            MachineCpuPercent = cpu.MachineBusyPercent,
            MachineStealPercent = cpu.MachineStealPercent,
            ErrorSamples = [.. _errorSamples],
        };

        static double Ms(long ticks) => Math.Round(Percentiles.TicksToMs(ticks), 3);
    }

    // CPU time of this process, the servers (given their pids) and the database process tree (given its root pid)
    // between the window's edges, as % of one core.
    private async Task<CpuSample> SampleCpuAsync(long measureStart, long measureEnd, CancellationToken cancellationToken)
    {
        using Process self = Process.GetCurrentProcess();
        List<Process?> servers = [];
        foreach (int pid in _options.ServerPids)
        {
            try
            {
                servers.Add(Process.GetProcessById(pid));
            }
            catch (ArgumentException)
            {
                servers.Add(null);
            }
        }

        try
        {
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureStart) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);
            Snapshot before = Take(self, servers);
            MachineCpu? machine0 = MachineCpu.Read();
            TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureEnd);
            await Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken);
            Snapshot after = Take(self, servers);
            MachineCpu? machine1 = MachineCpu.Read();
            double wall = Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp).TotalSeconds;
            double? Percent(TimeSpan? t0, TimeSpan? t1) => t0 is TimeSpan a && t1 is TimeSpan b ? Math.Round((b - a).TotalSeconds / wall * 100, 1) : null;
            double?[] perServer = [.. before.Servers.Zip(after.Servers, Percent)];
            return new CpuSample(
                Percent(before.Self, after.Self) ?? 0,
                perServer.Length > 0 && perServer.All(p => p is not null) ? Math.Round(perServer.Sum(p => p!.Value), 1) : null,
                perServer.Length > 1 && perServer.All(p => p is not null) ? [.. perServer.Select(p => p!.Value)] : null,
                Percent(before.Db, after.Db),
                after.Gc - before.Gc,
                machine0 is not null && machine1 is not null ? machine1.BusyPercentSince(machine0) : null,
                machine0 is not null && machine1 is not null ? machine1.StealPercentSince(machine0) : null);
        }
        catch (OperationCanceledException)
        {
            return new CpuSample(0, null, null, null, 0, null, null);
        }
        finally
        {
            foreach (Process? server in servers)
            {
                server?.Dispose();
            }
        }
    }

    private Snapshot Take(Process self, List<Process?> servers)
    {
        self.Refresh();
        TimeSpan?[] serverCpu = new TimeSpan?[servers.Count];
        for (int i = 0; i < servers.Count; i++)
        {
            if (servers[i] is Process server)
            {
                try
                {
                    server.Refresh();
                    serverCpu[i] = server.TotalProcessorTime;
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    serverCpu[i] = null; // the server exited (or is not ours to read); the report says n/a
                }
            }
        }

        TimeSpan? db = _options.DbPid is int dbPid ? ProcessTreeCpu.Read(dbPid) : null;
        return new Snapshot(Stopwatch.GetTimestamp(), self.TotalProcessorTime, serverCpu, db, GC.CollectionCount(0));
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private sealed record CpuSample(
        double ClientPercent, double? ServerPercent, double[]? PerServerPercent, double? DbPercent, int Gc, double? MachineBusyPercent, double? MachineStealPercent);

    private sealed record Snapshot(long Timestamp, TimeSpan Self, TimeSpan?[] Servers, TimeSpan? Db, int Gc);

    // The aggregate "cpu" line of /proc/stat (Linux): whole-machine busy time, so other load on the box shows up.
    private sealed record MachineCpu(long Busy, long Steal, long Total)
    {
        public static MachineCpu? Read()
        {
            try
            {
                string? line = File.ReadLines("/proc/stat").FirstOrDefault();
                if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
                {
                    return null;
                }

                long[] f = [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                    .Select(v => long.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
                if (f.Length < 8)
                {
                    return null;
                }

                // user nice system idle iowait irq softirq steal
                long idle = f[3] + f[4];
                long total = f.Sum();
                return new MachineCpu(total - idle - f[7], f[7], total);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                return null;
            }
        }

        // % of one core, like the per-process figures (200% = both cores of a 2-core machine busy).
        public double BusyPercentSince(MachineCpu before)
            => Total == before.Total ? 0 : Math.Round(100.0 * Environment.ProcessorCount * (Busy - before.Busy) / (Total - before.Total), 1);

        public double StealPercentSince(MachineCpu before)
            => Total == before.Total ? 0 : Math.Round(100.0 * Environment.ProcessorCount * (Steal - before.Steal) / (Total - before.Total), 1);
    }

    private sealed class Worker(int capacity, int seconds)
    {
        public List<long> Latencies { get; } = new(capacity);

        public long[] PerSecond { get; } = new long[Math.Max(1, seconds)];

        public Dictionary<int, long> Statuses { get; } = [];

        public long Ok { get; set; }

        public long Errors { get; set; }

        public long Exceptions { get; set; }

        public long Items { get; set; }

        public void Count(HttpStatusCode status)
            => Statuses[(int)status] = Statuses.GetValueOrDefault((int)status) + 1;
    }
}
