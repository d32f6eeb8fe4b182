using System.Text.Json;

namespace BadgeIssuer.Cli.Tests;

/// <summary>Issue 13: per-verb help, --version, the readable default output of verify, and --did-documents file names.</summary>
public sealed class HelpAndReadableOutputTests : IDisposable
{
    private static readonly string s_vectors = Path.Combine(AppContext.BaseDirectory, "TestData", "vectors");

    private readonly string _dir = Directory.CreateTempSubdirectory("badge-cli-help-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string BakedPng => Path.Combine(s_vectors, "1edtech-validator-fixtures", "baked", "simple-json.png");

    [Theory]
    [InlineData("verify", "--help")]
    [InlineData("verify", "-h")]
    [InlineData("verify", "FILE.json", "--help")]
    [InlineData("help", "verify")]
    public void VerbHelp_PrintsThatVerbsUsageAndOptionsAndExitsZero(params string[] args)
    {
        CliResult result = CliResult.Run(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Stderr);
        Assert.StartsWith("usage: badge verify FILE", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--did-documents DIR", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("did:web:example.org:issuers:1  -> DIR/example.org/issuers/1/did.json", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("badge sign", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sign")]
    [InlineData("verify-presentation")]
    [InlineData("bake")]
    public void EveryVerb_HasHelp(string verb)
    {
        CliResult result = CliResult.Run(verb, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("usage: badge " + verb, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpForAnUnknownVerb_IsAUsageError()
    {
        CliResult result = CliResult.Run("help", "frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown command: frobnicate", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_PrintsTheInformationalVersion()
    {
        CliResult result = CliResult.Run("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("badge " + Program.Version, result.Stdout.TrimEnd());
        Assert.Matches(@"^badge \d+\.\d+\.\d+", result.Stdout);
    }

    [Fact]
    public void GeneralHelp_MentionsVerbHelpAndVersion()
    {
        CliResult result = CliResult.Run("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("badge help COMMAND", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--version", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DefaultOutput_IsTheVerdictThenTheFailedStepsThenWarnings()
    {
        CliResult result = CliResult.Run("verify", BakedPng);

        Assert.Equal(1, result.ExitCode);
        string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.StartsWith("Not valid: the signature verifies, but its key is not authenticated as the issuer's", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("failed: issuer-key: issuer key not authenticated", lines[1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("warning: known-issuer: ", StringComparison.Ordinal));
        Assert.Equal("(--json prints the full report)", lines[^1]);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(result.Stdout));
    }

    [Fact]
    public void Verify_Json_PrintsTheReportWithTheVerdict()
    {
        CliResult result = CliResult.Run("verify", BakedPng, "--trust-fragment-keys", "--json");

        Assert.Equal(0, result.ExitCode);
        using JsonDocument report = JsonDocument.Parse(result.Stdout);
        Assert.Equal("Valid: 'Teamwork', issued by 'Example Corp' on 2010-01-01, with no revocation status (it cannot be revoked); the signing key only names the issuer (accepted by the trust policy).", report.RootElement.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Verify_DidDocumentsThatIsNotADirectory_IsAUsageError()
    {
        CliResult result = CliResult.Run("verify", BakedPng, "--did-documents", Path.Combine(_dir, "missing"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--did-documents", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("did:web:example.org:issuers:1", "example.org/issuers/1/did.json")]
    [InlineData("did:web:example.org", "example.org/.well-known/did.json")]
    [InlineData("did:web:localhost%3A5000:issuers:1", "localhost_5000/issuers/1/did.json")]
    [InlineData("did:web:EXAMPLE.org:a", "example.org/a/did.json")]
    [InlineData("https://example.org/keys/1", "example.org/keys/1 or example.org/keys/1.json or example.org/keys/1/index.json")]
    [InlineData("https://example.org/issuers/", "example.org/issuers/index.json")]
    [InlineData("https://example.org", "example.org/index.json")]
    [InlineData("https://example.org/a/%2E%2E/b", "example.org/b or example.org/b.json or example.org/b/index.json")]
    [InlineData("https://example.org/a%2F..%2F..%2Fetc/passwd", "no file: not a did:web DID or https URL")]
    [InlineData("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "no file: not a did:web DID or https URL")]
    [InlineData("http://example.org/keys/1", "no file: not a did:web DID or https URL")]
    public void DidDocuments_FileNameMapping(string id, string expected)
        => Assert.Equal(expected, DidDocumentDirectory.Describe(id));
}
