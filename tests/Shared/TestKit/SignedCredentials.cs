using System.Text;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Tests.Shared;

/// <summary>
/// One OpenBadgeCredential (<see cref="TestDocuments.OpenBadge"/>) issued by a fresh did:key (or the given
/// <see cref="TestIssuer"/>), signed as Data Integrity and as VC-JWT, and baked into a PNG and an SVG.
/// </summary>
internal sealed class SignedCredentials : IDisposable
{
    public const string LearnerId = TestDocuments.LearnerId;
    public const string AchievementName = "Verified in memory";
    public const string IssuerName = "Test issuer";

    // A 1×1 PNG and an empty SVG to bake into.
    private static readonly byte[] s_png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    private static readonly byte[] s_svg = Encoding.UTF8.GetBytes("""<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>""");

    private readonly string _achievementName;

    /// <param name="issuer">The signer (disposed with this); a fresh did:key signing 30 days before <see cref="TestClock.Now"/> when null.</param>
    /// <param name="issuerName">The issuer profile's name.</param>
    /// <param name="achievementName">The achievement's name (what <see cref="Tampered"/> replaces).</param>
    public SignedCredentials(TestIssuer? issuer = null, string issuerName = IssuerName, string achievementName = AchievementName)
    {
        Issuer = issuer ?? TestIssuer.Create(signedAt: TestClock.Now.AddDays(-30));
        _achievementName = achievementName;
        UnsignedJson = TestDocuments.OpenBadge(Issuer.Id, issuerName, achievementName);
        DataIntegrity = Issuer.Sign(UnsignedJson);
        Jwt = Issuer.SignJwt(UnsignedJson);
    }

    public TestIssuer Issuer { get; }

    public string IssuerDid => Issuer.Id;

    public string UnsignedJson { get; }

    /// <summary>The credential with an eddsa-rdfc-2022 proof (UTF-8 JSON).</summary>
    public byte[] DataIntegrity { get; }

    /// <summary>The credential as a compact VC-JWT.</summary>
    public string Jwt { get; }

    public string DataIntegrityText => Encoding.UTF8.GetString(DataIntegrity);

    /// <summary>The signed credential with the achievement renamed after signing.</summary>
    public byte[] Tampered => Encoding.UTF8.GetBytes(DataIntegrityText.Replace(_achievementName, "Forged achievement", StringComparison.Ordinal));

    public static byte[] Png => (byte[])s_png.Clone();

    public byte[] BakedPng() => BakedBadge.Bake(s_png, DataIntegrityText, BadgeImageFormat.Png);

    public byte[] BakedSvg() => BakedBadge.Bake(s_svg, Jwt, BadgeImageFormat.Svg);

    public void Dispose() => Issuer.Dispose();
}
