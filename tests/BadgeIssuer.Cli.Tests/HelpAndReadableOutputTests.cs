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
        string issuer = report.RootElement.GetProperty("issuer").GetString()!;
        Assert.Equal($"Valid: 'Teamwork', issued by 'Example Corp' ('{issuer}', not a known issuer) on 2010-01-01, with no revocation status (it cannot be revoked); the signing key only names the issuer (accepted by the trust policy).", report.RootElement.GetProperty("verdict").GetString());
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

/// <summary><c>--did-documents</c>: a given document authenticates its keys, and a method it does not list is refused.</summary>
public sealed class DidDocumentsTests : IDisposable
{
    private const string Issuer = "did:web:issuer.example:issuers:1";

    private readonly string _dir = Directory.CreateTempSubdirectory("badge-cli-did-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void GivenDocument_AuthenticatesItsKey_AndRefusesAFragmentKeyItDoesNotList()
    {
        (string ownKey, string ownMultibase) = KeyGen("own");
        (string attackerKey, string attackerMultibase) = KeyGen("attacker");
        string documents = Path.Combine(_dir, "documents");
        Directory.CreateDirectory(Path.Combine(documents, "issuer.example", "issuers", "1"));
        File.WriteAllText(Path.Combine(documents, "issuer.example", "issuers", "1", "did.json"), $$"""
            {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], "id": "{{Issuer}}",
             "verificationMethod": [{"id": "{{Issuer}}#key-1", "type": "Multikey", "controller": "{{Issuer}}", "publicKeyMultibase": "{{ownMultibase}}"}],
             "assertionMethod": ["{{Issuer}}#key-1"]}
            """);

        string genuine = Sign(ownKey, Issuer + "#key-1");
        CliResult ok = CliResult.Run("verify", genuine, "--did-documents", documents);
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.StartsWith("Valid: 'Teamwork', issued by 'Issuer One'", ok.Stdout, StringComparison.Ordinal);

        // Without the document the issuer's key cannot be found; the message says how to give it.
        CliResult offline = CliResult.Run("verify", genuine);
        Assert.Equal(1, offline.ExitCode);
        Assert.Contains("--did-documents DIR", offline.Stdout, StringComparison.Ordinal);

        // An attacker's key named by the method's fragment: accepted by --trust-fragment-keys when nothing is known of
        // the issuer, refused when the issuer's own document is given and does not list it.
        string forged = Sign(attackerKey, Issuer + "#" + attackerMultibase);
        Assert.Equal(0, CliResult.Run("verify", forged, "--trust-fragment-keys").ExitCode);
        CliResult refused = CliResult.Run("verify", forged, "--trust-fragment-keys", "--did-documents", documents);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("does not list " + Issuer + "#" + attackerMultibase, refused.Stdout, StringComparison.Ordinal);
    }

    private (string Path, string Multibase) KeyGen(string name)
    {
        string path = Path.Combine(_dir, name + ".key.json");
        CliResult keygen = CliResult.Run("keygen", "--out", path);
        Assert.Equal(0, keygen.ExitCode);
        return (path, keygen.Stdout.Split('\n').Single(l => l.StartsWith("publicKeyMultibase: ", StringComparison.Ordinal))["publicKeyMultibase: ".Length..].Trim());
    }

    private string Sign(string key, string verificationMethod)
    {
        string credential = Path.Combine(_dir, "credential.json");
        File.WriteAllText(credential, $$$"""
            {
              "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
              "id": "urn:uuid:5d0f3b9e-2c4a-4e1b-9f7d-8a6c2e1b0d43",
              "type": ["VerifiableCredential", "OpenBadgeCredential"],
              "issuer": {"id": "{{{Issuer}}}", "type": ["Profile"], "name": "Issuer One"},
              "validFrom": "2026-01-01T00:00:00Z",
              "credentialSubject": {
                "type": ["AchievementSubject"], "id": "did:example:learner",
                "achievement": {"id": "urn:uuid:8e4b2d1c-7f3a-4c6e-b9d2-1a0f5e3c7b84", "type": ["Achievement"], "name": "Teamwork", "description": "Works well with others.", "criteria": {"narrative": "Peer-reviewed group project."}}
              }
            }
            """);
        string options = Path.Combine(_dir, "proof-options.json");
        File.WriteAllText(options, $$"""{"verificationMethod": "{{verificationMethod}}"}""");
        CliResult sign = CliResult.Run("sign", credential, "--key", key, "--proof-options", options);
        Assert.True(sign.ExitCode == 0, sign.Stderr);
        string signed = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(signed, sign.Stdout);
        return signed;
    }
}
