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

        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.Equal(key.JwsAlgorithm, result.Algorithm);
        Assert.Equal(VcJwtFormat.OpenBadges, result.Format);
        foreach (JsonProperty member in original.RootElement.EnumerateObject())
        {
            Assert.True(JsonElement.DeepEquals(member.Value, result.Credential.GetProperty(member.Name)), member.Name);
        }

        Assert.Equal("Teamwork Badge ®", result.Credential.GetProperty("name").GetString());
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), result.NotBefore);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), result.Expires);
    }

    [Fact]
    public void Sign_WritesExactHeaderAndClaims()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        var signer = new VcJwtSigner(key);
        string jws = signer.Sign(Encoding.UTF8.GetBytes(Credential()));
        string[] parts = jws.Split('.');

        string x = Base64Url.EncodeToString(key.Ed25519PublicKey.RawKey);
        Assert.Equal($$$"""{"alg":"EdDSA","typ":"JWT","jwk":{"crv":"Ed25519","kty":"OKP","x":"{{{x}}}"}}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        Assert.Equal(86, parts[2].Length);
        using JsonDocument payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        JsonElement p = payload.RootElement;
        Assert.Equal("https://issuer.example/issuers/1", p.GetProperty("iss").GetString());
        Assert.Equal("urn:uuid:7a4e2b1c-3d5f-4e6a-8b9c-0d1e2f3a4b5c", p.GetProperty("jti").GetString());
        Assert.Equal("did:example:ebfeb1f712ebc6f1c276e12ec21", p.GetProperty("sub").GetString());
        Assert.Equal(1714557600, p.GetProperty("nbf").GetInt64());
        Assert.Equal(1893456000, p.GetProperty("exp").GetInt64());
        Assert.False(p.TryGetProperty("vc", out _));

        // The credential bytes are copied, not re-serialized: the original text survives verbatim.
        string payloadText = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        Assert.StartsWith(Credential().TrimEnd()[..^1].TrimEnd(), payloadText, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_JsonElementOverload_UsesOriginalBytes()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        using JsonDocument doc = JsonDocument.Parse("""{"outer":""" + Credential() + "}");

        string jws = new VcJwtSigner(key).Sign(doc.RootElement.GetProperty("outer"));
        using VcJwtVerificationResult result = StrictVerifier().Verify(jws);

        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.Contains("🏅", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.Split('.')[1])), StringComparison.Ordinal);
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

        Assert.DoesNotContain("\"jwk\"", signer.HeaderJson, StringComparison.Ordinal);
        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.Equal(VcJwtKeySource.ResolvedKeyId, result.KeySource);
        Assert.Equal(KeyProvenance.SelfCertifying, result.VerificationMethod!.Provenance);
    }

    [Fact]
    public async Task SignWithKid_ControllerNotIssuer_IsControllerMismatch()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        key.KeyId = DidKey.GetVerificationMethodId(key.Ed25519PublicKey);
        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(Credential()));

        using VcJwtVerificationResult result = await StrictVerifier(CompositeVerificationMethodResolver.CreateDefault()).VerifyAsync(jws, TestContext.Current.CancellationToken);

        Assert.True(result.SignatureVerified);
        Assert.Equal(VcJwtFailure.ControllerMismatch, result.Failure);
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

        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.Equal(KeyProvenance.LocallyRegistered, result.VerificationMethod!.Provenance);
    }

    [Fact]
    public void Sign_SubjectWithoutId_OmitsSub()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string credential = Credential().Replace("\"id\": \"did:example:ebfeb1f712ebc6f1c276e12ec21\",", string.Empty, StringComparison.Ordinal);

        string jws = new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(credential));
        using VcJwtVerificationResult result = StrictVerifier().Verify(jws);

        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.False(result.Payload.TryGetProperty("sub", out _));
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

        Assert.Throws<ArgumentException>(() => new VcJwtSigner(key).Sign(Encoding.UTF8.GetBytes(credential)));
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

        Assert.True(result.IsValid, $"{result.Failure}: {result.Detail}");
        Assert.True(VcJwtVerifier.TryGetEnvelopedJws(envelope.RootElement, out string? extracted));
        Assert.Equal(jws, extracted);
    }

    [Fact]
    public void VcJoseCose_TypVcJwt_AcceptedOnlyInThatMode()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string header = """{"alg":"EdDSA","typ":"vc+jwt","cty":"vc","jwk":""" + Encoding.UTF8.GetString(key.PublicKey.ExportJwk()) + "}";
        string jws = JwsTestHelper.SignRaw(key, header, Credential());

        using VcJwtVerificationResult ob = StrictVerifier().Verify(jws);
        using VcJwtVerificationResult jose = new VcJwtVerifier(new VcJwtVerifierOptions { TimeProvider = new FixedTimeProvider(Now), AllowVcJoseCose = true }).Verify(jws);

        Assert.Equal(VcJwtFailure.UnexpectedHeaderParameter, ob.Failure); // cty is not an OB header parameter
        Assert.True(jose.IsValid, $"{jose.Failure}: {jose.Detail}");
        Assert.Equal(VcJwtFormat.VcJoseCose, jose.Format);
    }
}
