using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;

namespace BadgeIssuer.Api.Tests.Support;

/// <summary>An OpenBadgeCredential issued in the test by a fresh did:key, signed as Data Integrity and as VC-JWT.</summary>
public sealed class TestCredentials : IDisposable
{
    public const string LearnerId = "did:example:learner";
    public const string AchievementName = "Verified in memory";

    // A 1×1 PNG and an empty SVG to bake into.
    private static readonly byte[] s_png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    private static readonly byte[] s_svg = Encoding.UTF8.GetBytes("""<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>""");

    private readonly Ed25519KeyPair _key = Ed25519KeyPair.Generate();

    public TestCredentials()
    {
        IssuerDid = DidKey.Create(_key.Ed25519PublicKey);
        UnsignedJson = $$$"""
            {
              "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
              "id": "urn:uuid:1b9d7c6e-3f0a-4d2b-8c55-2a1e0f9b7d31",
              "type": ["VerifiableCredential", "OpenBadgeCredential"],
              "issuer": {"id": "{{{IssuerDid}}}", "type": ["Profile"], "name": "Test issuer"},
              "validFrom": "2026-01-01T00:00:00Z",
              "credentialSubject": {
                "type": ["AchievementSubject"], "id": "{{{LearnerId}}}",
                "achievement": {"id": "urn:uuid:0c2f4a7b-9d1e-4f3a-8b6c-5e7d9a1b3c2f", "type": ["Achievement"], "name": "{{{AchievementName}}}", "description": "B", "criteria": {"narrative": "C"}}
              }
            }
            """;
        using JsonDocument document = JsonDocument.Parse(UnsignedJson);
        DataIntegrity = EddsaRdfc2022.Sign(
            document.RootElement,
            new ProofOptions { Created = BadgeIssuerApplication.Now.AddDays(-30), VerificationMethod = DidKey.GetVerificationMethodId(_key.Ed25519PublicKey) },
            _key);
        Jwt = new VcJwtSigner(_key, new VcJwtSignerOptions { KeyId = DidKey.GetVerificationMethodId(_key.Ed25519PublicKey) }).Sign(document.RootElement);
    }

    public string IssuerDid { get; }

    public string UnsignedJson { get; }

    /// <summary>The credential with an eddsa-rdfc-2022 proof (UTF-8 JSON).</summary>
    public byte[] DataIntegrity { get; }

    /// <summary>The credential as a compact VC-JWT.</summary>
    public string Jwt { get; }

    public string DataIntegrityText => Encoding.UTF8.GetString(DataIntegrity);

    /// <summary>The signed credential with the achievement renamed after signing.</summary>
    public byte[] Tampered => Encoding.UTF8.GetBytes(DataIntegrityText.Replace(AchievementName, "Forged achievement", StringComparison.Ordinal));

    public byte[] BakedPng() => BakedBadge.Bake(s_png, DataIntegrityText, BadgeImageFormat.Png);

    public byte[] BakedSvg() => BakedBadge.Bake(s_svg, Jwt, BadgeImageFormat.Svg);

    public static byte[] Png => (byte[])s_png.Clone();

    public void Dispose() => _key.Dispose();
}
