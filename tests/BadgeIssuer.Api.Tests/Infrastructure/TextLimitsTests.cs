using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;

namespace BadgeIssuer.Api.Tests.Infrastructure;

/// <summary>
/// <see cref="TextLimits.Check"/> counts UTF-16 code units of the decoded string, names the member and points at the
/// string, while it decodes only strings whose raw UTF-8 could be over the limit.
/// </summary>
public sealed class TextLimitsTests
{
    private static List<InputViolation> Check(string json, string path = "/credential")
    {
        using JsonDocument document = JsonDocument.Parse(json);
        var violations = new List<InputViolation>();
        TextLimits.Check(document.RootElement, path, violations);
        return violations;
    }

    [Fact]
    public void StringsOverTheirMemberLimit_AreReportedWithTheirPointerAndMember()
    {
        string name = new('n', TextLimits.Name + 1);
        string url = new('u', TextLimits.Url + 1);
        List<InputViolation> violations = Check($$"""{"a/b": {"name": "{{name}}", "x~y": ["ok", {"url": "{{url}}"}]}, "list": ["{{name}}"]}""");
        violations.Select(v => (v.Path, v.Message)).Should().Equal(
            ("/credential/a~1b/name", $"'name' is longer than {TextLimits.Name} characters."),
            ("/credential/a~1b/x~0y/1/url", $"'url' is longer than {TextLimits.Url} characters."));
    }

    [Fact]
    public void ArrayItems_TakeTheirArraysMember()
    {
        string name = new('n', TextLimits.Name + 1);
        Check($$"""{"name": ["short", "{{name}}"]}""").Select(v => v.Path).Should().Equal("/credential/name/1");
        Check($$"""{"description": ["{{name}}"]}""").Should().BeEmpty();
    }

    [Fact]
    public void EscapesAndSupplementaryCharacters_CountAsDecodedUtf16()
    {
        // 256 characters written as 6-byte escapes: 1,536 raw bytes, within the name limit once decoded.
        string escaped = string.Concat(Enumerable.Repeat("\\u00e9", TextLimits.Name));
        Check($$"""{"name": "{{escaped}}"}""").Should().BeEmpty();
        Check($$"""{"name": "{{escaped}}x"}""").Should().ContainSingle();

        // 129 emoji: 516 bytes of UTF-8, 258 UTF-16 code units, so over the 256 limit.
        Check($$"""{"name": "{{string.Concat(Enumerable.Repeat("😀", 128))}}"}""").Should().BeEmpty();
        Check($$"""{"name": "{{string.Concat(Enumerable.Repeat("😀", 129))}}"}""").Should().ContainSingle();
    }

    [Fact]
    public void AnEscapedMemberName_IsMatchedDecoded()
    {
        string name = new('n', TextLimits.Name + 1);
        Check($$"""{"n\u0061me": "{{name}}"}""").Select(v => (v.Path, v.Message)).Should().Equal(
            ("/credential/name", $"'name' is longer than {TextLimits.Name} characters."));
    }

    [Fact]
    public void DataUrisInUrlMembers_AreBoundedByTheRequestSizeInstead()
    {
        string data = "data:image/png;base64," + new string('A', TextLimits.Url);
        Check($$"""{"image": "{{data}}"}""").Should().BeEmpty();
        Check($$"""{"description": "{{data}}{{new string('A', TextLimits.Text)}}"}""").Should().ContainSingle();
    }
}
