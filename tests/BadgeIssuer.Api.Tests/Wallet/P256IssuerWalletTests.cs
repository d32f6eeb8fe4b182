using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Tests.Issue;

namespace BadgeIssuer.Api.Tests.Wallet;

/// <summary>
/// OpenID4VCI for an issuer with a P-256 key: its metadata names ecdsa-rdfc-2019 and ES256, and the holder-bound
/// copies a wallet receives are signed that way and verify.
/// </summary>
public sealed class P256IssuerWalletTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metadata_P256Issuer_AdvertisesEcdsaRdfc2019AndEs256()
    {
        using var app = P256IssuerTests.P256App();
        using HttpClient client = app.CreateClient();
        JsonNode metadata = (await client.GetFromJsonAsync<JsonNode>("/.well-known/openid-credential-issuer/issuers/default", Ct))!;
        JsonNode configurations = metadata["credential_configurations_supported"]!;
        configurations["OpenBadgeCredential_ldp_vc"]!["credential_signing_alg_values_supported"]!.ToJsonString().Should().Be("""["ecdsa-rdfc-2019"]""");
        configurations["OpenBadgeCredential_jwt_vc_json"]!["credential_signing_alg_values_supported"]!.ToJsonString().Should().Be("""["ES256"]""");
    }

    [Fact]
    public async Task HolderBoundCopies_P256Issuer_LdpVcIsEcdsaAndJwtIsEs256_BothVerify()
    {
        using var app = P256IssuerTests.P256App();
        using HttpClient client = app.CreateAuthorizedClient();
        string multibase = (string)JsonNode.Parse(await client.GetStringAsync("/issuers/default/did.json", Ct))!["verificationMethod"]![0]!["publicKeyMultibase"]!;
        string method = BadgeIssuerApplication.IssuerId + "#" + multibase;
        var flow = new WalletFlow(app, client);

        (_, JsonNode ldpOffer) = await flow.AwardWithOfferAsync();
        using WalletHolder ldpHolder = WalletHolder.DidKey();
        JsonNode ldp = await flow.ReceiveAsync(ldpOffer, ldpHolder);
        ((string)ldp["credentialSubject"]!["id"]!).Should().Be(ldpHolder.Did);
        ((string)ldp["proof"]![0]!["cryptosuite"]!).Should().Be("ecdsa-rdfc-2019");
        ((string)ldp["proof"]![0]!["verificationMethod"]!).Should().Be(method);
        JsonNode ldpReport = await flow.VerifyAsync(ldp);
        ((bool)ldpReport["verified"]!).Should().BeTrue(ldpReport.ToJsonString());

        (_, JsonNode jwtOffer) = await flow.AwardWithOfferAsync(format: "jwt");
        using WalletHolder jwtHolder = WalletHolder.DidJwk();
        JsonNode jwt = await flow.ReceiveAsync(jwtOffer, jwtHolder, "OpenBadgeCredential_jwt_vc_json");
        JsonNode header = P256IssuerTests.JwtPart((string)jwt!, 0);
        ((string)header["alg"]!).Should().Be("ES256");
        ((string)header["kid"]!).Should().Be(method);
        ((string)P256IssuerTests.JwtPart((string)jwt!, 1)["sub"]!).Should().Be(jwtHolder.Did);
        JsonNode jwtReport = await flow.VerifyAsync(jwt);
        ((bool)jwtReport["verified"]!).Should().BeTrue(jwtReport.ToJsonString());
    }
}
