using System.Text.RegularExpressions;
using BadgeIssuer.Api.Tests.Hosting;

namespace BadgeIssuer.Api.Tests.Pathways;

/// <summary>
/// The README's Stacking example, run as written: the service is started as the two-minute tour starts it (its marked
/// command, from the already-built output, on a free port, in a clone-like directory), then the block between
/// <c>&lt;!-- stacking:begin --&gt;</c> and <c>&lt;!-- stacking:end --&gt;</c> runs in bash from that directory with
/// <c>set -euo pipefail</c> and the README's origin replaced by the test's (nothing else is changed): three badges, the
/// certificate they complete, the CLR that stacks them (valid, then not valid once a part is revoked).
/// </summary>
public sealed partial class StackingReadmeTests
{
    private const string ReadmeOrigin = "http://127.0.0.1:5080";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadmeStacking_RunsAsWritten()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "runs bash and the service as child processes; Linux/macOS only.");
        string readme = File.ReadAllText(Path.Combine(Interop.NodeInterop.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        Match service = ServiceBlock().Match(readme);
        Match section = StackingSection().Match(readme);
        (service.Success && section.Success).Should().BeTrue("README.md marks the service command and the Stacking example");
        string commands = string.Join("\n", Fenced().Matches(section.Groups[1].Value).Select(m => m.Groups[1].Value));
        commands.Should().Contain(ReadmeOrigin);

        string repo = Interop.NodeInterop.RepoRoot;
        DirectoryInfo clone = Directory.CreateTempSubdirectory("badgeissuer-stacking-");
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
            string[] command = service.Groups[1].Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            using ServiceProcess server = ServiceProcess.Start("dotnet",
                [.. command[1..], "-c", ServiceProcess.Configuration, "--no-build", "--", "--urls", url], clone.FullName);
            await server.WaitUntilReadyAsync(url, TimeSpan.FromSeconds(120), Ct);

            using ServiceProcess run = ServiceProcess.Start("bash", ["-c", "set -euo pipefail\n" + commands.Replace(ReadmeOrigin, url, StringComparison.Ordinal)], clone.FullName);
            int exit = await run.WaitForExitAsync(TimeSpan.FromMinutes(2), Ct);

            (exit == 0).Should().BeTrue($"the README's Stacking example failed (exit {exit}):\n{run.Output}\n--- service:\n{server.Output}");
            run.Output.Should().Contain("\"name\":\"Welding Certificate\"").And.Contain("\"created\":true");
            run.Output.Should().Contain("Welding Safety: ").And.Contain("MIG Basics: ").And.Contain("TIG Basics: ");
            run.Output.Should().Contain("This credential counted toward 1 composite credential, which stays valid");
            run.Output.Should().Contain("2 of the 3 part credentials this credential was awarded for are still valid").And.Contain("is revoked");
            run.Output.Should().Contain("CLR: 4 credentials, 12 associations");
            string[] verdicts = [.. run.Output.Split('\n').Where(l => l.StartsWith("Valid: ", StringComparison.Ordinal) || l.StartsWith("Not valid: ", StringComparison.Ordinal))];
            verdicts.Should().HaveCount(2, run.Output);
            verdicts[0].Should().StartWith("Valid: ");
            verdicts[1].Should().StartWith("Not valid: the embedded credential credentialSubject.verifiableCredential[3]").And.Contain("is not valid: revoked");
        }
        finally
        {
            clone.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"<!-- quick-start:service -->\s*```[a-z]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ServiceBlock();

    [GeneratedRegex(@"<!-- stacking:begin -->(.*?)<!-- stacking:end -->", RegexOptions.Singleline)]
    private static partial Regex StackingSection();

    [GeneratedRegex(@"```[a-z]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fenced();
}
