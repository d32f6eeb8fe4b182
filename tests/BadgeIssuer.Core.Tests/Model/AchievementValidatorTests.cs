using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Tests.Model;

public class AchievementValidatorTests
{
    private static readonly byte[] s_issuerProfile = Encoding.UTF8.GetBytes(
        """{"id":"did:web:badges.example.edu:issuers:office","type":["Profile"],"name":"Badge Office"}""");

    [Fact]
    public void Validate_StoredAchievement_HasNoViolations()
    {
        using JsonDocument achievement = JsonDocument.Parse(
            """{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"https://badges.example.edu/achievements/dsf","type":["Achievement"],"name":"Data Stewardship","description":"Basics.","criteria":{"narrative":"Pass."}}""");

        AchievementValidator.Validate(achievement.RootElement, s_issuerProfile).Should().BeEmpty();
    }

    [Fact]
    public void Validate_NameNotAString_PointsIntoTheAchievement()
    {
        using JsonDocument achievement = JsonDocument.Parse(
            """{"id":"https://badges.example.edu/achievements/dsf","type":["Achievement"],"name":5,"description":"Basics.","criteria":{"narrative":"Pass."}}""");

        IReadOnlyList<AchievementViolation> violations = AchievementValidator.Validate(achievement.RootElement, s_issuerProfile);

        violations.Should().Contain(v => v.Path == "/name");
    }

    [Fact]
    public void Validate_UndefinedTerm_IsAJsonLdViolationAtTheRoot()
    {
        using JsonDocument achievement = JsonDocument.Parse(
            """{"id":"https://badges.example.edu/achievements/dsf","type":["Achievement"],"name":"n","description":"d","criteria":{"narrative":"Pass."},"notAnObTerm":"x"}""");

        IReadOnlyList<AchievementViolation> violations = AchievementValidator.Validate(achievement.RootElement, s_issuerProfile);

        violations.Should().ContainSingle().Which.Path.Should().Be("/");
    }

    [Fact]
    public void ProfileJsonBuild_IssuerProfile_WritesTheServicesProfileDocument()
    {
        byte[] document = ProfileJson.Build(new Profile
        {
            Id = "did:web:badges.example.edu:issuers:office",
            Name = "Badge Office – \"Example\"",
            Url = "https://www.example.edu",
            Email = "badges@example.edu",
            Image = new Image("https://www.example.edu/logo.png"),
        });

        Encoding.UTF8.GetString(document).Should().Be(
            """{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"did:web:badges.example.edu:issuers:office","type":["Profile"],"name":"Badge Office – \"Example\"","url":"https://www.example.edu","email":"badges@example.edu","image":{"id":"https://www.example.edu/logo.png","type":"Image"}}""");
    }

    [Fact]
    public void Validate_AchievementNested64Deep_ReportsViolations_DoesNotThrow()
    {
        // A request body may nest 64 levels; inside the probe credential the achievement sits two levels deeper.
        string deep = string.Concat(Enumerable.Repeat("{\"x\":", 62)) + "1" + new string('}', 62);
        using JsonDocument achievement = JsonDocument.Parse(
            $$"""{"id":"https://badges.example.edu/achievements/dsf","type":["Achievement"],"name":"n","description":"d","criteria":{"narrative":"Pass."},"extra":{{deep}}}""",
            new JsonDocumentOptions { MaxDepth = 64 });

        IReadOnlyList<AchievementViolation> violations = AchievementValidator.Validate(achievement.RootElement, s_issuerProfile);

        violations.Should().NotBeEmpty();
    }
}
