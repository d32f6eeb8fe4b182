using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Tests.Shared;
using Npgsql;

namespace BadgeIssuer.Api.Tests.MultiInstance;

/// <summary>
/// Two service processes (the built <c>BadgeIssuer.Api.dll</c>) on one fresh PostgreSQL database, started at the same
/// moment on an empty schema, driven concurrently through both with at least 100,000 requests — awards, batches,
/// one idempotency key sent to both at once, retries, revocations, suspensions, reinstatements and status-list reads —
/// then checked: every acknowledged credential stored exactly once and nothing else stored, no status index twice,
/// no idempotency key with two credentials, every acknowledged revocation and suspension visible in the list each
/// instance publishes (also checked right after each revocation, on the instance that did not make it), and each
/// list's version equal to its recorded changes. Loopback only; the load stops by itself at the count or the time limit.
/// Needs PostgreSQL (<see cref="TestPostgres"/>: <c>BADGEISSUER_TEST_POSTGRES</c>, or a throwaway server when initdb is installed), else skipped.
/// </summary>
[Collection(MultiInstanceRunsAlone.Name)]
public sealed class MultiInstanceTests
{
    private const string ApiKey = "bik_multi-instance-admin-key-0123456789abcdef";
    private const int Workers = 24;
    private const int BatchSize = 5;
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan s_loadLimit = TimeSpan.FromMinutes(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Requests to send; <c>BADGEISSUER_MULTI_INSTANCE_REQUESTS</c> lowers it for a quick local run.</summary>
    private static int TargetRequests =>
        int.TryParse(Environment.GetEnvironmentVariable("BADGEISSUER_MULTI_INSTANCE_REQUESTS"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 100_000;

    [Fact]
    public async Task TwoInstancesOnOneDatabase_MixedLoad_NothingLostNothingDuplicated()
    {
        string? admin = TestPostgres.AdminConnectionString;
        Assert.SkipWhen(string.IsNullOrEmpty(admin), TestPostgres.SkipReason);
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs the service as child processes on loopback; Linux/macOS only.");
        string dll = ServiceDll();
        File.Exists(dll).Should().BeTrue($"{dll} is missing: build src/BadgeIssuer.Api in this configuration first.");

        string database = "badgeissuer_multi_" + Guid.NewGuid().ToString("N");
        await ExecuteAdminAsync(admin!, $"CREATE DATABASE {database};");
        string connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 40 }.ConnectionString;
        var instances = new List<Instance>();
        try
        {
            int portA = FreePort();
            string kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            string publicBase = "http://localhost:" + portA.ToString(CultureInfo.InvariantCulture);
            // Both start at once on the empty database: migrations and the first-start bootstrap race here.
            foreach (int port in new[] { portA, FreePort() })
            {
                instances.Add(Instance.Start(dll, port, connectionString, kek, publicBase));
            }

            await Task.WhenAll(instances.Select(i => i.WaitUntilReadyAsync()));

            var load = new Load(instances, publicBase);
            await load.CreateAchievementAsync();
            var clock = Stopwatch.StartNew();
            await load.RunAsync(TargetRequests, s_loadLimit);
            clock.Stop();
            TestContext.Current.SendDiagnosticMessage(
                $"multi-instance: {load.Requests} requests in {clock.Elapsed.TotalSeconds:F1} s ({load.Requests / clock.Elapsed.TotalSeconds:F0}/s); " +
                $"{load.Issued.Count} credentials, {load.Revoked.Count} revoked, {load.SuspensionState.Count} with suspension entries, {load.KeysRaced} keys raced across instances; {load.Summary()}");

            load.Failures.IsEmpty.Should().BeTrue("unexpected answers:\n" + string.Join("\n", load.Failures.Take(20)) + Logs(instances));
            (load.Requests >= TargetRequests).Should().BeTrue($"only {load.Requests} of {TargetRequests} requests within {s_loadLimit.TotalMinutes} min" + Logs(instances));

            await CheckDatabaseAsync(connectionString, load);
            await CheckPublishedListsAsync(load);
            instances.Should().AllSatisfy(i => i.Process.HasExited.Should().BeFalse("an instance exited during the run" + Logs(instances)));
        }
        finally
        {
            foreach (Instance instance in instances)
            {
                instance.Dispose();
            }

            NpgsqlConnection.ClearAllPools();
            await ExecuteAdminAsync(admin!, $"DROP DATABASE IF EXISTS {database} WITH (FORCE);");
        }
    }

    // Every acknowledged credential stored once and nothing else; one allocation per credential, the one it names;
    // no idempotency key twice; each list's version = 1 + its recorded changes.
    private static async Task CheckDatabaseAsync(string connectionString, Load load)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);

        var stored = new Dictionary<string, (string? Key, string? ListId, int? Index)>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand("""
            SELECT c.id, c.idempotency_key, a.list_id, a.idx, (SELECT count(*) FROM status_allocations x WHERE x.credential_id = c.id)
            FROM credentials c LEFT JOIN status_allocations a ON a.credential_id = c.id;
            """, connection))
        await using (NpgsqlDataReader reader = await read.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                string id = reader.GetString(0);
                reader.GetInt64(4).Should().Be(1L);
                stored.TryAdd(id, (reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3))).Should().BeTrue($"credential {id} appears twice");
            }
        }

        stored.Count.Should().Be(load.Issued.Count);
        foreach ((string id, Issued issued) in load.Issued)
        {
            stored.TryGetValue(id, out var row).Should().BeTrue($"acknowledged credential {id} is not stored");
            ((row.ListId, row.Index)).Should().Be((issued.ListId, issued.Index));
        }

        stored.Values.Select(v => (v.ListId, v.Index)).Distinct().Count().Should().Be(stored.Count);
        load.Issued.Values.Select(i => (i.ListId, i.Index)).Distinct().Count().Should().Be(load.Issued.Count);
        var keys = stored.Values.Where(v => v.Key is not null).GroupBy(v => v.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        (keys.Count == 0).Should().BeTrue("idempotency keys with several credentials: " + string.Join(", ", keys.Take(10)));
        foreach ((string key, string credentialId) in load.Keys)
        {
            stored[credentialId].Key.Should().Be(key);
        }

        await using var versions = new NpgsqlCommand(
            "SELECT l.list_id, l.version, (SELECT count(*) FROM status_changes c WHERE c.list_id = l.list_id) FROM status_lists l;", connection);
        await using NpgsqlDataReader lists = await versions.ExecuteReaderAsync(Ct);
        while (await lists.ReadAsync(Ct))
        {
            (lists.GetInt64(1) == 1 + lists.GetInt64(2)).Should().BeTrue($"list {lists.GetString(0)}: version {lists.GetInt64(1)} after {lists.GetInt64(2)} changes");
        }
    }

    // Each instance's published list shows exactly the acknowledged states: revoked bits, suspensions in force, nothing else.
    private static async Task CheckPublishedListsAsync(Load load)
    {
        var lists = load.Issued.Values.GroupBy(i => i.ListId, StringComparer.Ordinal).ToList();
        lists.Should().NotBeEmpty();
        foreach (var list in lists)
        {
            foreach (Instance instance in load.Instances)
            {
                (byte[] bits, string purpose) = await load.ReadListAsync(instance, list.Key);
                int expectedSet = 0;
                foreach (Issued credential in list)
                {
                    int expected = purpose == "revocation"
                        ? (load.Revoked.ContainsKey(credential.Id) ? 1 : 0)
                        : load.SuspensionState.GetValueOrDefault(credential.Id);
                    expectedSet += expected;
                    (expected == Bit(bits, credential.Index)).Should().BeTrue($"{purpose} list {list.Key} from {instance.BaseUrl}: entry {credential.Index} of {credential.Id} is {Bit(bits, credential.Index)}, acknowledged {expected}");
                }

                int set = 0;
                foreach (byte b in bits)
                {
                    set += BitOperations.PopCount(b);
                }

                (expectedSet == set).Should().BeTrue($"{purpose} list {list.Key} from {instance.BaseUrl} has {set} bits set, {expectedSet} acknowledged");
            }
        }
    }

    internal static int Bit(byte[] bits, int index) => (bits[index >> 3] >> (7 - (index & 7))) & 1;

    private static async Task ExecuteAdminAsync(string admin, string sql)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static string Logs(List<Instance> instances) =>
        string.Concat(instances.Select(i => $"\n--- {i.BaseUrl} (last 4000 chars):\n{Tail(i.Log, 4000)}"));

    private static string Tail(string text, int length) => text.Length <= length ? text : text[^length..];

    private static string ServiceDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        return Path.Combine(Interop.NodeInterop.RepoRoot, "src", "BadgeIssuer.Api", "bin", tfm.Parent!.Name, tfm.Name, "BadgeIssuer.Api.dll");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A credential as acknowledged: its status entry.</summary>
    internal sealed record Issued(string Id, string ListId, int Index, string Purpose);

    /// <summary>One service process and a client for it.</summary>
    internal sealed class Instance : IDisposable
    {
        private readonly StringBuilder _log = new();
        private readonly DirectoryInfo _data;

        private Instance(Process process, string baseUrl, DirectoryInfo data)
        {
            Process = process;
            BaseUrl = baseUrl;
            _data = data;
            Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Workers * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri(baseUrl),
                Timeout = TimeSpan.FromSeconds(60),
            };
            Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }

        public Process Process { get; }
        public string BaseUrl { get; }
        public HttpClient Client { get; }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public static Instance Start(string dll, int port, string connectionString, string kek, string publicBase)
        {
            string baseUrl = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
            DirectoryInfo data = Directory.CreateTempSubdirectory("badgeissuer-multi-");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = data.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(dll);
            foreach ((string key, string value) in new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_URLS"] = baseUrl,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Logging__LogLevel__Default"] = "Warning",
                ["ConnectionStrings__Postgres"] = connectionString,
                ["BadgeIssuer__DataDirectory"] = data.FullName,
                ["BadgeIssuer__KeyEncryptionKey"] = kek,
                ["BadgeIssuer__PublicBaseUrl"] = publicBase,
                ["BadgeIssuer__Bootstrap__ApiKey"] = ApiKey,
                // One client address and one key carry all the load: lift the per-address and per-key limits.
                ["RateLimits__Public__PermitsPerSecond"] = "1000000",
                ["RateLimits__Public__Burst"] = "2000000",
                ["RateLimits__ApiKey__PermitsPerSecond"] = "1000000",
                ["RateLimits__ApiKey__Burst"] = "2000000",
            })
            {
                start.Environment[key] = value;
            }

            var process = new Process { StartInfo = start };
            var instance = new Instance(process, baseUrl, data);
            process.OutputDataReceived += (_, e) => instance.Append(e.Data);
            process.ErrorDataReceived += (_, e) => instance.Append(e.Data);
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return instance;
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_log)
                {
                    _log.Append(line).Append('\n');
                }
            }
        }

        public async Task WaitUntilReadyAsync()
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Process.HasExited.Should().BeFalse($"{BaseUrl} exited early:\n{Log}");
                try
                {
                    using HttpResponseMessage response = await Client.GetAsync("/readyz", Ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                (clock.Elapsed < s_readyTimeout).Should().BeTrue($"{BaseUrl} not ready within {s_readyTimeout.TotalSeconds} s:\n{Log}");
                await Task.Delay(200, Ct);
            }
        }

        public void Dispose()
        {
            Client.Dispose();
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
            try
            {
                _data.Delete(recursive: true);
            }
            catch (IOException)
            {
                // The OS temp directory is cleaned eventually.
            }
        }
    }

    /// <summary>The load: workers pick operations round-robin over a fixed mix until the request count or the time limit.</summary>
    internal sealed class Load(List<Instance> instances, string publicBase)
    {
        private static readonly MediaTypeHeaderValue s_json = new("application/json");
        private readonly ConcurrentQueue<string> _revocable = new();
        private readonly ConcurrentQueue<string> _suspendable = new();
        private readonly ConcurrentDictionary<string, byte> _listIds = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _retryKeys = new();
        private static readonly string[] s_kinds = ["read", "read", "read", "read", "read", "read", "read", "read", "award", "award", "award", "award",
            "award-suspension", "batch", "key-race", "retry", "revoke+read", "revoke+read", "suspend/reinstate"];
        private readonly long[] _count = new long[19];
        private readonly long[] _ticks = new long[19];
        private long _requests;
        private long _operations;
        private int _keysRaced;
        private string _achievementId = "";

        public List<Instance> Instances { get; } = instances;
        public ConcurrentDictionary<string, Issued> Issued { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, byte> Revoked { get; } = new(StringComparer.Ordinal);
        /// <summary>Credentials with a suspension entry and their acknowledged state (each is changed by one worker at a time).</summary>
        public ConcurrentDictionary<string, int> SuspensionState { get; } = new(StringComparer.Ordinal);
        /// <summary>Idempotency key → the credential every answer for it named.</summary>
        public ConcurrentDictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);
        public ConcurrentQueue<string> Failures { get; } = new();
        public long Requests => Interlocked.Read(ref _requests);
        public int KeysRaced => _keysRaced;

        /// <summary>Operations and mean latency by kind, for the log.</summary>
        public string Summary() => string.Join(", ", s_kinds.Select((k, i) => (k, i)).GroupBy(x => x.k, StringComparer.Ordinal).Select(g =>
        {
            long count = g.Sum(x => _count[x.i]);
            double ms = count == 0 ? 0 : g.Sum(x => _ticks[x.i]) * 1000.0 / Stopwatch.Frequency / count;
            return string.Create(CultureInfo.InvariantCulture, $"{g.Key} {count} ({ms:F1} ms)");
        }));

        public async Task CreateAchievementAsync()
        {
            using JsonDocument achievement = await SendAsync(Instances[0], HttpMethod.Post, "/achievements", """
                {"name":"Multi-instance Graduate","description":"Survived two instances.","criteria":{"narrative":"Be issued under load."},"achievementType":"Badge"}
                """, null, HttpStatusCode.Created) ?? throw new InvalidOperationException("no achievement: " + string.Join("\n", Failures));
            _achievementId = achievement.RootElement.GetProperty("id").GetString()!;
        }

        public async Task RunAsync(int target, TimeSpan limit)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            stop.CancelAfter(limit);
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(w, target, stop.Token), CancellationToken.None)));
        }

        private async Task WorkAsync(int worker, int target, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested && Requests < target && Failures.Count < 50)
            {
                long n = Interlocked.Increment(ref _operations);
                Instance here = Instances[(int)((n + worker) % Instances.Count)];
                Instance there = Instances[(int)((n + worker + 1) % Instances.Count)];
                long started = Stopwatch.GetTimestamp();
                try
                {
                    // 40 % list reads, 20 % awards (a fifth with suspension), 5 % batches, 5 % one key at both instances
                    // at once, 5 % retries, 10 % revocations (+ a read on the other instance), 10 % suspend/reinstate.
                    switch (n % 20)
                    {
                        case < 8:
                            await ReadRandomListAsync(here);
                            break;
                        case < 12:
                            await AwardAsync(here, "revocation");
                            break;
                        case 12:
                            await AwardAsync(here, "suspension");
                            break;
                        case 13:
                            await BatchAsync(here);
                            break;
                        case 14:
                            await RaceOneKeyAsync(here, there);
                            break;
                        case 15:
                            await RetryAsync(there);
                            break;
                        case 16 or 17:
                            await RevokeAsync(here, there);
                            break;
                        default:
                            await ToggleSuspensionAsync(here);
                            break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    if (!stop.IsCancellationRequested)
                    {
                        Failures.Enqueue($"{here.BaseUrl}: {e.GetType().Name}: {e.Message}");
                    }
                }
                finally
                {
                    int kind = (int)Math.Min(n % 20, 18);
                    Interlocked.Increment(ref _count[kind]);
                    Interlocked.Add(ref _ticks[kind], Stopwatch.GetTimestamp() - started);
                }
            }
        }

        private string AwardBody(string purpose, int n) =>
            $$"""{"achievementId":"{{_achievementId}}","recipient":{"email":"learner{{n.ToString(CultureInfo.InvariantCulture)}}@example.org"},"status":["{{purpose}}"]}""";

        private async Task AwardAsync(Instance instance, string purpose)
        {
            string key = "k-" + Guid.NewGuid().ToString("N");
            using JsonDocument? award = await SendAsync(instance, HttpMethod.Post, "/awards", AwardBody(purpose, Random.Shared.Next()), key, HttpStatusCode.Created);
            if (award is not null)
            {
                Record(award.RootElement, key);
                _retryKeys.Enqueue(key);
            }
        }

        private async Task BatchAsync(Instance instance)
        {
            string key = "b-" + Guid.NewGuid().ToString("N");
            string body = "{\"awards\":[" + string.Join(",", Enumerable.Range(0, BatchSize).Select(i => AwardBody(i == 0 ? "suspension" : "revocation", i))) + "]}";
            using JsonDocument? batch = await SendAsync(instance, HttpMethod.Post, "/awards/batch", body, key, HttpStatusCode.OK);
            if (batch is null)
            {
                return;
            }

            foreach (JsonElement result in batch.RootElement.GetProperty("results").EnumerateArray())
            {
                int index = result.GetProperty("index").GetInt32();
                if (result.GetProperty("status").GetInt32() != 201)
                {
                    Failures.Enqueue($"{instance.BaseUrl} batch item {index}: {result}");
                    continue;
                }

                Record(result.GetProperty("award"), key + "#" + index.ToString(CultureInfo.InvariantCulture));
            }
        }

        // The same Idempotency-Key at both instances at the same moment: one credential, named by both answers.
        private async Task RaceOneKeyAsync(Instance a, Instance b)
        {
            string key = "r-" + Guid.NewGuid().ToString("N");
            string body = AwardBody("revocation", 7);
            Task<JsonDocument?>[] sends = [SendAsync(a, HttpMethod.Post, "/awards", body, key, null), SendAsync(b, HttpMethod.Post, "/awards", body, key, null)];
            JsonDocument?[] answers = await Task.WhenAll(sends);
            try
            {
                if (answers.Any(x => x is null))
                {
                    return;
                }

                string[] ids = [.. answers.Select(x => x!.RootElement.GetProperty("credentialId").GetString()!)];
                if (!string.Equals(ids[0], ids[1], StringComparison.Ordinal))
                {
                    Failures.Enqueue($"key {key} at both instances gave two credentials: {ids[0]} and {ids[1]}");
                    return;
                }

                Record(answers[0]!.RootElement, key);
                Interlocked.Increment(ref _keysRaced);
            }
            finally
            {
                foreach (JsonDocument? answer in answers)
                {
                    answer?.Dispose();
                }
            }
        }

        // An earlier key again, at the other instance: 200 and the same credential.
        private async Task RetryAsync(Instance instance)
        {
            if (!_retryKeys.TryDequeue(out string? key))
            {
                await AwardAsync(instance, "revocation");
                return;
            }

            using JsonDocument? again = await SendAsync(instance, HttpMethod.Post, "/awards", AwardBody("revocation", 9), key, HttpStatusCode.OK);
            if (again is not null && !string.Equals(again.RootElement.GetProperty("credentialId").GetString(), Keys[key], StringComparison.Ordinal))
            {
                Failures.Enqueue($"retry of key {key} named another credential");
            }
        }

        // Revoke at one instance; the other must publish the bit at once (no list older than an acknowledged change).
        private async Task RevokeAsync(Instance here, Instance there)
        {
            if (!_revocable.TryDequeue(out string? id))
            {
                await AwardAsync(here, "revocation");
                return;
            }

            using JsonDocument? answer = await SendAsync(here, HttpMethod.Post, Path(id) + "/revoke", null, null, HttpStatusCode.OK);
            if (answer is null)
            {
                return;
            }

            Revoked[id] = 1;
            Issued credential = Issued[id];
            (byte[] bits, _) = await ReadListAsync(there, credential.ListId);
            if (Bit(bits, credential.Index) != 1)
            {
                Failures.Enqueue($"{there.BaseUrl} published list {credential.ListId} without the revocation of {id} acknowledged by {here.BaseUrl}");
            }
        }

        private async Task ToggleSuspensionAsync(Instance instance)
        {
            if (!_suspendable.TryDequeue(out string? id))
            {
                await AwardAsync(instance, "suspension");
                return;
            }

            try
            {
                int next = 1 - SuspensionState[id];
                using JsonDocument? answer = await SendAsync(instance, HttpMethod.Post, Path(id) + (next == 1 ? "/suspend" : "/reinstate"), null, null, HttpStatusCode.OK);
                if (answer is not null)
                {
                    SuspensionState[id] = next;
                }
            }
            finally
            {
                _suspendable.Enqueue(id);
            }
        }

        private async Task ReadRandomListAsync(Instance instance)
        {
            string[] ids = [.. _listIds.Keys];
            if (ids.Length == 0)
            {
                await AwardAsync(instance, "revocation");
                return;
            }

            string listId = ids[Random.Shared.Next(ids.Length)];
            using var request = new HttpRequestMessage(HttpMethod.Get, "/status-lists/" + listId);
            Interlocked.Increment(ref _requests);
            using HttpResponseMessage response = await instance.Client.SendAsync(request, Ct);
            if (response.StatusCode != HttpStatusCode.OK || response.Headers.ETag is null)
            {
                Failures.Enqueue($"{instance.BaseUrl} GET /status-lists/{listId}: {(int)response.StatusCode}");
            }
        }

        public async Task<(byte[] Bits, string Purpose)> ReadListAsync(Instance instance, string listId)
        {
            Interlocked.Increment(ref _requests);
            using HttpResponseMessage response = await instance.Client.GetAsync("/status-lists/" + listId, Ct);
            response.EnsureSuccessStatusCode();
            using JsonDocument list = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(Ct));
            JsonElement subject = list.RootElement.GetProperty("credentialSubject");
            string encoded = subject.GetProperty("encodedList").GetString()!;
            // Multibase base64url ('u', no padding) of the GZIP-compressed bitstring.
            string base64 = encoded[1..].Replace('-', '+').Replace('_', '/');
            byte[] compressed = Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var bits = new MemoryStream();
            await gzip.CopyToAsync(bits, Ct);
            return (bits.ToArray(), subject.GetProperty("statusPurpose").GetString()!);
        }

        private void Record(JsonElement award, string key)
        {
            string id = award.GetProperty("credentialId").GetString()!;
            JsonElement status = award.GetProperty("credential").GetProperty("credentialStatus");
            string listUrl = status.GetProperty("statusListCredential").GetString()!;
            string listId = listUrl[(listUrl.LastIndexOf('/') + 1)..];
            var issued = new Issued(id, listId, int.Parse(status.GetProperty("statusListIndex").GetString()!, CultureInfo.InvariantCulture),
                status.GetProperty("statusPurpose").GetString()!);
            if (!Issued.TryAdd(id, issued))
            {
                Failures.Enqueue($"credential {id} acknowledged as created twice");
            }

            if (Keys.TryGetValue(key, out string? earlier) || !Keys.TryAdd(key, id))
            {
                Failures.Enqueue($"key {key} acknowledged as created twice ({earlier} and {id})");
            }

            _listIds.TryAdd(listId, 0);
            if (issued.Purpose == "revocation")
            {
                _revocable.Enqueue(id);
            }
            else
            {
                SuspensionState[id] = 0;
                _suspendable.Enqueue(id);
            }
        }

        private string Path(string credentialId) => credentialId.StartsWith(publicBase, StringComparison.Ordinal)
            ? credentialId[publicBase.Length..]
            : throw new InvalidOperationException($"credential id {credentialId} is not under {publicBase}");

        // Sends one request; null (and a recorded failure) unless the status is the expected one (201 or 200 when null).
        private async Task<JsonDocument?> SendAsync(Instance instance, HttpMethod method, string path, string? body, string? key, HttpStatusCode? expected)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8);
                request.Content.Headers.ContentType = s_json;
            }

            if (key is not null)
            {
                request.Headers.Add("Idempotency-Key", key);
            }

            Interlocked.Increment(ref _requests);
            using HttpResponseMessage response = await instance.Client.SendAsync(request, Ct);
            byte[] content = await response.Content.ReadAsByteArrayAsync(Ct);
            bool ok = expected is { } status ? response.StatusCode == status : response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK;
            if (!ok)
            {
                Failures.Enqueue($"{instance.BaseUrl} {method} {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(content.AsSpan(0, Math.Min(content.Length, 500)))}");
                return null;
            }

            return JsonDocument.Parse(content);
        }
    }
}

/// <summary>The multi-instance load runs alone (after the parallel collections), so it neither starves nor is starved by other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiInstanceRunsAlone
{
    public const string Name = "Multi-instance load";
}
