using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Tests.Issuance;

public class StatusListCredentialIssuerTests
{
    private const string ListUrl = "https://badges.example.edu/status/3f2a";
    private const long Ttl = 300_000;

    // The time of the list's last change, with a fraction the credential drops.
    private static readonly DateTimeOffset s_updatedAt = new(2026, 11, 30, 17, 4, 5, 678, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Build_StoredList_WritesWhatThePublisherWrote(int statusSize)
    {
        BitstringStatusList list = NewList(statusSize);

        byte[] built = StatusListCredentialIssuer.Build(ListUrl, "did:web:badges.example.edu", StatusPurpose.Revocation, list, s_updatedAt, Ttl).ToUtf8Json();

        built.Should().Equal(LegacyCredential(list, "did:web:badges.example.edu", statusSize).ToUtf8Json());
    }

    [Fact]
    public void Sign_DataIntegrity_SignsAsThePublisherSigned()
    {
        using TestIssuer issuer = TestIssuer.Create();
        var edDsa = new VcJwtSigner(issuer.Key, new VcJwtSignerOptions { KeyId = issuer.VerificationMethod, IncludeJwk = false });
        BitstringStatusList list = NewList(1);
        BitstringStatusListCredential credential = StatusListCredentialIssuer.Build(ListUrl, issuer.Id, StatusPurpose.Revocation, list, s_updatedAt, Ttl);

        byte[] body = StatusListCredentialIssuer.Sign(credential, jwt: false, issuer.Key, issuer.VerificationMethod, edDsa, null);

        using JsonDocument unsigned = JsonDocument.Parse(LegacyCredential(list, issuer.Id, 1).ToUtf8Json());
        byte[] legacy = EddsaRdfc2022.Sign(
            unsigned.RootElement,
            new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = new DateTimeOffset(2026, 11, 30, 17, 4, 5, TimeSpan.Zero) },
            issuer.Key);
        // The service writes a single proof as an object (VC-API), the signer a one-element array: the same signed graph.
        body.Should().Equal(SingleProofForm.Unwrap(legacy));
        using JsonDocument signed = JsonDocument.Parse(body);
        signed.RootElement.GetProperty("proof").ValueKind.Should().Be(JsonValueKind.Object);
    }

    [Fact]
    public void Sign_JwtWithRsaSigner_UsesRs256AsThePublisherDid()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using RsaKeyPair rsa = RsaKeyPair.Generate();
        var edDsa = new VcJwtSigner(issuer.Key, new VcJwtSignerOptions { KeyId = issuer.VerificationMethod, IncludeJwk = false });
        var rs256 = new VcJwtSigner(rsa, new VcJwtSignerOptions { KeyId = issuer.Id + "#rsa", IncludeJwk = false });
        BitstringStatusListCredential credential = StatusListCredentialIssuer.Build(ListUrl, issuer.Id, StatusPurpose.Suspension, NewList(1), s_updatedAt, Ttl);

        byte[] withRsa = StatusListCredentialIssuer.Sign(credential, jwt: true, issuer.Key, issuer.VerificationMethod, edDsa, rs256);
        byte[] withoutRsa = StatusListCredentialIssuer.Sign(credential, jwt: true, issuer.Key, issuer.VerificationMethod, edDsa, null);

        Encoding.ASCII.GetString(withRsa).Should().Be(rs256.Sign(credential.ToUtf8Json()));
        Encoding.ASCII.GetString(withoutRsa).Should().Be(edDsa.Sign(credential.ToUtf8Json()));
    }

    [Fact]
    public void Sign_P256Key_DataIntegrityIsEcdsaRdfc2019AndJwtIsEs256()
    {
        using P256KeyPair key = P256KeyPair.Generate();
        const string Issuer = "did:web:badges.example.edu:issuers:p";
        string method = Issuer + "#" + ((P256PublicKey)key.PublicKey).PublicKeyMultibase;
        var es256 = new VcJwtSigner(key, new VcJwtSignerOptions { KeyId = method, IncludeJwk = false });
        BitstringStatusListCredential credential = StatusListCredentialIssuer.Build(ListUrl, Issuer, StatusPurpose.Revocation, NewList(1), s_updatedAt, Ttl);

        using JsonDocument signed = JsonDocument.Parse(StatusListCredentialIssuer.Sign(credential, jwt: false, key, method, es256, null));
        string jwt = Encoding.ASCII.GetString(StatusListCredentialIssuer.Sign(credential, jwt: true, key, method, es256, null));

        JsonElement proof = signed.RootElement.GetProperty("proof");
        (proof.GetProperty("cryptosuite").GetString(), proof.GetProperty("verificationMethod").GetString()).Should().Be(("ecdsa-rdfc-2019", method));
        CryptosuiteSet.Default.VerifyAll(signed.RootElement, new OneKey(new ResolvedProofKey(key.PublicKey, Issuer, AuthorizedForPurpose: true)))
            .Should().ContainSingle().Which.Verified.Should().BeTrue();
        es256.Algorithm.Should().Be("ES256");
        Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[0])).Should().Contain("\"alg\":\"ES256\"");
    }

    [Fact]
    public void DefaultJwtAlgorithm_OnlyAnEs256Signer_IsEs256()
    {
        using P256KeyPair p256 = P256KeyPair.Generate();
        using Ed25519KeyPair ed = Ed25519KeyPair.Generate();
        var es256 = new VcJwtSigner(p256, new VcJwtSignerOptions { KeyId = "did:example:p#k" });
        var edDsa = new VcJwtSigner(ed, new VcJwtSignerOptions { KeyId = "did:example:e#k" });

        CredentialSigning.DefaultJwtAlgorithm(null, null, es256).Should().Be("ES256");
        CredentialSigning.DefaultJwtAlgorithm(null, edDsa, null).Should().Be("EdDSA");
    }

    [Fact]
    public void WholeSeconds_OffsetAndFraction_GivesUtcWholeSeconds()
    {
        DateTimeOffset time = new(2026, 3, 1, 9, 0, 0, 999, TimeSpan.FromHours(2));

        DateTimeOffset whole = CredentialSigning.WholeSeconds(time);

        whole.Should().Be(new DateTimeOffset(2026, 3, 1, 7, 0, 0, TimeSpan.Zero));
        whole.Offset.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void DefaultJwtAlgorithm_WithAndWithoutRsaSigner_IsRs256ElseEdDsa()
    {
        using RsaKeyPair rsa = RsaKeyPair.Generate();

        CredentialSigning.DefaultJwtAlgorithm(new VcJwtSigner(rsa)).Should().Be("RS256");
        CredentialSigning.DefaultJwtAlgorithm(null).Should().Be("EdDSA");
    }

    private sealed class OneKey(ResolvedProofKey key) : IProofKeyResolver
    {
        public ResolvedProofKey? Resolve(string verificationMethod, string proofPurpose) => key;
    }

    private static BitstringStatusList NewList(int statusSize)
    {
        var list = new BitstringStatusList(131072, statusSize);
        list.SetStatus(7, 1);
        list.SetStatus(131071, 1);
        return list;
    }

    // StatusListPublisher's former credential, verbatim.
    private static BitstringStatusListCredential LegacyCredential(BitstringStatusList list, string issuerId, int statusSize)
        => new(ListUrl, issuerId, [StatusPurpose.Revocation.ToSpecString()], list.Encode())
        {
            ValidFrom = new DateTimeOffset(s_updatedAt.Ticks - s_updatedAt.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero),
            StatusSize = statusSize == 1 ? null : statusSize,
            Ttl = Ttl,
        };
}
