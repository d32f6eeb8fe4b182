using BadgeIssuer.Cli;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Cli.Tests;

public sealed class CanonicalizeCommandTests : IDisposable
{
    private static readonly string s_samples = Path.Combine(AppContext.BaseDirectory, "samples");
    private static readonly string s_testData = Path.Combine(AppContext.BaseDirectory, "TestData");

    private readonly string _dir = Directory.CreateTempSubdirectory("badge-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Run_NoArguments_PrintsUsageAndExits2()
    {
        CliResult result = CliResult.Run();

        result.ExitCode.Should().Be(2);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().StartWith("usage: badge");
    }

    [Fact]
    public void Run_UnknownCommand_NamesItAndExits2()
    {
        CliResult result = CliResult.Run("frobnicate", "x.json");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().StartWith("unknown command: frobnicate");
        result.Stderr.Should().Contain("badge canonicalize FILE");
    }

    [Fact]
    public void Run_Help_PrintsUsageToStdoutAndExits0()
    {
        CliResult result = CliResult.Run("--help");

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("canonicalize FILE");
        result.Stderr.Should().BeEmpty();
    }

    [Theory]
    [InlineData]
    [InlineData("a.json", "b.json")]
    public void Canonicalize_WrongOperandCount_PrintsUsageAndExits2(params string[] operands)
    {
        CliResult result = CliResult.Run(["canonicalize", .. operands]);

        result.ExitCode.Should().Be(2);
        result.SingleErrorLine().Should().Be("usage: badge canonicalize FILE");
    }

    [Fact]
    public void Canonicalize_MissingFile_ReportsFileNotFound()
    {
        string path = Path.Combine(_dir, "nope.json");

        CliResult result = CliResult.Run("canonicalize", path);

        result.ExitCode.Should().Be(2);
        result.SingleErrorLine().Should().Be($"file not found: {path}");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public void Canonicalize_InvalidJson_ReportsParseErrorOnOneLine()
    {
        string path = Write("broken.json", "{ \"@context\": [ ");

        CliResult result = CliResult.Run("canonicalize", path);

        result.ExitCode.Should().Be(2);
        result.SingleErrorLine().Should().StartWith("invalid JSON: ");
    }

    [Fact]
    public void Canonicalize_Sample_PrintsCanonicalNQuads()
    {
        string path = Path.Combine(s_samples, "ob-credential.json");

        CliResult result = CliResult.Run("canonicalize", path);

        (result.ExitCode == 0).Should().BeTrue(result.Stderr);
        result.Stderr.Should().BeEmpty();
        result.Stdout.Should().Be(JsonLdProcessor.Canonicalize(File.ReadAllBytes(path), JsonLdOptions.Safe));
    }

    [Fact]
    public void Canonicalize_NQuadsFile_RelabelsBlankNodes()
    {
        string path = Write("data.nq", "_:x <http://example.org/p> \"v\" .\n");

        CliResult result = CliResult.Run("canonicalize", path);

        (result.ExitCode == 0).Should().BeTrue(result.Stderr);
        result.Stdout.Should().Be("_:c14n0 <http://example.org/p> \"v\" .\n");
    }

    [Fact]
    public void Canonicalize_UnknownContext_NamesTheUrl()
    {
        string path = Write("unknown-context.json", """{ "@context": "https://contexts.example.org/nope/v1", "name": "x" }""");

        CliResult result = CliResult.Run("canonicalize", path);

        result.ExitCode.Should().Be(2);
        result.SingleErrorLine().Should().StartWith("unknown context: https://contexts.example.org/nope/v1");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public void Canonicalize_UndefinedTerm_ReportsTheTerm()
    {
        string path = Write("undefined-term.json", """
            {
              "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
              "id": "urn:uuid:7d0e7c3a-64a5-4f0e-8f55-3c0f1f2b9a10",
              "type": ["VerifiableCredential", "OpenBadgeCredential"],
              "foo": 1
            }
            """);

        CliResult result = CliResult.Run("canonicalize", path);

        result.ExitCode.Should().Be(2);
        string line = result.SingleErrorLine();
        line.Should().StartWith("undefined term: ");
        line.Should().Contain("foo");
    }

    [Fact]
    public void Canonicalize_PoisonGraph_ReportsWorkLimit()
    {
        CliResult result = CliResult.Run("canonicalize", Path.Combine(s_testData, "poison-clique.nq"));

        result.ExitCode.Should().Be(2);
        result.SingleErrorLine().Should().Be("canonicalization work limit exceeded");
        result.Stdout.Should().BeEmpty();
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}

/// <summary>One in-process run of the CLI with captured output.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = Program.Run(args, stdout, stderr);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts stderr is exactly one line and returns it.</summary>
    public string SingleErrorLine()
    {
        string[] lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Should().ContainSingle().Which.TrimEnd('\r');
    }
}
