using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Tests.Model;

public class RecipientMatcherTests
{
    private static JsonElement Subject(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void MatchesEmail_HashedSha256SpecVector_Matches()
    {
        JsonElement credential = Subject("""
            { "credentialSubject": { "type": ["AchievementSubject"], "identifier": [
              { "type": "IdentityObject", "hashed": true, "identityType": "emailAddress", "salt": "FleurDeSel",
                "identityHash": "sha256$658625B25AB3D75D613CA97D9A5A77F70E2192FECA5557F4AD09A4D4F121F5FC" } ] } }
            """);

        RecipientMatcher.MatchesEmail(credential, "jjefferson18@example.com").Should().BeTrue();
        RecipientMatcher.MatchesEmail(credential, " JJefferson18@Example.com ").Should().BeTrue();
        RecipientMatcher.MatchesEmail(credential, "a@example.com").Should().BeFalse();
    }

    [Fact]
    public void MatchesIdentifier_LegacyMd5_Matches()
    {
        JsonElement subject = Subject("""
            { "identifier": [ { "type": "IdentityObject", "hashed": true, "identityType": "emailAddress", "salt": "Kosher",
                "identityHash": "md5$ddd142639a792e74751ee7e129237efa" } ] }
            """);

        RecipientMatcher.MatchesIdentifier(subject, "emailAddress", "a@example.com").Should().BeTrue();
        RecipientMatcher.MatchesIdentifier(subject, "emailAddress", "b@example.com").Should().BeFalse();
    }

    [Fact]
    public void MatchesIdentifier_OtherIdentityType_IsSkipped()
    {
        JsonElement subject = Subject("""
            { "identifier": [ { "type": "IdentityObject", "hashed": false, "identityType": "sourcedId", "identityHash": "a@example.com" } ] }
            """);

        RecipientMatcher.MatchesIdentifier(subject, "emailAddress", "a@example.com").Should().BeFalse();
        RecipientMatcher.MatchesIdentifier(subject, "sourcedId", "a@example.com").Should().BeTrue();
    }

    [Fact]
    public void MatchesEmail_PlaintextSpecExample_Matches()
    {
        JsonElement credential = TestVectors.Json("ob-v3p0-spec-examples/complete-openbadgecredential.unsigned.json");

        RecipientMatcher.MatchesEmail(credential, "student@1edtech.edu").Should().BeTrue();
        RecipientMatcher.MatchesEmail(credential, "somebody@gmail.com").Should().BeTrue();
        RecipientMatcher.MatchesEmail(credential, "student@1edtech.ed").Should().BeFalse();
    }

    [Fact]
    public void MatchesId_SpecExample()
    {
        JsonElement credential = TestVectors.Json("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");

        RecipientMatcher.MatchesId(credential, "did:example:ebfeb1f712ebc6f1c276e12ec21").Should().BeTrue();
        RecipientMatcher.MatchesId(credential, "did:example:other").Should().BeFalse();
        RecipientMatcher.MatchesEmail(credential, "did:example:ebfeb1f712ebc6f1c276e12ec21").Should().BeFalse();
    }

    [Fact]
    public void MatchesEmail_BuiltHashedCredential_PositiveAndNegative()
    {
        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(TestCredentials.Minimal(Recipient.FromEmail("a@example.com", "Kosher"))));

        RecipientMatcher.MatchesEmail(json, "a@example.com").Should().BeTrue();
        RecipientMatcher.MatchesEmail(json.GetProperty("credentialSubject"), "a@example.com").Should().BeTrue();
        RecipientMatcher.MatchesEmail(json, "a@example.co").Should().BeFalse();
        RecipientMatcher.MatchesId(json, "a@example.com").Should().BeFalse();
    }

    [Fact]
    public void Matches_MalformedSubject_IsFalse()
    {
        RecipientMatcher.MatchesEmail(Subject("""{ "credentialSubject": "nope" }"""), "a@example.com").Should().BeFalse();
        RecipientMatcher.MatchesEmail(Subject("""{ "identifier": [ 1, { "identityType": "emailAddress", "hashed": true, "identityHash": 5 } ] }"""), "a@example.com").Should().BeFalse();
        RecipientMatcher.MatchesId(Subject("[]"), "did:example:1").Should().BeFalse();
    }
}
