using System.Net;
using System.Net.Http.Json;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>
/// The data directory (0700), the SQLite database with its -wal/-shm files, the key-encryption key and
/// bootstrap.json (0600) are owner-only from the moment they exist. Unix only: Windows has no file modes (files
/// inherit the directory's ACL).
/// </summary>
public sealed class DataFileModeTests
{
    private const string WindowsReason = "Unix file modes; on Windows files inherit the directory's ACL.";
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FreshDataDirectory_AndEveryFileTheServiceCreates_AreOwnerOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), WindowsReason);
        string parent = Directory.CreateTempSubdirectory("badgeissuer-modes-").FullName;
        try
        {
            SkipUnlessTheUmaskLetsOthersIn(parent);
            string data = Path.Combine(parent, "data");
            using (var app = new BadgeIssuerApplication { DataDirectory = data, KeepDataDirectory = true })
            {
                using HttpClient client = app.CreateAuthorizedClient();
                // A write, so the WAL and shared-memory files exist too.
                using HttpResponseMessage created = await client.PostAsJsonAsync("/issuers/default/api-keys", new { description = "modes" }, Ct);
                created.StatusCode.Should().Be(HttpStatusCode.Created);

                string[] files = Directory.GetFiles(data);
                foreach (string name in new[] { "badgeissuer.db", "badgeissuer.db-wal", "kek.key", "bootstrap.json" })
                {
                    files.Should().Contain(Path.Combine(data, name));
                }

                // Every file 0600 and the directory 0700, each reported on its own.
                (string Path, UnixFileMode Expected)[] expected =
                [
                    (data, OwnerReadWrite | UnixFileMode.UserExecute),
                    .. files.Select(file => (file, OwnerReadWrite)),
                ];
                expected.Should().AllSatisfy(e => (ModeOf(e.Path) == e.Expected).Should().BeTrue($"{Path.GetFileName(e.Path)}: {ModeOf(e.Path)}"));
            }
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OwnerOnlyFile_IsOwnerOnlyBeforeItsFirstByte(bool existedWithWiderMode)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), WindowsReason);
        string directory = Directory.CreateTempSubdirectory("badgeissuer-modes-").FullName;
        try
        {
            SkipUnlessTheUmaskLetsOthersIn(directory);
            string path = Path.Combine(directory, "secret.json");
            if (existedWithWiderMode)
            {
                File.WriteAllText(path, "old");
                SetMode(path, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            using (FileStream stream = OwnerOnlyFiles.Create(path, existedWithWiderMode ? FileMode.Create : FileMode.CreateNew))
            {
                new FileInfo(path).Length.Should().Be(0);
                ModeOf(path).Should().Be(OwnerReadWrite);
                stream.Write("new"u8);
            }

            ModeOf(path).Should().Be(OwnerReadWrite);
            FluentActions.Invoking(() => OwnerOnlyFiles.Create(path).Dispose()).Should().ThrowExactly<IOException>();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // With a umask such as 077 every file is owner-only anyway, and these tests could not tell a guard from none.
    private static void SkipUnlessTheUmaskLetsOthersIn(string directory)
    {
        string probe = Path.Combine(directory, "umask-probe");
        File.WriteAllText(probe, string.Empty);
        UnixFileMode mode = ModeOf(probe);
        File.Delete(probe);
        Assert.SkipWhen(mode == OwnerReadWrite, "the umask already makes new files owner-only; nothing to tell apart.");
    }

    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException(WindowsReason) : File.GetUnixFileMode(path);

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
