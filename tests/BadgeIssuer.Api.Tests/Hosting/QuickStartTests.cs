using System.Text.RegularExpressions;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>
/// The README's two-minute tour, run as written: its service command (marked <c>&lt;!-- quick-start:service --&gt;</c>)
/// is started in a clone-like directory from the already-built output (<c>-c &lt;configuration&gt; --no-build</c> and a
/// free port are appended), then the block between <c>&lt;!-- quick-start:begin --&gt;</c> and
/// <c>&lt;!-- quick-start:end --&gt;</c> runs in bash from the same directory, with <c>set -euo pipefail</c> and the
/// README's origin <c>http://127.0.0.1:5080</c> replaced by the test's (nothing else is changed). It fails if a command
/// of the README fails, e.g. when the service keeps its data anywhere but <c>./data</c>.
/// </summary>
public sealed partial class QuickStartTests
{
    private const string ReadmeOrigin = "http://127.0.0.1:5080";
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Readme_MarksTheQuickStart()
    {
        (string service, string tour) = ReadQuickStart();
        service.Should().Be("dotnet run --project src/BadgeIssuer.Api");
        tour.Should().Contain("./data/bootstrap.json");
        tour.Should().Contain("bash samples/walkthrough.sh");
    }

    [Fact]
    public async Task ReadmeQuickStart_RunsAsWritten()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs bash and the service as child processes; Linux/macOS only.");
        (string service, string tour) = ReadQuickStart();
        string repo = Interop.NodeInterop.RepoRoot;
        DirectoryInfo clone = Directory.CreateTempSubdirectory("badgeissuer-quickstart-");
        try
        {
            // Clone-like: the repository's top-level entries, linked (nothing is written through them when the service
            // keeps its data where the README says).
            foreach (string entry in Directory.GetFileSystemEntries(repo))
            {
                string name = Path.GetFileName(entry);
                if (name is not (".git" or "data" or "TestResults"))
                {
                    File.CreateSymbolicLink(Path.Combine(clone.FullName, name), entry);
                }
            }

            int port = ServiceProcess.FreePort();
            string url = ServiceProcess.Url(port);
            string[] command = service.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            command[0].Should().Be("dotnet");
            using ServiceProcess server = ServiceProcess.Start("dotnet",
                [.. command[1..], "-c", ServiceProcess.Configuration, "--no-build", "--", "--urls", url], clone.FullName);
            await server.WaitUntilReadyAsync(url, s_readyTimeout, Ct);

            using ServiceProcess tourRun = ServiceProcess.Start("bash", ["-c", "set -euo pipefail\n" + tour.Replace(ReadmeOrigin, url, StringComparison.Ordinal)], clone.FullName,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["BASE_URL"] = url });
            int exit = await tourRun.WaitForExitAsync(TimeSpan.FromMinutes(3), Ct);

            (exit == 0).Should().BeTrue($"the README's quick start failed (exit {exit}):\n{tourRun.Output}\n--- service:\n{server.Output}");
            File.Exists(Path.Combine(clone.FullName, "data", "bootstrap.json")).Should().BeTrue("no ./data/bootstrap.json in the directory the service was started from");
            tourRun.Output.Should().Contain("re-verified after revocation");
        }
        finally
        {
            clone.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ReadmeLearnerDelivery_RunsAsWritten()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs bash and the service as child processes; Linux/macOS only.");
        (string service, _) = ReadQuickStart();
        string readme = File.ReadAllText(Path.Combine(Interop.NodeInterop.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        Match section = LearnerDeliverySection().Match(readme);
        section.Success.Should().BeTrue("README.md has no <!-- learner-delivery:begin --> … <!-- learner-delivery:end --> section");
        string commands = string.Join("\n", Fenced().Matches(section.Groups[1].Value).Select(m => m.Groups[1].Value));
        string repo = Interop.NodeInterop.RepoRoot;
        DirectoryInfo clone = Directory.CreateTempSubdirectory("badgeissuer-learner-delivery-");
        try
        {
            foreach (string entry in Directory.GetFileSystemEntries(repo))
            {
                string name = Path.GetFileName(entry);
                if (name is not (".git" or "data" or "TestResults"))
                {
                    File.CreateSymbolicLink(Path.Combine(clone.FullName, name), entry);
                }
            }

            int port = ServiceProcess.FreePort();
            string url = ServiceProcess.Url(port);
            string[] command = service.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            using ServiceProcess server = ServiceProcess.Start("dotnet",
                [.. command[1..], "-c", ServiceProcess.Configuration, "--no-build", "--", "--urls", url], clone.FullName);
            await server.WaitUntilReadyAsync(url, s_readyTimeout, Ct);

            using ServiceProcess run = ServiceProcess.Start("bash", ["-c", "set -euo pipefail\n" + commands.Replace(ReadmeOrigin, url, StringComparison.Ordinal)], clone.FullName);
            int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(2), Ct);

            (exit == 0).Should().BeTrue($"the README's learner delivery example failed (exit {exit}):\n{run.Output}\n--- service:\n{server.Output}");
            run.Output.Should().Contain("openid-credential-offer://?credential_offer_uri=").And.Contain("did:key:z6Mk").And.Contain("Valid: 'Forklift Safety'");
            run.Output.Should().Contain("https://lcw.app/request?request=").And.Contain("DIDAuthentication");
            Regex.Count(run.Output, "Valid: 'Forklift Safety'").Should().Be(2, "both the OpenID4VCI and the VC-API credential verify");
        }
        finally
        {
            clone.Delete(recursive: true);
        }
    }

    /// <summary>The service command and the tour's commands, from the README's markers.</summary>
    private static (string Service, string Tour) ReadQuickStart()
    {
        string readme = File.ReadAllText(Path.Combine(Interop.NodeInterop.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        Match service = ServiceBlock().Match(readme);
        service.Success.Should().BeTrue("README.md has no ```-fenced block right after <!-- quick-start:service -->");
        Match tour = TourSection().Match(readme);
        tour.Success.Should().BeTrue("README.md has no <!-- quick-start:begin --> … <!-- quick-start:end --> section");
        string commands = string.Join("\n", Fenced().Matches(tour.Groups[1].Value).Select(m => m.Groups[1].Value));
        string.IsNullOrWhiteSpace(commands).Should().BeFalse("the quick-start section has no ```-fenced commands");
        return (service.Groups[1].Value.Trim(), commands);
    }

    [GeneratedRegex(@"<!-- quick-start:service -->\s*```[a-z]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ServiceBlock();

    [GeneratedRegex(@"<!-- quick-start:begin -->(.*?)<!-- quick-start:end -->", RegexOptions.Singleline)]
    private static partial Regex TourSection();

    [GeneratedRegex(@"<!-- learner-delivery:begin -->(.*?)<!-- learner-delivery:end -->", RegexOptions.Singleline)]
    private static partial Regex LearnerDeliverySection();

    [GeneratedRegex(@"```[a-z]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fenced();
}
