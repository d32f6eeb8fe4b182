using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Tests.Model;

internal static class TestCredentials
{
    public static readonly DateTimeOffset ValidFrom = new(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));

    public static Profile Issuer { get; } = new()
    {
        Id = "https://example.edu/issuers/565049",
        Name = "Example University",
        Url = "https://example.edu",
        Email = "badges@example.edu",
    };

    public static Achievement Achievement { get; } = new()
    {
        Id = "https://example.edu/achievements/teamwork",
        Name = "Teamwork",
        Description = "Recognizes collaboration within a group environment.",
        Criteria = new Criteria(Narrative: "Nominated by peers and reviewed by staff."),
        AchievementType = "Badge",
    };

    public static OpenBadgeCredential Minimal(Recipient recipient) => new()
    {
        Id = "urn:uuid:2f1f0c5e-6a59-4a8e-9f0c-1b7c7f3e8d21",
        Issuer = Issuer,
        Achievement = Achievement,
        Recipient = recipient,
        ValidFrom = ValidFrom,
    };

    public static JsonElement Parse(byte[] utf8)
    {
        using JsonDocument doc = JsonDocument.Parse(utf8);
        return doc.RootElement.Clone();
    }
}
