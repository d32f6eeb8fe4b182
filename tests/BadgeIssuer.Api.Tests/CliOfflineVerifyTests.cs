using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Api.Tests;

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
        Assert.Equal(1, bare.ExitCode);
        Assert.Contains($"the key '{BadgeIssuerApplication.IssuerId}#", bare.Stdout, StringComparison.Ordinal);
        Assert.Contains("--did-documents DIR", bare.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("Not valid: the signing key could not be found", bare.Stdout, StringComparison.Ordinal);

        // The issuer's DID document where --did-documents looks for did:web:localhost:issuers:default, and the status list.
        string documents = Path.Combine(_dir, "documents");
        Directory.CreateDirectory(Path.Combine(documents, "localhost", "issuers", "default"));
        await File.WriteAllBytesAsync(Path.Combine(documents, "localhost", "issuers", "default", "did.json"), await client.GetByteArrayAsync("/issuers/default/did.json", Ct), Ct);
        string list = Path.Combine(_dir, "status-list.json");
        await File.WriteAllBytesAsync(list, await client.GetByteArrayAsync(listUrl, Ct), Ct);

        CliRun full = CliRun.Run("verify", png, "--did-documents", documents, "--status-list", listUrl + "=" + list);
        Assert.True(full.ExitCode == 0, full.Stdout + full.Stderr);
        Assert.StartsWith("Valid: 'Intro to Welding', issued by ", full.Stdout, StringComparison.Ordinal);
        Assert.Contains(" to 'Ada Lovelace' on ", full.Stdout, StringComparison.Ordinal);
        Assert.Contains(", not revoked.", full.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("failed: ", full.Stdout, StringComparison.Ordinal);

        CliRun json = CliRun.Run("verify", png, "--json", "--did-documents", documents, "--status-list", listUrl + "=" + list);
        Assert.Equal(0, json.ExitCode);
        using JsonDocument report = JsonDocument.Parse(json.Stdout);
        Assert.True(report.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("png+jwt", report.RootElement.GetProperty("format").GetString());
        JsonElement[] checks = [.. report.RootElement.GetProperty("checks").EnumerateArray()];
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "issuer-key" && c.GetProperty("status").GetString() == "passed");
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "status" && c.GetProperty("status").GetString() == "passed");
        JsonElement finding = Assert.Single(report.RootElement.GetProperty("status").EnumerateArray());
        Assert.False(finding.GetProperty("set").GetBoolean());

        // After a revocation, the list saved again says so, offline.
        using (HttpResponseMessage revoke = await client.PostAsync(credentialId + "/revoke", null, Ct))
        {
            Assert.True(revoke.IsSuccessStatusCode);
        }

        await File.WriteAllBytesAsync(list, await client.GetByteArrayAsync(listUrl, Ct), Ct);
        CliRun revoked = CliRun.Run("verify", png, "--did-documents", documents, "--status-list", listUrl + "=" + list);
        Assert.Equal(1, revoked.ExitCode);
        Assert.StartsWith("Not valid: revoked", revoked.Stdout, StringComparison.Ordinal);
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

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not list", result.Stdout, StringComparison.Ordinal);
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
