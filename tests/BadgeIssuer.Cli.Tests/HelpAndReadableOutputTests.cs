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

        result.ExitCode.Should().Be(0);
        result.Stderr.Should().BeEmpty();
        result.Stdout.Should().StartWith("usage: badge verify FILE");
        result.Stdout.Should().Contain("--did-documents DIR");
        result.Stdout.Should().Contain("did:web:example.org:issuers:1  -> DIR/example.org/issuers/1/did.json");
        result.Stdout.Should().NotContain("badge sign");
    }

    [Theory]
    [InlineData("sign")]
    [InlineData("verify-presentation")]
    [InlineData("bake")]
    public void EveryVerb_HasHelp(string verb)
    {
        CliResult result = CliResult.Run(verb, "--help");

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().StartWith("usage: badge " + verb);
    }

    [Fact]
    public void HelpForAnUnknownVerb_IsAUsageError()
    {
        CliResult result = CliResult.Run("help", "frobnicate");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("unknown command: frobnicate");
    }

    [Fact]
    public void Version_PrintsTheInformationalVersion()
    {
        CliResult result = CliResult.Run("--version");

        result.ExitCode.Should().Be(0);
        result.Stdout.TrimEnd().Should().Be("badge " + Program.Version);
        result.Stdout.Should().MatchRegex(@"^badge \d+\.\d+\.\d+");
    }

    [Fact]
    public void GeneralHelp_MentionsVerbHelpAndVersion()
    {
        CliResult result = CliResult.Run("--help");

        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("badge help COMMAND");
        result.Stdout.Should().Contain("--version");
    }

    [Fact]
    public void Verify_DefaultOutput_IsTheVerdictThenTheFailedStepsThenWarnings()
    {
        CliResult result = CliResult.Run("verify", BakedPng);

        result.ExitCode.Should().Be(1);
        string[] lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        lines[0].Should().StartWith("Not valid: the signature verifies, but its key is not authenticated as the issuer's");
        lines[1].Should().StartWith("failed: issuer-key: issuer key not authenticated");
        lines.Should().Contain(l => l.StartsWith("warning: known-issuer: ", StringComparison.Ordinal));
        lines[^1].Should().Be("(--json prints the full report)");
        FluentActions.Invoking(() => JsonDocument.Parse(result.Stdout)).Should().Throw<JsonException>();
    }

    [Fact]
    public void Verify_Json_PrintsTheReportWithTheVerdict()
    {
        CliResult result = CliResult.Run("verify", BakedPng, "--trust-fragment-keys", "--json");

        result.ExitCode.Should().Be(0);
        using JsonDocument report = JsonDocument.Parse(result.Stdout);
        string issuer = report.RootElement.GetProperty("issuer").GetString()!;
        report.RootElement.GetProperty("verdict").GetString().Should().Be($"Valid: 'Teamwork', issued by 'Example Corp' ('{issuer}', not a known issuer) on 2010-01-01, with no revocation status (it cannot be revoked); the signing key only names the issuer (accepted by the trust policy).");
    }

    [Fact]
    public void Verify_DidDocumentsThatIsNotADirectory_IsAUsageError()
    {
        CliResult result = CliResult.Run("verify", BakedPng, "--did-documents", Path.Combine(_dir, "missing"));

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("--did-documents");
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
        => DidDocumentDirectory.Describe(id).Should().Be(expected);
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
        (ok.ExitCode == 0).Should().BeTrue(ok.Stdout + ok.Stderr);
        ok.Stdout.Should().StartWith("Valid: 'Teamwork', issued by 'Issuer One'");

        // Without the document the issuer's key cannot be found; the message says how to give it.
        CliResult offline = CliResult.Run("verify", genuine);
        offline.ExitCode.Should().Be(1);
        offline.Stdout.Should().Contain("--did-documents DIR");

        // An attacker's key named by the method's fragment: accepted by --trust-fragment-keys when nothing is known of
        // the issuer, refused when the issuer's own document is given and does not list it.
        string forged = Sign(attackerKey, Issuer + "#" + attackerMultibase);
        CliResult.Run("verify", forged, "--trust-fragment-keys").ExitCode.Should().Be(0);
        CliResult refused = CliResult.Run("verify", forged, "--trust-fragment-keys", "--did-documents", documents);
        refused.ExitCode.Should().Be(1);
        refused.Stdout.Should().Contain("does not list " + Issuer + "#" + attackerMultibase);
    }

    private (string Path, string Multibase) KeyGen(string name)
    {
        string path = Path.Combine(_dir, name + ".key.json");
        CliResult keygen = CliResult.Run("keygen", "--out", path);
        keygen.ExitCode.Should().Be(0);
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
        (sign.ExitCode == 0).Should().BeTrue(sign.Stderr);
        string signed = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(signed, sign.Stdout);
        return signed;
    }
}
