using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Admin;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Storage;
using BadgeIssuer.Storage.Sqlite;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BadgeIssuer.Api.Tests;

/// <summary>
/// Online backup of the SQLite store (<c>POST /admin/backup</c>) taken while awards are being issued, restored into a
/// fresh data directory with its KEK: everything acknowledged before the backup downloads and verifies, the status lists
/// carry the bits they had, API keys work; later writes are absent. A second backup at once, a backend without online
/// backup, and a restore without (or with the wrong) KEK each get a clear answer.
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    private const int Workers = 4;
    private readonly List<string> _directories = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (string directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may linger a moment.
            }
        }
    }

    private string NewDirectory()
    {
        string directory = Directory.CreateTempSubdirectory("badgeissuer-backup-").FullName;
        _directories.Add(directory);
        return directory;
    }

    private static BadgeIssuerApplication Start(string data, params (string Key, string Value)[] settings) =>
        new(settings) { DataDirectory = data, KeepDataDirectory = true };

    private static async Task<JsonNode> BackupAsync(HttpClient admin)
    {
        using HttpResponseMessage response = await admin.PostAsync("/admin/backup", null, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>A fresh data directory holding the backup as its database and, when given, the KEK file put back.</summary>
    private string RestoreInto(string backupPath, string? kekFile)
    {
        string fresh = NewDirectory();
        File.Copy(backupPath, Path.Combine(fresh, "badgeissuer.db"));
        if (kekFile is not null)
        {
            File.Copy(kekFile, Path.Combine(fresh, "kek.key"));
        }

        return fresh;
    }

    private static async Task<JsonNode> VerifyAsync(HttpClient client, string credentialId)
    {
        using var content = new ByteArrayContent(await client.GetByteArrayAsync(credentialId + ".json", Ct));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vc+ld+json");
        using HttpResponseMessage verify = await client.PostAsync("/credentials/verify", content, Ct);
        return JsonNode.Parse(await verify.Content.ReadAsStringAsync(Ct))!;
    }

    private static string Check(JsonNode report, string name) =>
        (string)report["checks"]!.AsArray().First(c => (string)c!["name"]! == name)!["status"]!;

    private static async Task<Dictionary<string, byte[]>> StatusBitsAsync(HttpClient client, IEnumerable<string> listUrls)
    {
        var bits = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string url in listUrls.Distinct(StringComparer.Ordinal))
        {
            JsonNode list = JsonNode.Parse(await client.GetStringAsync(url, Ct))!;
            bits[url] = BitstringStatusList.Decode((string)list["credentialSubject"]!["encodedList"]!).Bits.ToArray();
        }

        return bits;
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, string description)
    {
        using HttpResponseMessage response = await admin.PostAsJsonAsync("/issuers/default/api-keys", new { description, scopes = new[] { "issue", "revoke", "manage" } }, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return (string)JsonNode.Parse(text)!["apiKey"]!;
    }

    private static HttpClient WithKey(BadgeIssuerApplication app, string key)
    {
        HttpClient client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private sealed record Issued(string CredentialId, string ListUrl);

    private static Issued Describe(JsonNode award)
    {
        JsonNode status = award["credential"]!["credentialStatus"]!;
        JsonNode entry = status is JsonArray entries ? entries[0]! : status;
        return new Issued((string)award["credentialId"]!, (string)entry["statusListCredential"]!);
    }

    [Fact]
    public async Task BackupUnderLoad_RestoredIntoAFreshDirectory_KeepsEverythingAcknowledgedBeforeIt()
    {
        string source = NewDirectory();
        using BadgeIssuerApplication app = Start(source);
        using HttpClient admin = app.CreateAuthorizedClient();

        // Two issuers, so two status lists; a few credentials of each revoked before the backup.
        using (HttpResponseMessage second = await admin.PostAsJsonAsync("/issuers", new { name = "Second College", slug = "second" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        string[] achievements =
        [
            await IssuingApiTests.CreateAchievementAsync(admin),
            await IssuingApiTests.CreateAchievementAsync(admin, new { issuerId = "did:web:localhost:issuers:second", name = "Second", description = "d", criteria = new { narrative = "x" } }),
        ];
        var early = new List<Issued>();
        for (int i = 0; i < 8; i++)
        {
            early.Add(Describe(await IssuingApiTests.AwardAsync(admin, achievements[i % 2], $"early{i}@example.org")));
        }

        string[] revokedBefore = [early[0].CredentialId, early[1].CredentialId, early[5].CredentialId];
        foreach (string id in revokedBefore)
        {
            using HttpResponseMessage revoke = await admin.PostAsync(id + "/revoke", null, Ct);
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        string keyBefore = await CreateKeyAsync(admin, "made before the backup");

        // Awards from several workers until told to stop; each acknowledged one is recorded as it is acknowledged.
        var acknowledged = new ConcurrentQueue<Issued>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        Task[] workers = [.. Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                using HttpResponseMessage response = await admin.PostAsJsonAsync("/awards", new { achievementId = achievements[(w + n) % 2], recipient = new { email = $"w{w}n{n}@example.org" } }, Ct);
                string text = await response.Content.ReadAsStringAsync(Ct);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    acknowledged.Enqueue(Describe(JsonNode.Parse(text)!));
                }
                else
                {
                    failures.Enqueue($"{(int)response.StatusCode} {text}");
                }
            }
        }, Ct))];

        while (acknowledged.Count < 30 && failures.IsEmpty)
        {
            await Task.Delay(20, Ct);
        }

        // Everything acknowledged up to here must be in the backup; the status lists must have these bits.
        Issued[] before = [.. early, .. acknowledged];
        Dictionary<string, byte[]> bitsAtBackup = await StatusBitsAsync(admin, before.Select(i => i.ListUrl));
        JsonNode backup = await BackupAsync(admin);
        int countAfterBackup = acknowledged.Count;
        while (acknowledged.Count < countAfterBackup + 10 && failures.IsEmpty)
        {
            await Task.Delay(20, Ct);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(5)));

        // After the backup: one more revocation and one more key, neither of which the restore may have.
        string revokedAfter = early[2].CredentialId;
        using (HttpResponseMessage revoke = await admin.PostAsync(revokedAfter + "/revoke", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        string keyAfter = await CreateKeyAsync(admin, "made after the backup");

        // The answer describes the file: under the backup directory, owner-only, with its size and hash; no KEK beside it.
        string path = (string)backup["path"]!;
        Assert.Equal(Path.Combine(source, "backups"), Path.GetDirectoryName(path));
        Assert.Matches("^badgeissuer-[0-9]{8}T[0-9]{6}Z\\.db$", (string)backup["fileName"]!);
        byte[] file = await File.ReadAllBytesAsync(path, Ct);
        Assert.Equal((long)backup["bytes"]!, file.LongLength);
        Assert.Equal((string)backup["sha256"]!, Convert.ToHexStringLower(SHA256.HashData(file)));
        Assert.Equal(path, Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        string kek = await File.ReadAllTextAsync(Path.Combine(source, "kek.key"), Ct);
        Assert.DoesNotContain(kek.Trim(), await File.ReadAllTextAsync(path, Ct), StringComparison.Ordinal);

        // Restore: a fresh data directory with the backup as its database and the KEK put back; a new host.
        using BadgeIssuerApplication restored = Start(RestoreInto(path, Path.Combine(source, "kek.key")));
        using HttpClient client = restored.CreateAuthorizedClient();

        foreach (Issued issued in before)
        {
            JsonNode report = await VerifyAsync(client, issued.CredentialId);
            Assert.True(Check(report, "proof") == "passed", issued.CredentialId + ": " + report.ToJsonString());
            bool revoked = revokedBefore.Contains(issued.CredentialId, StringComparer.Ordinal);
            Assert.Equal(revoked ? "failed" : "passed", Check(report, "status"));
            Assert.Equal(!revoked, (bool)report["verified"]!);
        }

        Issued[] later = [.. acknowledged.Skip(before.Length - early.Count)];
        Assert.NotEmpty(later);
        int laterPresent = 0;
        foreach (Issued issued in later)
        {
            using HttpResponseMessage download = await client.GetAsync(issued.CredentialId + ".json", Ct);
            if (download.StatusCode != HttpStatusCode.NotFound)
            {
                laterPresent++;
                Assert.True((bool)(await VerifyAsync(client, issued.CredentialId))["verified"]!, issued.CredentialId);
            }
        }

        TestContext.Current.SendDiagnosticMessage(
            $"backup under load: {before.Length} credentials acknowledged before the backup (all restored), {later.Length} after it ({laterPresent} of them in the backup); {(long)backup["bytes"]!} bytes");

        // Every status list has the bits it had when the backup was taken (so not the later revocation).
        Dictionary<string, byte[]> restoredBits = await StatusBitsAsync(client, bitsAtBackup.Keys);
        Assert.Equal(2, bitsAtBackup.Count);
        foreach ((string url, byte[] bits) in bitsAtBackup)
        {
            Assert.True(bits.AsSpan().SequenceEqual(restoredBits[url]), url);
        }

        Assert.Equal("passed", Check(await VerifyAsync(client, revokedAfter), "status"));

        // API keys: the one made before the backup issues and manages; the one made after does not exist here.
        using HttpClient tenant = WithKey(restored, keyBefore);
        await IssuingApiTests.AwardAsync(tenant, achievements[0], "after-restore@example.org");
        using (HttpResponseMessage keys = await tenant.GetAsync("/issuers/default/api-keys", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        }

        using HttpClient stranger = WithKey(restored, keyAfter);
        using HttpResponseMessage refused = await stranger.GetAsync("/issuers/default/api-keys", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The new host issues under the restored keys, and so does the source still.
        await IssuingApiTests.AwardAsync(client, achievements[1], "restored@example.org");
    }

    [Fact]
    public async Task SecondBackupWhileOneRuns_IsRefusedWithAProblem_ThenSucceeds()
    {
        using BadgeIssuerApplication app = Start(NewDirectory());
        using HttpClient admin = app.CreateAuthorizedClient();
        DatabaseBackup backups = app.Services.GetRequiredService<DatabaseBackup>();
        using (IDisposable? running = backups.TryEnter())
        {
            Assert.NotNull(running);
            using HttpResponseMessage response = await admin.PostAsync("/admin/backup", null, Ct);
            string text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, text);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("urn:badgeissuer:problem:backup-in-progress", (string)JsonNode.Parse(text)!["type"]!);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.False(Directory.Exists(backups.BackupDirectory) && Directory.EnumerateFileSystemEntries(backups.BackupDirectory).Any());
        }

        // Two in the same second get different names.
        JsonNode first = await BackupAsync(admin);
        JsonNode second = await BackupAsync(admin);
        Assert.NotEqual((string)first["path"]!, (string)second["path"]!);
        Assert.EndsWith("-2.db", (string)second["fileName"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backups_BeyondKeep_AreDeletedOldestFirst_SoRepeatedCallsCannotFillTheDisk()
    {
        using BadgeIssuerApplication app = Start(NewDirectory(), ("BadgeIssuer:Backup:Keep", "2"));
        using HttpClient admin = app.CreateAuthorizedClient();
        DatabaseBackup backups = app.Services.GetRequiredService<DatabaseBackup>();

        var written = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            written.Add((string)(await BackupAsync(admin))["path"]!);
            app.Clock.Now += TimeSpan.FromMinutes(1); // names carry the service clock's time
            await Task.Delay(20, Ct); // distinct modification times
        }

        Assert.Equal(written.TakeLast(2).Order(StringComparer.Ordinal), Directory.GetFiles(backups.BackupDirectory, "badgeissuer-*.db").Order(StringComparer.Ordinal));
        Assert.All(written.Take(2), path => Assert.False(File.Exists(path), path));
    }

    [Fact]
    public async Task Backup_NeedsTheAdminScope()
    {
        using BadgeIssuerApplication app = Start(NewDirectory());
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = WithKey(app, await CreateKeyAsync(admin, "tenant"));
        using HttpResponseMessage forbidden = await tenant.PostAsync("/admin/backup", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using HttpClient anonymous = app.CreateClient();
        using HttpResponseMessage unauthorized = await anonymous.PostAsync("/admin/backup", null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    [Fact]
    public async Task BackendWithoutOnlineBackup_IsRefusedWithAProblemPointingAtPgDump()
    {
        using BadgeIssuerApplication app = Start(NewDirectory());
        // The SQLite stores behind a proxy that implements IBadgeStorage only, as a backend without online backup would.
        using WebApplicationFactory<Program> other = app.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.AddSingleton(_ => PlainStorage.Wrap(SqliteBadgeStorage.OpenAsync(Path.Combine(app.DataDirectory, "badgeissuer.db"), app.Clock).GetAwaiter().GetResult()))));
        using HttpClient admin = other.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BadgeIssuerApplication.ApiKey);
        await AssertRefusedAsync(admin);
    }

    [Fact]
    public async Task Postgres_BackupIsRefusedWithAProblemPointingAtPgDump()
    {
        string? server = BadgeIssuer.Tests.Shared.TestPostgres.AdminConnectionString;
        Assert.SkipWhen(string.IsNullOrEmpty(server), BadgeIssuer.Tests.Shared.TestPostgres.SkipReason);
        string database = "badgeissuer_backup_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database};", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        try
        {
            string connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
            using (BadgeIssuerApplication app = Start(NewDirectory(), ("ConnectionStrings:Postgres", connectionString)))
            {
                using HttpClient admin = app.CreateAuthorizedClient();
                await AssertRefusedAsync(admin);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync(Ct);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE);", connection);
            await drop.ExecuteNonQueryAsync(Ct);
        }
    }

    private static async Task AssertRefusedAsync(HttpClient admin)
    {
        using HttpResponseMessage response = await admin.PostAsync("/admin/backup", null, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonNode problem = JsonNode.Parse(text)!;
        Assert.Equal("urn:badgeissuer:problem:backup-not-supported", (string)problem["type"]!);
        Assert.Contains("pg_dump", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestoreWithoutItsKek_StopsTheStartWithAClearMessage_AndLeavesNoNewKekBehind()
    {
        string source = NewDirectory();
        string backupPath;
        using (BadgeIssuerApplication app = Start(source))
        {
            using HttpClient admin = app.CreateAuthorizedClient();
            backupPath = (string)(await BackupAsync(admin))["path"]!;
        }

        string fresh = RestoreInto(backupPath, kekFile: null);
        using (BadgeIssuerApplication restored = Start(fresh))
        {
            Exception e = Assert.ThrowsAny<Exception>(() => restored.Services);
            string message = e.ToString();
            Assert.Contains("put back the KEK", message, StringComparison.Ordinal);
            Assert.Contains(KekIdOfFile(Path.Combine(source, "kek.key")), message, StringComparison.Ordinal);
        }

        // The KEK generated during that start is gone, so a second attempt fails the same way instead of running with it.
        Assert.False(File.Exists(Path.Combine(fresh, "kek.key")));

        File.Copy(Path.Combine(source, "kek.key"), Path.Combine(fresh, "kek.key"));
        using BadgeIssuerApplication withKek = Start(fresh);
        using HttpClient client = withKek.CreateAuthorizedClient();
        await IssuingApiTests.AwardAsync(client, await IssuingApiTests.CreateAchievementAsync(client));
    }

    [Fact]
    public async Task RestoreWithTheWrongKek_StartsButLogsWhichKekIsNeeded()
    {
        string source = NewDirectory();
        string backupPath;
        using (BadgeIssuerApplication app = Start(source))
        {
            using HttpClient admin = app.CreateAuthorizedClient();
            backupPath = (string)(await BackupAsync(admin))["path"]!;
        }

        string wrong = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var logs = new LogCapture();
        using BadgeIssuerApplication restored = new([("BadgeIssuer:KeyEncryptionKey", wrong)])
        {
            DataDirectory = RestoreInto(backupPath, kekFile: null),
            KeepDataDirectory = true,
            Logs = logs,
        };
        using HttpClient client = restored.CreateAuthorizedClient();
        using HttpResponseMessage ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        CapturedLog entry = Assert.Single(logs.Entries, e => e.EventId.Id == 1301);
        Assert.Contains(KekIdOfFile(Path.Combine(source, "kek.key")), entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, logs.AllText, StringComparison.Ordinal);
    }

    private static string KekIdOfFile(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(File.ReadAllText(path).Trim()))[..8]);

    /// <summary>Forwards every <see cref="IBadgeStorage"/> member to a real backend, and implements nothing else.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from it at run time.
    internal class PlainStorage : DispatchProxy
#pragma warning restore CA1852
    {
        private IBadgeStorage? _inner;

        public static IBadgeStorage Wrap(IBadgeStorage inner)
        {
            IBadgeStorage proxy = Create<IBadgeStorage, PlainStorage>();
            ((PlainStorage)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod!.Invoke(_inner, args);
    }
}
