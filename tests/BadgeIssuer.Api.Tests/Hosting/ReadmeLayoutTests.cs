using System.Text.RegularExpressions;
using BadgeIssuer.Api.Tests.Interop;

namespace BadgeIssuer.Api.Tests.Hosting;

/// <summary>
/// The README's Layout section stays in step with the folders: every project under src/ and tests/, every folder of
/// a src project and every folder of the Api tests is named there, and every folder it names exists.
/// </summary>
public sealed partial class ReadmeLayoutTests
{
    private static readonly string s_root = NodeInterop.RepoRoot;

    private static readonly HashSet<string> s_notSource = new(StringComparer.Ordinal) { "bin", "obj", "Properties", "node_modules", "TestResults" };

    [GeneratedRegex(@"^## Layout\s*\n+```\n(?<block>.*?)\n```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex LayoutBlock();

    [GeneratedRegex(@"(?<![A-Za-z0-9._@])[A-Za-z][A-Za-z0-9.]*/(?=[\s,;)]|$)", RegexOptions.Multiline)]
    private static partial Regex FolderName();

    private static string Layout()
    {
        string readme = File.ReadAllText(Path.Combine(s_root, "README.md")).ReplaceLineEndings("\n");
        Match match = LayoutBlock().Match(readme);
        match.Success.Should().BeTrue("README.md has a '## Layout' section with a fenced block");
        return match.Groups["block"].Value;
    }

    private static IEnumerable<string> Folders(string relative)
        => Directory.EnumerateDirectories(Path.Combine(s_root, relative))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !s_notSource.Contains(name) && !name.StartsWith('.'))
            .Order(StringComparer.Ordinal);

    [Fact]
    public void Layout_NamesEveryProjectAndEveryFolderOfTheSourceProjects()
    {
        string layout = Layout();
        var missing = new List<string>();
        foreach (string top in new[] { "src", "tests" })
        {
            foreach (string project in Folders(top))
            {
                if (!layout.Contains(project + "/", StringComparison.Ordinal))
                {
                    missing.Add($"{top}/{project}/");
                }
            }
        }

        foreach (string project in Folders("src"))
        {
            missing.AddRange(Folders(Path.Combine("src", project)).Where(folder => !layout.Contains(folder + "/", StringComparison.Ordinal)).Select(folder => $"src/{project}/{folder}/"));
        }

        missing.AddRange(Folders(Path.Combine("tests", "BadgeIssuer.Api.Tests")).Where(folder => !layout.Contains(folder + "/", StringComparison.Ordinal)).Select(folder => $"tests/BadgeIssuer.Api.Tests/{folder}/"));

        string.Join(", ", missing).Should().BeEmpty("README.md's Layout section should name every folder (add a line for each)");
    }

    [Fact]
    public void Layout_NamesNoFolderThatDoesNotExist()
    {
        var everyFolder = new HashSet<string>(
            Directory.EnumerateDirectories(s_root, "*", SearchOption.AllDirectories)
                .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => s_notSource.Contains(part) || part.StartsWith('.')))
                .Select(Path.GetFileName)
                .OfType<string>(),
            StringComparer.Ordinal);

        string[] unknown = FolderName().Matches(Layout())
            .Select(m => m.Value.TrimEnd('/'))
            .Where(name => !name.Contains('.', StringComparison.Ordinal) || name.StartsWith("BadgeIssuer.", StringComparison.Ordinal))
            .Where(name => !everyFolder.Contains(name))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        string.Join(", ", unknown).Should().BeEmpty("every folder README.md's Layout section names should exist");
    }
}
