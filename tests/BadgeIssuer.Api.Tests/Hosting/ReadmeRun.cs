using System.Text.RegularExpressions;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>
/// Runs a README example as written: the README's service command (the fenced block after
/// <c>&lt;!-- quick-start:service --&gt;</c>) is started from the already-built output (<c>-c &lt;configuration&gt;
/// --no-build</c> and a free port are appended) in a clone-like directory (the repository's top-level entries linked,
/// without <c>.git</c>, <c>data</c> and <c>TestResults</c>), then the fenced commands between
/// <c>&lt;!-- NAME:begin --&gt;</c> and <c>&lt;!-- NAME:end --&gt;</c> run in bash from that directory with
/// <c>set -euo pipefail</c> and the README's origin <c>http://127.0.0.1:5080</c> replaced by the test's (nothing else is
/// changed). Used by the quick-start, learner-delivery and stacking tests.
/// </summary>
internal static partial class ReadmeRun
{
    public const string ReadmeOrigin = "http://127.0.0.1:5080";

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(120);

    public static string Readme => File.ReadAllText(Path.Combine(Interop.NodeInterop.RepoRoot, "README.md")).ReplaceLineEndings("\n");

    /// <summary>The README's service command (e.g. <c>dotnet run --project src/BadgeIssuer.Api</c>).</summary>
    public static string ServiceCommand()
    {
        Match service = ServiceBlock().Match(Readme);
        service.Success.Should().BeTrue("README.md has no ```-fenced block right after <!-- quick-start:service -->");
        return service.Groups[1].Value.Trim();
    }

    /// <summary>The fenced commands of the README section marked <c>&lt;!-- <paramref name="name"/>:begin/end --&gt;</c>.</summary>
    public static string Section(string name)
    {
        Match section = new Regex($@"<!-- {Regex.Escape(name)}:begin -->(.*?)<!-- {Regex.Escape(name)}:end -->", RegexOptions.Singleline).Match(Readme);
        section.Success.Should().BeTrue($"README.md has no <!-- {name}:begin --> … <!-- {name}:end --> section");
        string commands = string.Join("\n", Fenced().Matches(section.Groups[1].Value).Select(m => m.Groups[1].Value));
        string.IsNullOrWhiteSpace(commands).Should().BeFalse($"the {name} section has no ```-fenced commands");
        return commands;
    }

    /// <summary>
    /// Starts the service, runs <paramref name="commands"/> against it, and hands the finished run (its exit code and
    /// output), the service and the directory to <paramref name="check"/> before everything is removed.
    /// </summary>
    public static async Task RunAsync(string name, string commands, TimeSpan limit, Action<Outcome> check, CancellationToken cancellationToken, bool withBaseUrl = false)
    {
        string repo = Interop.NodeInterop.RepoRoot;
        DirectoryInfo clone = Directory.CreateTempSubdirectory($"badgeissuer-{name}-");
        try
        {
            foreach (string entry in Directory.GetFileSystemEntries(repo))
            {
                string entryName = Path.GetFileName(entry);
                if (entryName is not (".git" or "data" or "TestResults"))
                {
                    File.CreateSymbolicLink(Path.Combine(clone.FullName, entryName), entry);
                }
            }

            string url = ServiceProcess.Url(ServiceProcess.FreePort());
            string[] command = ServiceCommand().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            command[0].Should().Be("dotnet");
            using ServiceProcess server = ServiceProcess.Start("dotnet",
                [.. command[1..], "-c", ServiceProcess.Configuration, "--no-build", "--", "--urls", url], clone.FullName);
            await server.WaitUntilReadyAsync(url, s_readyTimeout, cancellationToken);

            Dictionary<string, string>? environment = withBaseUrl ? new(StringComparer.Ordinal) { ["BASE_URL"] = url } : null;
            using ServiceProcess run = ServiceProcess.Start("bash", ["-c", "set -euo pipefail\n" + commands.Replace(ReadmeOrigin, url, StringComparison.Ordinal)], clone.FullName, environment);
            int exit = await run.WaitForExitAsync(limit, cancellationToken);
            check(new Outcome(exit, run.Output, server.Output, clone));
        }
        finally
        {
            clone.Delete(recursive: true);
        }
    }

    /// <summary>How a README example ended: the bash exit code and output, the service's output, the directory it ran in.</summary>
    public sealed record Outcome(int Exit, string Output, string ServiceOutput, DirectoryInfo Directory)
    {
        public string Describe(string what) => $"the README's {what} failed (exit {Exit}):\n{Output}\n--- service:\n{ServiceOutput}";
    }

    [GeneratedRegex(@"<!-- quick-start:service -->\s*```[a-z]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ServiceBlock();

    [GeneratedRegex(@"```[a-z]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fenced();
}
