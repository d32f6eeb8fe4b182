using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BadgeIssuer.LoadTest;

/// <summary>One measured run, as printed and as written by <c>--json</c>.</summary>
public sealed class LoadResult
{
    public required string Scenario { get; init; }

    /// <summary>The service URL; with several instances, all of them, comma-separated.</summary>
    public required string Url { get; init; }

    /// <summary>Service instances the load was spread over (round-robin per request).</summary>
    public int Instances { get; init; } = 1;

    /// <summary>Storage backend as told by <c>--storage</c> (e.g. sqlite, postgres); null when not told.</summary>
    public string? Storage { get; init; }

    public int Concurrency { get; init; }

    public int BatchSize { get; init; }

    public double WarmupSeconds { get; init; }

    public double DurationSeconds { get; init; }

    /// <summary>Requests completed in the window: successes, non-success statuses and transport failures.</summary>
    public long Requests { get; init; }

    public long Ok { get; init; }

    /// <summary>Responses with a non-success status.</summary>
    public long Errors { get; init; }

    /// <summary>Requests that got no response (connection refused/reset, timeout).</summary>
    public long Exceptions { get; init; }

    /// <summary>Credentials issued (awards, issue, batch items) or responses served (GET scenarios).</summary>
    public long Items { get; init; }

    /// <summary>Batch items that a successful (200/207) batch response reported as failed.</summary>
    public long ItemErrors { get; init; }

    public double RequestsPerSecond { get; init; }

    public double ItemsPerSecond { get; init; }

    /// <summary>Latency of successful requests: request sent to last response byte read.</summary>
    public required LatencySummary LatencyMs { get; init; }

    public required SortedDictionary<string, long> StatusCodes { get; init; }

    /// <summary>Completed requests per second of the window; a dip shows a stall (GC, checkpoint, lock).</summary>
    public required long[] PerSecond { get; init; }

    /// <summary>CPU of the load generator over the window, % of one core (the machine has <c>Environment.ProcessorCount</c>).</summary>
    public double ClientCpuPercent { get; init; }

    /// <summary>CPU of the server processes over the window, summed over the instances, % of one core.</summary>
    public double? ServerCpuPercent { get; init; }

    /// <summary>With several instances: each one's CPU, in the order of the URLs.</summary>
    public double[]? ServerCpuPercentPerInstance { get; init; }

    /// <summary>CPU of the database server process tree (<c>--db-pid</c>: postmaster and backends) over the window, % of one core.</summary>
    public double? DbCpuPercent { get; init; }

    public int ClientGcCollections { get; init; }

    /// <summary>Whole-machine busy CPU over the window (/proc/stat), % of one core; well above client + server means other load.</summary>
    public double? MachineCpuPercent { get; init; }

    /// <summary>
    /// Machine CPU used by neither the load generator nor the server (nor the database, when measured): other
    /// processes, kernel threads; % of one core.
    /// </summary>
    [JsonIgnore]
    public double? OtherCpuPercent => MachineCpuPercent is double m && ServerCpuPercent is double s ? Math.Max(0, m - ClientCpuPercent - s - (DbCpuPercent ?? 0)) : null;

    /// <summary>
    /// Server CPU milliseconds per item (credential or response): less sensitive to other load on the machine than
    /// throughput; 2 cores' worth (2000 ms/s) divided by it bounds what the server alone could sustain.
    /// </summary>
    [JsonIgnore]
    public double? ServerCpuMsPerItem => ServerCpuPercent is double s && ItemsPerSecond > 0 ? s * 10 / ItemsPerSecond : null;

    /// <summary>Database CPU milliseconds per item, like <see cref="ServerCpuMsPerItem"/>.</summary>
    [JsonIgnore]
    public double? DbCpuMsPerItem => DbCpuPercent is double d && ItemsPerSecond > 0 ? d * 10 / ItemsPerSecond : null;

    /// <summary>Storage and instance count as a column value, e.g. <c>postgres×2</c>.</summary>
    [JsonIgnore]
    public string Setup => string.Create(CultureInfo.InvariantCulture, $"{Storage ?? "?"}×{Instances}");

    /// <summary>CPU stolen by the hypervisor over the window, % of one core.</summary>
    public double? MachineStealPercent { get; init; }

    public int ProcessorCount { get; init; } = Environment.ProcessorCount;

    public required string[] ErrorSamples { get; init; }

    public const string TableHeader =
        "scenario      conc  batch   requests   errors   req/s    creds/s    p50 ms   p90 ms   p99 ms   max ms  cli cpu  srv cpu  other  srv ms/item";

    /// <summary>Whether rows carry the setup column (storage × instances) and the database CPU columns.</summary>
    public readonly record struct Columns(bool Setup, bool Db)
    {
        public static Columns For(IReadOnlyCollection<LoadResult> results)
            => new(results.Any(r => r.Storage is not null || r.Instances > 1), results.Any(r => r.DbCpuPercent is not null));
    }

    /// <summary>The header; with neither optional column it is <see cref="TableHeader"/>.</summary>
    public static string Header(Columns columns)
        => (columns.Setup ? "setup         " : "") + TableHeader + (columns.Db ? "   db cpu   db ms/item" : "");

    /// <summary>The row, with the columns this result has.</summary>
    public string TableRow() => TableRow(Columns.For([this]));

    public string TableRow(Columns columns)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string row = BaseRow();
        return (columns.Setup ? string.Create(c, $"{Setup,-13} ") : "")
            + row
            + (columns.Db ? string.Create(c, $" {(DbCpuPercent is double d ? d.ToString("F0", c) + "%" : "-"),8} {(DbCpuMsPerItem is double m ? m.ToString("F3", c) : "-"),12}") : "");
    }

    private string BaseRow()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return string.Create(c, $"{Scenario,-12} {Concurrency,5} {BatchSize,6} {Requests,10} {Errors + Exceptions,8} {RequestsPerSecond,7:F0} {ItemsPerSecond,10:F0} {LatencyMs.P50,8:F2} {LatencyMs.P90,8:F2} {LatencyMs.P99,8:F2} {LatencyMs.Max,8:F1} {ClientCpuPercent,7:F0}% {(ServerCpuPercent is double s ? s.ToString("F0", c) + "%" : "-"),8} {(OtherCpuPercent is double o ? o.ToString("F0", c) + "%" : "-"),6} {(ServerCpuMsPerItem is double m ? m.ToString("F3", c) : "-"),12}");
    }

    public string Describe()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        StringBuilder text = new();
        string setup = Storage is not null || Instances > 1 ? $", storage {Storage ?? "?"}, {Instances} instance{(Instances == 1 ? "" : "s")}" : "";
        text.AppendLine(c, $"scenario {Scenario}: {Concurrency} connections, {WarmupSeconds:0.#}s warm-up, {DurationSeconds:0.#}s measured{setup}");
        text.AppendLine(c, $"  requests {Requests}  ok {Ok}  errors {Errors}  no-response {Exceptions}{(ItemErrors > 0 ? $"  failed batch items {ItemErrors}" : "")}  statuses {string.Join(' ', StatusCodes.Select(kv => kv.Key + "×" + kv.Value))}");
        text.AppendLine(c, $"  throughput {RequestsPerSecond:F1} req/s, {ItemsPerSecond:F1} items/s");
        text.AppendLine(c, $"  latency ms  p50 {LatencyMs.P50:F2}  p90 {LatencyMs.P90:F2}  p99 {LatencyMs.P99:F2}  p99.9 {LatencyMs.P999:F2}  max {LatencyMs.Max:F2}  mean {LatencyMs.Mean:F2}");
        text.AppendLine(c, $"  per second  min {(PerSecond.Length == 0 ? 0 : PerSecond.Min())}  max {(PerSecond.Length == 0 ? 0 : PerSecond.Max())}  [{string.Join(' ', PerSecond)}]");
        text.Append(c, $"  cpu (% of one core, {ProcessorCount} cores)  load generator {ClientCpuPercent:F0}%  server {(ServerCpuPercent is double s ? s.ToString("F0", c) + "%" : "n/a (--server-pid)")}  machine {Fmt(MachineCpuPercent)} (steal {Fmt(MachineStealPercent)})  server ms/item {(ServerCpuMsPerItem is double m ? m.ToString("F3", c) : "n/a")}  client gen0 GCs {ClientGcCollections}");
        if (ServerCpuPercentPerInstance is { Length: > 1 } each)
        {
            text.AppendLine();
            text.Append(c, $"  server cpu per instance  {string.Join("  ", each.Select(p => p.ToString("F0", c) + "%"))}");
        }

        if (DbCpuPercent is double db)
        {
            text.AppendLine();
            text.Append(c, $"  database cpu (postmaster + backends)  {db:F0}%  db ms/item {(DbCpuMsPerItem is double dm ? dm.ToString("F3", c) : "n/a")}");
        }

        foreach (string sample in ErrorSamples)
        {
            text.AppendLine().Append("  error: ").Append(sample);
        }

        return text.ToString();

        static string Fmt(double? percent) => percent is double p ? p.ToString("F0", CultureInfo.InvariantCulture) + "%" : "n/a";
    }
}

public sealed class LatencySummary
{
    public double Min { get; init; }

    public double Mean { get; init; }

    public double P50 { get; init; }

    public double P90 { get; init; }

    public double P99 { get; init; }

    public double P999 { get; init; }

    public double Max { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(LoadResult))]
internal sealed partial class LoadJsonContext : JsonSerializerContext;
