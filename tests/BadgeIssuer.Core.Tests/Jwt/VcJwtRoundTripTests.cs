using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Core.Tests.Jwt;

public class VcJwtRoundTripTests
{
    internal static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>An OB 3.0 credential with non-ASCII text: ®, curly quotes, emoji, Arabic and Hebrew (RTL).</summary>
    internal static string Credential(string issuer = "https://issuer.example/issuers/1", string? validUntil = "2030-01-01T00:00:00Z", string subjectId = "did:example:ebfeb1f712ebc6f1c276e12ec21") => $$"""
        {
          "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
          ],
          "id": "urn:uuid:7a4e2b1c-3d5f-4e6a-8b9c-0d1e2f3a4b5c",
          "type": ["VerifiableCredential", "OpenBadgeCredential"],
          "issuer": {
            "id": "{{issuer}}",
            "type": ["Profile"],
            "name": "Ex­ample Université ® — “Open” Badges 🏅"
          },
          "validFrom": "2024-05-01T10:00:00Z",
          {{(validUntil is null ? "" : $"\"validUntil\": \"{validUntil}\",")}}
          "name": "Teamwork Badge ®",
          "description": "“Curly quotes”, ‘single’, emoji 🎓🏅, Arabic شهادة, Hebrew תעודה, and a \"quoted\" \\ backslash.",
          "credentialSubject": {
            "id": "{{subjectId}}",
            "type": ["AchievementSubject"],
            "achievement": {
              "id": "https://issuer.example/achievements/teamwork",
              "type": ["Achievement"],
              "criteria": { "narrative": "Team members are nominated for this badge by their peers and recognized upon review by Example Corp management. Les membres de l’équipe sont proposés par leurs pairs." },
              "description": "This badge recognizes the development of the capacity to collaborate within a group environment. ✔",
              "name": "Teamwork 🤝"
            }
          }
        }
        """;

    internal static VcJwtVerifier StrictVerifier(IVerificationMethodResolver? resolver = null, DateTimeOffset? now = null)
        => new(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(now ?? Now) }, resolver);

    public static TheoryData<KeyType> KeyTypes() => [KeyType.Ed25519, KeyType.Rsa, KeyType.P256];

    internal static SigningKey Create(KeyType type) => type switch
    {
        KeyType.Ed25519 => Ed25519KeyPair.Generate(),
        KeyType.Rsa => RsaKeyPair.Generate(),
        _ => P256KeyPair.Generate(),
    };

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void SignVerify_NonAsciiCredential_RoundTripsStrictly(KeyType type)
    {
        using SigningKey key = Create(type);
        byte[] credential = Encoding.UTF8.GetBytes(Credential());
        using JsonDocument original = JsonDocument.Parse(credential);

        string jws = new VcJwtSigner(key).Sign(credential);
        using VcJwtVerificationResult result = StrictVerifier().Verify(jws);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        result.Algorithm.Should().Be(key.JwsAlgorithm);
        result.Format.Should().Be(VcJwtFormat.OpenBadges);
        foreach (JsonProperty member in original.RootElement.EnumerateObject())
        {
            JsonElement.DeepEquals(member.Value, result.Credential.GetProperty(member.Name)).Should().BeTrue(member.Name);
        }

        result.Credential.GetProperty("name").GetString().Should().Be("Teamwork Badge ®");
        result.NotBefore.Should().Be(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero));
        result.Expires.Should().Be(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Sign_WritesExactHeaderAndClaims()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        var signer = new VcJwtSigner(key);
        string jws = signer.Sign(Encoding.UTF8.GetBytes(Credential()));
        string[] parts = jws.Split('.');

        string x = Base64Url.EncodeToString(key.Ed25519PublicKey.RawKey);
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])).Should().Be($$$"""{"alg":"EdDSA","typ":"JWT","jwk":{"crv":"Ed25519","kty":"OKP","x":"{{{x}}}"}}""");
        parts[2].Length.Should().Be(86);
        using JsonDocument payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        JsonElement p = payload.RootElement;
        p.GetProperty("iss").GetString().Should().Be("https://issuer.example/issuers/1");
        p.GetProperty("jti").GetString().Should().Be("urn:uuid:7a4e2b1c-3d5f-4e6a-8b9c-0d1e2f3a4b5c");
        p.GetProperty("sub").GetString().Should().Be("did:example:ebfeb1f712ebc6f1c276e12ec21");
        p.GetProperty("nbf").GetInt64().Should().Be(1714557600);
        p.GetProperty("exp").GetInt64().Should().Be(1893456000);
        p.TryGetProperty("vc", out _).Should().BeFalse();

        // The credential bytes are copied, not re-serialized: the original text survives verbatim.
        string payloadText = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        payloadText.Should().StartWith(Credential().TrimEnd()[..^1].TrimEnd());
    }

    [Fact]
    public void Sign_JsonElementOverload_UsesOriginalBytes()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        using JsonDocument doc = JsonDocument.Parse("""{"outer":""" + Credential() + "}");

        string jws = new VcJwtSigner(key).Sign(doc.RootElement.GetProperty("outer"));
        using VcJwtVerificationResult result = StrictVerifier().Verify(jws);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.Split('.')[1])).Should().Contain("🏅");
    }

    [Fact]
    public async Task SignWithKid_DidKey_VerifiesThroughResolver()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string did = DidKey.Create(key.Ed25519PublicKey);
        key.KeyId = DidKey.GetVerificationMethodId(key.Ed25519PublicKey);
        var signer = new VcJwtSigner(key);
        string jws = signer.Sign(Encoding.UTF8.GetBytes(Credential(issuer: did)));

        using VcJwtVerificationResult result = await StrictVerifier(CompositeVerificationMethodResolver.CreateDefault()).VerifyAsync(jws, TestContext.Current.CancellationToken);

        signer.HeaderJson.Should().NotContain("\"jwk\"");
        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        result.KeySource.Should().Be(VcJwtKeySource.ResolvedKeyId);
        result.VerificationMethod!.Provenance.Should().Be(KeyProvenance.SelfCertifying);
    }

    [Fact]
    public async Task SignWithKid_ControllerNotIssuer_IsControllerMismatch()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        key.KeyId = DidKey.GetVerificationMethodId(key.Ed25519PublicKey);
        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(Credential()));

        using VcJwtVerificationResult result = await StrictVerifier(CompositeVerificationMethodResolver.CreateDefault()).VerifyAsync(jws, TestContext.Current.CancellationToken);

        result.SignatureVerified.Should().BeTrue();
        result.Failure.Should().Be(VcJwtFailure.ControllerMismatch);
    }

    [Fact]
    public async Task SignWithKid_RegisteredHttpsIssuer_VerifiesAsLocallyRegistered()
    {
        using RsaKeyPair key = RsaKeyPair.Generate();
        const string issuer = "https://issuer.example/issuers/1";
        var registry = new LocalControllerRegistry();
        registry.Register(new DidWebDocumentBuilder(issuer).AddJsonWebKey(key.PublicKey, "rsa-1").Build());
        var signer = new VcJwtSigner(key, new VcJwtSignerOptions { KeyId = issuer + "#rsa-1", IncludeJwk = true });

        using VcJwtVerificationResult result = await StrictVerifier(CompositeVerificationMethodResolver.CreateDefault(registry))
            .VerifyAsync(signer.Sign(Encoding.UTF8.GetBytes(Credential())), TestContext.Current.CancellationToken);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        result.VerificationMethod!.Provenance.Should().Be(KeyProvenance.LocallyRegistered);
    }

    [Fact]
    public void Sign_SubjectWithoutId_OmitsSub()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string credential = Credential().Replace("\"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\",", string.Empty, StringComparison.Ordinal);

        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(credential));
        using VcJwtVerificationResult result = StrictVerifier().Verify(jws);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        result.Payload.TryGetProperty("sub", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"id":"urn:x","issuer":"https://i.example","validFrom":"2024-05-01T10:00:00"}""")] // no time zone
    [InlineData("""{"issuer":"https://i.example","validFrom":"2024-05-01T10:00:00Z"}""")] // no id
    [InlineData("""{"id":"urn:x","validFrom":"2024-05-01T10:00:00Z"}""")] // no issuer
    [InlineData("""{"id":"urn:x","issuer":"https://i.example"}""")] // no validFrom
    [InlineData("""{"id":"urn:x","issuer":"https://i.example","validFrom":"2024-05-01T10:00:00Z","iss":"https://i.example"}""")] // already a JWT payload
    [InlineData("""[1,2]""")]
    [InlineData("""{"id":"urn:x","issuer":"https://i.example","validFrom":"2024-05-01T10:00:00Z"} {}""")]
    [InlineData("""{"id":"urn:x",""")]
    public void Sign_InvalidCredential_Throws(string credential)
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();

        FluentActions.Invoking(() => new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(credential))).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public async Task Enveloped_DataUrlCredential_Verifies()
    {
        using P256KeyPair key = P256KeyPair.Generate();
        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(Credential()));
        using JsonDocument envelope = JsonDocument.Parse($$"""
            {"@context":["https://www.w3.org/ns/credentials/v2"],"id":"data:application/vc+jwt,{{jws}}","type":"EnvelopedVerifiableCredential"}
            """);

        using VcJwtVerificationResult result = await StrictVerifier().VerifyEnvelopedAsync(envelope.RootElement, TestContext.Current.CancellationToken);

        result.IsValid.Should().BeTrue($"{result.Failure}: {result.Detail}");
        VcJwtVerifier.TryGetEnvelopedJws(envelope.RootElement, out string? extracted).Should().BeTrue();
        extracted.Should().Be(jws);
    }

    [Fact]
    public void VcJoseCose_TypVcJwt_AcceptedOnlyInThatMode()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string header = """{"alg":"EdDSA","typ":"vc+jwt","cty":"vc","jwk":""" + Encoding.UTF8.GetString(key.PublicKey.ExportJwk()) + "}";
        string jws = JwsTestHelper.SignRaw(key, header, Credential());

        using VcJwtVerificationResult ob = StrictVerifier().Verify(jws);
        using VcJwtVerificationResult jose = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(Now), AllowVcJoseCose = true }).Verify(jws);

        ob.Failure.Should().Be(VcJwtFailure.UnexpectedHeaderParameter); // cty is not an OB header parameter
        jose.IsValid.Should().BeTrue($"{jose.Failure}: {jose.Detail}");
        jose.Format.Should().Be(VcJwtFormat.VcJoseCose);
    }
}
