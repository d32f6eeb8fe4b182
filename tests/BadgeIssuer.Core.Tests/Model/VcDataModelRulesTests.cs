using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Tests.Model;

/// <summary>The VC Data Model rules themselves (<see cref="VcDataModelRules"/>), one case per rule, positive and negative.</summary>
public sealed class VcDataModelRulesTests
{
    private static string Describe(IEnumerable<CredentialViolation> violations) => string.Join("\n", violations.Select(v => $"{v.InstanceLocation} {v.Code}: {v.Message}"));

    [Theory]
    [MemberData(nameof(VcRuleCases.NegativeNames), MemberType = typeof(VcRuleCases))]
    public void Check_BrokenRule_ReportsThatViolationAtItsPointer(string name)
    {
        var c = VcRuleCases.NegativeCase(name);
        using JsonDocument credential = JsonDocument.Parse(VcRuleCases.Build(c.Version, c.Edits).ToJsonString());

        IReadOnlyList<CredentialViolation> violations = VcDataModelRules.Check(credential.RootElement);

        CredentialViolation violation = violations.Should().ContainSingle(Describe(violations)).Which;
        violation.InstanceLocation.Should().Be(c.Pointer);
        violation.Code.Should().Be(c.Code);
        violation.Kind.Should().Be(CredentialViolationKind.VcDataModel);
        violation.Message.Should().Contain(c.Version == "1.1" ? "VC 1.1 §" : "VC 2.0 §");
    }

    [Theory]
    [MemberData(nameof(VcRuleCases.PositiveNames), MemberType = typeof(VcRuleCases))]
    public void Check_CredentialKeepingEveryRule_HasNoViolation(string name)
    {
        var c = VcRuleCases.Positive.Single(p => p.Name == name);
        using JsonDocument credential = JsonDocument.Parse(VcRuleCases.Build(c.Version, c.Edits).ToJsonString());

        IReadOnlyList<CredentialViolation> violations = VcDataModelRules.Check(credential.RootElement);

        violations.Should().BeEmpty(Describe(violations));
    }

    [Fact]
    public void Check_SeveralBrokenRules_ReportsEveryOne()
    {
        JsonObject credential = VcRuleCases.Build("2.0", """{"/issuer": null, "/credentialSubject": {}, "/evidence": [{"id": "https://example.org/e"}, {"type": "E", "id": "e 2"}]}""");
        using JsonDocument document = JsonDocument.Parse(credential.ToJsonString());

        IReadOnlyList<CredentialViolation> violations = VcDataModelRules.Check(document.RootElement);

        string.Join(", ", violations.Select(v => v.InstanceLocation)).Should().Be("/issuer, /credentialSubject, /evidence/0/type, /evidence/1/id");
        violations.Select(v => v.Path).Should().Contain("$.evidence[0].type");
    }

    [Theory]
    [InlineData("https://www.w3.org/ns/credentials/v2", VcVersion.V20)]
    [InlineData("https://www.w3.org/2018/credentials/v1", VcVersion.V11)]
    [InlineData("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", VcVersion.Unknown)]
    public void Version_ComesFromTheFirstContext(string first, VcVersion expected)
    {
        using JsonDocument credential = JsonDocument.Parse($$"""{"@context": ["{{first}}"]}""");

        VcDataModelRules.Version(credential.RootElement).Should().Be(expected);
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00Z", true)]
    [InlineData("2026-01-01T00:00:00.123456-05:30", true)]
    [InlineData("2024-02-29T23:59:59+14:00", true)]
    [InlineData("2026-01-01T24:00:00Z", true)]
    [InlineData("2026-01-01T00:00:00", false)]
    [InlineData("2026-01-01", false)]
    [InlineData("2025-02-29T00:00:00Z", false)]
    [InlineData("2026-01-01T25:00:00Z", false)]
    [InlineData("2026-01-01T00:00:00+15:00", false)]
    [InlineData("2026-01-01 00:00:00Z", false)]
    public void IsDateTimeStamp_FollowsXmlSchema(string value, bool expected)
        => VcDataModelRules.IsDateTimeStamp(value).Should().Be(expected);

    [Theory]
    [InlineData("https://example.org/a", true)]
    [InlineData("did:web:example.org", true)]
    [InlineData("urn:uuid:7e3c1a52-93b4-4a8e-b1f0-6d2c9e8a4b17", true)]
    [InlineData("example.org/a", false)]
    [InlineData("https://example.org/a b", false)]
    [InlineData("", false)]
    [InlineData("1http://x", false)]
    public void IsUrl_NeedsASchemeAndNoWhiteSpace(string value, bool expected)
        => VcDataModelRules.IsUrl(value).Should().Be(expected);
}
