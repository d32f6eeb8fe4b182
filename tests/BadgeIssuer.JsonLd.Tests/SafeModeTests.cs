using System.Text.Json;
using System.Text.Json.Nodes;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary>
/// Safe mode turns silent data loss into errors. The VC 2.0 context has no <c>@vocab</c>, so with only VC 2.0 and
/// OB 3.0.3 contexts an undefined term is dropped by plain expansion — and must be refused in safe mode.
/// </summary>
public sealed class SafeModeTests
{
    private const string Credential = """
        {
          "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
          ],
          "id": "urn:uuid:0f3c8a52-2b8e-4bd8-9a3a-6a1f1f0c2d11",
          "type": ["VerifiableCredential", "OpenBadgeCredential"],
          "issuer": { "id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example University" },
          "validFrom": "2025-01-01T00:00:00Z",
          "name": "Safe mode badge",
          "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
              "id": "https://example.edu/achievements/1",
              "type": ["Achievement"],
              "name": "Safe mode",
              "criteria": { "narrative": "Be safe." }
            }
          }
        }
        """;

    [Fact]
    public void Expand_WellFormedCredential_SafeModeAccepts()
    {
        JsonElement expanded = JsonLdProcessor.Expand(Parse(Credential), JsonLdOptions.Safe);

        expanded.ValueKind.Should().Be(JsonValueKind.Array);
        expanded.GetArrayLength().Should().Be(1);
    }

    [Fact]
    public void Expand_UndefinedTerm_SafeModeReportsUndefinedTerm()
    {
        JsonElement input = Modify(c => c["foo"] = 1);

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Expand(input, JsonLdOptions.Safe)).Should().ThrowExactly<JsonLdException>().Which;

        ex.Code.Should().Be(JsonLdErrorCode.SafeModeUndefinedTerm);
        ex.Message.Should().Contain("foo");
    }

    [Fact]
    public void Expand_MisspeltProperty_SafeModeReportsUndefinedTerm()
    {
        JsonElement input = Modify(c =>
        {
            JsonNode subject = c["credentialSubject"]!;
            c.Remove("credentialSubject");
            c["credentialSubjekt"] = subject;
        });

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Expand(input, JsonLdOptions.Safe)).Should().ThrowExactly<JsonLdException>().Which;

        ex.Code.Should().Be(JsonLdErrorCode.SafeModeUndefinedTerm);
        ex.Message.Should().Contain("credentialSubjekt");
    }

    [Fact]
    public void Expand_UnmappedType_SafeModeReportsRelativeType()
    {
        JsonElement input = Modify(c => c["type"] = new JsonArray("VerifiableCredential", "NotAType"));

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Expand(input, JsonLdOptions.Safe)).Should().ThrowExactly<JsonLdException>().Which;

        ex.Code.Should().Be(JsonLdErrorCode.SafeModeRelativeType);
        ex.Message.Should().Contain("NotAType");
    }

    [Fact]
    public void Expand_UndefinedTerm_WithoutSafeModeDropsIt()
    {
        JsonElement expanded = JsonLdProcessor.Expand(Modify(c => c["foo"] = 1));
        JsonElement plain = JsonLdProcessor.Expand(Parse(Credential));

        expanded.GetRawText().Should().Be(plain.GetRawText());
        expanded.GetRawText().Should().NotContain("foo");
    }

    [Fact]
    public void Expand_MisspeltProperty_WithoutSafeModeDropsTheSubject()
    {
        JsonElement expanded = JsonLdProcessor.Expand(Modify(c =>
        {
            JsonNode subject = c["credentialSubject"]!;
            c.Remove("credentialSubject");
            c["credentialSubjekt"] = subject;
        }));

        string raw = expanded.GetRawText();
        raw.Should().NotContain("credentialSubject");
        raw.Should().NotContain("https://example.edu/achievements/1");
    }

    [Fact]
    public void Expand_UnmappedType_WithoutSafeModeKeepsARelativeType()
    {
        JsonElement expanded = JsonLdProcessor.Expand(Modify(c => c["type"] = new JsonArray("VerifiableCredential", "NotAType")));

        JsonElement types = expanded[0].GetProperty("@type");
        types.GetArrayLength().Should().Be(2);
        types.EnumerateArray().Should().Contain(t => string.Equals(t.GetString(), "https://www.w3.org/2018/credentials#VerifiableCredential", StringComparison.Ordinal));
    }

    [Fact]
    public void Canonicalize_UnknownRemoteContext_FailsClosedNamingTheUrl()
    {
        const string Url = "https://contexts.example.org/unknown/v1";
        JsonElement input = Modify(c => c["@context"]!.AsArray().Add(Url));

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Canonicalize(input, JsonLdOptions.Safe)).Should().ThrowExactly<JsonLdException>().Which;

        (ex.Code is JsonLdErrorCode.LoadingDocumentFailed or JsonLdErrorCode.LoadingRemoteContextFailed).Should().BeTrue($"unexpected code {ex.Code}");
        ex.Message.Should().Contain(Url);
    }

    // JsonLdOptions.Safe canonicalizes base direction as the deployed Data Integrity suites do (jsonld.js with
    // rdfDirection "i18n-datatype"): the language lower-cased, then "_", then the direction.
    [Fact]
    public void Canonicalize_DirectionValueWithSafeOptions_WritesAnI18nDatatypeLiteral()
    {
        JsonElement input = Modify(c => c["name"] = JsonNode.Parse("""{"@value": "شارة", "@language": "ar-EG", "@direction": "rtl"}"""));

        string nquads = JsonLdProcessor.Canonicalize(input, JsonLdOptions.Safe);

        nquads.Should().Contain("\"شارة\"^^<https://www.w3.org/ns/i18n#ar-eg_rtl>");
        JsonLdOptions.Safe.RdfDirection.Should().Be(RdfDirection.I18nDatatype);
    }

    [Fact]
    public void Canonicalize_DirectionValueWithSafeModeAlone_RefusesTheDroppedDirection()
    {
        JsonElement input = Modify(c => c["name"] = JsonNode.Parse("""{"@value": "شارة", "@language": "ar", "@direction": "rtl"}"""));

        JsonLdException ex = FluentActions.Invoking(() => JsonLdProcessor.Canonicalize(input, new JsonLdOptions { SafeMode = true })).Should().ThrowExactly<JsonLdException>().Which;

        ex.Code.Should().Be(JsonLdErrorCode.SafeModeDroppedValue);
    }

    [Fact]
    public void Canonicalize_NoDirectionNoWrapper_SafeOptionsEqualSafeModeAlone()
    {
        JsonElement input = Modify(c => c["description"] = JsonNode.Parse("""{"@value": "Badge", "@language": "en"}"""));

        JsonLdProcessor.Canonicalize(input, JsonLdOptions.Safe).Should().Be(JsonLdProcessor.Canonicalize(input, new JsonLdOptions { SafeMode = true }));
    }

    private static JsonElement Modify(Action<JsonObject> change)
    {
        JsonObject credential = JsonNode.Parse(Credential)!.AsObject();
        change(credential);
        return Parse(credential.ToJsonString());
    }

    private static JsonElement Parse(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
