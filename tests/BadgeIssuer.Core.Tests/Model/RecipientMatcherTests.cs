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

        Assert.True(RecipientMatcher.MatchesEmail(credential, "jjefferson18@example.com"));
        Assert.True(RecipientMatcher.MatchesEmail(credential, " JJefferson18@Example.com "));
        Assert.False(RecipientMatcher.MatchesEmail(credential, "a@example.com"));
    }

    [Fact]
    public void MatchesIdentifier_LegacyMd5_Matches()
    {
        JsonElement subject = Subject("""
            { "identifier": [ { "type": "IdentityObject", "hashed": true, "identityType": "emailAddress", "salt": "Kosher",
                "identityHash": "md5$ddd142639a792e74751ee7e129237efa" } ] }
            """);

        Assert.True(RecipientMatcher.MatchesIdentifier(subject, "emailAddress", "a@example.com"));
        Assert.False(RecipientMatcher.MatchesIdentifier(subject, "emailAddress", "b@example.com"));
    }

    [Fact]
    public void MatchesIdentifier_OtherIdentityType_IsSkipped()
    {
        JsonElement subject = Subject("""
            { "identifier": [ { "type": "IdentityObject", "hashed": false, "identityType": "sourcedId", "identityHash": "a@example.com" } ] }
            """);

        Assert.False(RecipientMatcher.MatchesIdentifier(subject, "emailAddress", "a@example.com"));
        Assert.True(RecipientMatcher.MatchesIdentifier(subject, "sourcedId", "a@example.com"));
    }

    [Fact]
    public void MatchesEmail_PlaintextSpecExample_Matches()
    {
        JsonElement credential = TestVectors.Json("ob-v3p0-spec-examples/complete-openbadgecredential.unsigned.json");

        Assert.True(RecipientMatcher.MatchesEmail(credential, "student@1edtech.edu"));
        Assert.True(RecipientMatcher.MatchesEmail(credential, "somebody@gmail.com"));
        Assert.False(RecipientMatcher.MatchesEmail(credential, "student@1edtech.ed"));
    }

    [Fact]
    public void MatchesId_SpecExample()
    {
        JsonElement credential = TestVectors.Json("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");

        Assert.True(RecipientMatcher.MatchesId(credential, "did:example:ebfeb1f712ebc6f1c276e12ec21"));
        Assert.False(RecipientMatcher.MatchesId(credential, "did:example:other"));
        Assert.False(RecipientMatcher.MatchesEmail(credential, "did:example:ebfeb1f712ebc6f1c276e12ec21"));
    }

    [Fact]
    public void MatchesEmail_BuiltHashedCredential_PositiveAndNegative()
    {
        JsonElement json = TestCredentials.Parse(OpenBadgeCredentialBuilder.Build(TestCredentials.Minimal(Recipient.FromEmail("a@example.com", "Kosher"))));

        Assert.True(RecipientMatcher.MatchesEmail(json, "a@example.com"));
        Assert.True(RecipientMatcher.MatchesEmail(json.GetProperty("credentialSubject"), "a@example.com"));
        Assert.False(RecipientMatcher.MatchesEmail(json, "a@example.co"));
        Assert.False(RecipientMatcher.MatchesId(json, "a@example.com"));
    }

    [Fact]
    public void Matches_MalformedSubject_IsFalse()
    {
        Assert.False(RecipientMatcher.MatchesEmail(Subject("""{ "credentialSubject": "nope" }"""), "a@example.com"));
        Assert.False(RecipientMatcher.MatchesEmail(Subject("""{ "identifier": [ 1, { "identityType": "emailAddress", "hashed": true, "identityHash": 5 } ] }"""), "a@example.com"));
        Assert.False(RecipientMatcher.MatchesId(Subject("[]"), "did:example:1"));
    }
}
