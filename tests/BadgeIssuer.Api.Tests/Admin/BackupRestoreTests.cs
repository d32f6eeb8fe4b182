using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Admin;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Storage;
using BadgeIssuer.Storage.Sqlite;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BadgeIssuer.Api.Tests.Admin;

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
        (response.StatusCode == HttpStatusCode.OK).Should().BeTrue(text);
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
        (response.StatusCode == HttpStatusCode.Created).Should().BeTrue(text);
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
            second.StatusCode.Should().Be(HttpStatusCode.Created);
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
            revoke.StatusCode.Should().Be(HttpStatusCode.OK);
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
        // A snapshot first: the workers still append, and spreading a live queue can overrun the array sized from its count.
        Issued[] before = [.. early, .. acknowledged.ToArray()];
        Dictionary<string, byte[]> bitsAtBackup = await StatusBitsAsync(admin, before.Select(i => i.ListUrl));
        JsonNode backup = await BackupAsync(admin);
        int countAfterBackup = acknowledged.Count;
        while (acknowledged.Count < countAfterBackup + 10 && failures.IsEmpty)
        {
            await Task.Delay(20, Ct);
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        failures.IsEmpty.Should().BeTrue(string.Join("\n", failures.Take(5)));

        // After the backup: one more revocation and one more key, neither of which the restore may have.
        string revokedAfter = early[2].CredentialId;
        using (HttpResponseMessage revoke = await admin.PostAsync(revokedAfter + "/revoke", null, Ct))
        {
            revoke.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        string keyAfter = await CreateKeyAsync(admin, "made after the backup");

        // The answer describes the file: under the backup directory, owner-only, with its size and hash; no KEK beside it.
        string path = (string)backup["path"]!;
        Path.GetDirectoryName(path).Should().Be(Path.Combine(source, "backups"));
        ((string)backup["fileName"]!).Should().MatchRegex("^badgeissuer-[0-9]{8}T[0-9]{6}Z\\.db$");
        byte[] file = await File.ReadAllBytesAsync(path, Ct);
        file.LongLength.Should().Be((long)backup["bytes"]!);
        Convert.ToHexStringLower(SHA256.HashData(file)).Should().Be((string)backup["sha256"]!);
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle().Which.Should().Be(path);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        string kek = await File.ReadAllTextAsync(Path.Combine(source, "kek.key"), Ct);
        (await File.ReadAllTextAsync(path, Ct)).Should().NotContain(kek.Trim());

        // Restore: a fresh data directory with the backup as its database and the KEK put back; a new host.
        using BadgeIssuerApplication restored = Start(RestoreInto(path, Path.Combine(source, "kek.key")));
        using HttpClient client = restored.CreateAuthorizedClient();

        foreach (Issued issued in before)
        {
            JsonNode report = await VerifyAsync(client, issued.CredentialId);
            (Check(report, "proof") == "passed").Should().BeTrue(issued.CredentialId + ": " + report.ToJsonString());
            bool revoked = revokedBefore.Contains(issued.CredentialId, StringComparer.Ordinal);
            Check(report, "status").Should().Be(revoked ? "failed" : "passed");
            ((bool)report["verified"]!).Should().Be(!revoked);
        }

        Issued[] later = [.. acknowledged.Skip(before.Length - early.Count)];
        later.Should().NotBeEmpty();
        int laterPresent = 0;
        foreach (Issued issued in later)
        {
            using HttpResponseMessage download = await client.GetAsync(issued.CredentialId + ".json", Ct);
            if (download.StatusCode != HttpStatusCode.NotFound)
            {
                laterPresent++;
                ((bool)(await VerifyAsync(client, issued.CredentialId))["verified"]!).Should().BeTrue(issued.CredentialId);
            }
        }

        TestContext.Current.SendDiagnosticMessage(
            $"backup under load: {before.Length} credentials acknowledged before the backup (all restored), {later.Length} after it ({laterPresent} of them in the backup); {(long)backup["bytes"]!} bytes");

        // Every status list has the bits it had when the backup was taken (so not the later revocation).
        Dictionary<string, byte[]> restoredBits = await StatusBitsAsync(client, bitsAtBackup.Keys);
        bitsAtBackup.Count.Should().Be(2);
        foreach ((string url, byte[] bits) in bitsAtBackup)
        {
            bits.AsSpan().SequenceEqual(restoredBits[url]).Should().BeTrue(url);
        }

        Check(await VerifyAsync(client, revokedAfter), "status").Should().Be("passed");

        // API keys: the one made before the backup issues and manages; the one made after does not exist here.
        using HttpClient tenant = WithKey(restored, keyBefore);
        await IssuingApiTests.AwardAsync(tenant, achievements[0], "after-restore@example.org");
        using (HttpResponseMessage keys = await tenant.GetAsync("/issuers/default/api-keys", Ct))
        {
            keys.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using HttpClient stranger = WithKey(restored, keyAfter);
        using HttpResponseMessage refused = await stranger.GetAsync("/issuers/default/api-keys", Ct);
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

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
            running.Should().NotBeNull();
            using HttpResponseMessage response = await admin.PostAsync("/admin/backup", null, Ct);
            string text = await response.Content.ReadAsStringAsync(Ct);
            (response.StatusCode == HttpStatusCode.Conflict).Should().BeTrue(text);
            (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
            ((string)JsonNode.Parse(text)!["type"]!).Should().Be("urn:badgeissuer:problem:backup-in-progress");
            response.Headers.RetryAfter.Should().NotBeNull();
            (Directory.Exists(backups.BackupDirectory) && Directory.EnumerateFileSystemEntries(backups.BackupDirectory).Any()).Should().BeFalse();
        }

        // Two in the same second get different names.
        JsonNode first = await BackupAsync(admin);
        JsonNode second = await BackupAsync(admin);
        ((string)second["path"]!).Should().NotBe((string)first["path"]!);
        ((string)second["fileName"]!).Should().EndWith("-2.db");
    }

    [Fact]
    public async Task Backups_BeyondKeep_AreDeletedOldestFirst_SoRepeatedCallsCannotFillTheDisk()
    {
        using BadgeIssuerApplication app = Start(NewDirectory(), ("BadgeIssuer:Backup:Keep", "2"));
        using HttpClient admin = app.CreateAuthorizedClient();
        DatabaseBackup backups = app.Services.GetRequiredService<DatabaseBackup>();

        Directory.CreateDirectory(backups.BackupDirectory);
        string operatorsOwn = Path.Combine(backups.BackupDirectory, "badgeissuer-before-upgrade.db");
        await File.WriteAllTextAsync(operatorsOwn, "not a backup of this service", Ct);
        File.SetLastWriteTimeUtc(operatorsOwn, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var written = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            written.Add((string)(await BackupAsync(admin))["path"]!);
            app.Clock.Now += TimeSpan.FromMinutes(1); // names carry the service clock's time
            await Task.Delay(20, Ct); // distinct modification times
        }

        Directory.GetFiles(backups.BackupDirectory, "badgeissuer-*.db").Should().BeEquivalentTo([.. written.TakeLast(2), operatorsOwn]);
        written.Take(2).Should().AllSatisfy(path => File.Exists(path).Should().BeFalse(path));
    }

    [Fact]
    public async Task Backup_NeedsTheAdminScope()
    {
        using BadgeIssuerApplication app = Start(NewDirectory());
        using HttpClient admin = app.CreateAuthorizedClient();
        using HttpClient tenant = WithKey(app, await CreateKeyAsync(admin, "tenant"));
        using HttpResponseMessage forbidden = await tenant.PostAsync("/admin/backup", null, Ct);
        forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using HttpClient anonymous = app.CreateClient();
        using HttpResponseMessage unauthorized = await anonymous.PostAsync("/admin/backup", null, Ct);
        unauthorized.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
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
        (response.StatusCode == HttpStatusCode.Conflict).Should().BeTrue(text);
        (response.Content.Headers.ContentType?.MediaType).Should().Be("application/problem+json");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:backup-not-supported");
        ((string)problem["detail"]!).Should().Contain("pg_dump");
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
            Exception e = FluentActions.Invoking(() => restored.Services).Should().Throw<Exception>().Which;
            string message = e.ToString();
            message.Should().Contain("put back the KEK");
            message.Should().Contain(KekIdOfFile(Path.Combine(source, "kek.key")));
        }

        // The KEK generated during that start is gone, so a second attempt fails the same way instead of running with it.
        File.Exists(Path.Combine(fresh, "kek.key")).Should().BeFalse();

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
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        CapturedLog entry = logs.Entries.Should().ContainSingle(e => e.EventId.Id == 1301).Which;
        entry.Message.Should().Contain(KekIdOfFile(Path.Combine(source, "kek.key")));
        logs.AllText.Should().NotContain(wrong);
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
