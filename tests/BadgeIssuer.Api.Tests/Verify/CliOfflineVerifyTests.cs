using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Api.Tests.Verify;

/// <summary>
/// Issue 13: a badge this service issued (a JWT baked into a PNG) verifies completely offline with the CLI when its
/// issuer's DID document is given with <c>--did-documents</c> and its status list with <c>--status-list</c>; without
/// them the report names the key that could not be resolved and how to supply it.
/// </summary>
public sealed class CliOfflineVerifyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("badge-cli-offline-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ServiceIssuedJwtPng_VerifiesOfflineWithDidDocumentsAndStatusList()
    {
        // The CLI checks validity against the real clock: issue "now".
        using var app = new BadgeIssuerApplication();
        app.Clock.Now = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "ada@example.org", name = "Ada Lovelace" }, format = "jwt" });
        string credentialId = (string)award["credentialId"]!;

        string png = Path.Combine(_dir, "badge.png");
        await File.WriteAllBytesAsync(png, await client.GetByteArrayAsync(credentialId + ".png", Ct), Ct);
        string jwt = BakedBadge.Unbake(await File.ReadAllBytesAsync(png, Ct)).Payload;
        JsonNode payload = JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]))!;
        string listUrl = (string)payload["credentialStatus"]!["statusListCredential"]!;

        // Offline without the documents: the report names the key and how to supply it.
        CliRun bare = CliRun.Run("verify", png);
        bare.ExitCode.Should().Be(1);
        bare.Stdout.Should().Contain($"the key '{BadgeIssuerApplication.IssuerId}#");
        bare.Stdout.Should().Contain("--did-documents DIR");
        bare.Stdout.Should().StartWith("Not valid: the signing key could not be found");

        // The issuer's DID document where --did-documents looks for did:web:localhost:issuers:default, and the status list.
        string documents = Path.Combine(_dir, "documents");
        Directory.CreateDirectory(Path.Combine(documents, "localhost", "issuers", "default"));
        await File.WriteAllBytesAsync(Path.Combine(documents, "localhost", "issuers", "default", "did.json"), await client.GetByteArrayAsync("/issuers/default/did.json", Ct), Ct);
        string list = Path.Combine(_dir, "status-list.json");
        await File.WriteAllBytesAsync(list, await client.GetByteArrayAsync(listUrl, Ct), Ct);

        CliRun full = CliRun.Run("verify", png, "--did-documents", documents, "--status-list", listUrl + "=" + list);
        (full.ExitCode == 0).Should().BeTrue(full.Stdout + full.Stderr);
        full.Stdout.Should().StartWith("Valid: 'Intro to Welding', issued by ");
        full.Stdout.Should().Contain(" to 'Ada Lovelace' on ");
        full.Stdout.Should().Contain(", not revoked.");
        full.Stdout.Should().NotContain("failed: ");

        CliRun json = CliRun.Run("verify", png, "--json", "--did-documents", documents, "--status-list", listUrl + "=" + list);
        json.ExitCode.Should().Be(0);
        using JsonDocument report = JsonDocument.Parse(json.Stdout);
        report.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
        report.RootElement.GetProperty("format").GetString().Should().Be("png+jwt");
        JsonElement[] checks = [.. report.RootElement.GetProperty("checks").EnumerateArray()];
        checks.Should().Contain(c => c.GetProperty("name").GetString() == "issuer-key" && c.GetProperty("status").GetString() == "passed");
        checks.Should().Contain(c => c.GetProperty("name").GetString() == "status" && c.GetProperty("status").GetString() == "passed");
        JsonElement finding = report.RootElement.GetProperty("status").EnumerateArray().Should().ContainSingle().Which;
        finding.GetProperty("set").GetBoolean().Should().BeFalse();

        // After a revocation, the list saved again says so, offline.
        using (HttpResponseMessage revoke = await client.PostAsync(credentialId + "/revoke", null, Ct))
        {
            revoke.IsSuccessStatusCode.Should().BeTrue();
        }

        await File.WriteAllBytesAsync(list, await client.GetByteArrayAsync(listUrl, Ct), Ct);
        CliRun revoked = CliRun.Run("verify", png, "--did-documents", documents, "--status-list", listUrl + "=" + list);
        revoked.ExitCode.Should().Be(1);
        revoked.Stdout.Should().StartWith("Not valid: revoked");
    }

    [Fact]
    public async Task DidDocuments_ADocumentThatDoesNotListTheKey_FailsInsteadOfFallingBack()
    {
        using var app = new BadgeIssuerApplication();
        app.Clock.Now = TimeProvider.System.GetUtcNow().AddMinutes(-5);
        using HttpClient client = app.CreateAuthorizedClient();
        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode award = await IssuingApiTests.AwardAsync(client, achievementId, extra: new { achievementId, recipient = new { email = "ada@example.org" }, format = "jwt" });
        string jwtFile = Path.Combine(_dir, "badge.jwt");
        await File.WriteAllTextAsync(jwtFile, await client.GetStringAsync((string)award["credentialId"]! + ".jwt", Ct), Ct);

        // A DID document for the issuer that lists another key only.
        string documents = Path.Combine(_dir, "documents");
        Directory.CreateDirectory(Path.Combine(documents, "localhost", "issuers", "default"));
        using var other = Core.Keys.Ed25519KeyPair.Generate();
        string did = BadgeIssuerApplication.IssuerId;
        await File.WriteAllTextAsync(Path.Combine(documents, "localhost", "issuers", "default", "did.json"), $$"""
            {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"], "id": "{{did}}",
             "verificationMethod": [{"id": "{{did}}#other", "type": "Multikey", "controller": "{{did}}", "publicKeyMultibase": "{{other.Ed25519PublicKey.PublicKeyMultibase}}"}],
             "assertionMethod": ["{{did}}#other"]}
            """, Ct);

        CliRun result = CliRun.Run("verify", jwtFile, "--did-documents", documents, "--trust-fragment-keys");

        result.ExitCode.Should().Be(1);
        result.Stdout.Should().Contain("does not list");
    }

    private sealed record CliRun(int ExitCode, string Stdout, string Stderr)
    {
        public static CliRun Run(params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            int code = BadgeIssuer.Cli.Program.Run(args, stdout, stderr);
            return new CliRun(code, stdout.ToString(), stderr.ToString());
        }
    }
}
