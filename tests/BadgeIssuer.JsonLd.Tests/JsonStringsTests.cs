using System.Text;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Tests;

/// <summary><see cref="JsonStrings.AreReadable"/>: every string and member name decodes, checked without decoding plain ones.</summary>
public sealed class JsonStringsTests
{
    private static bool Readable(byte[] json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return JsonStrings.AreReadable(document.RootElement);
    }

    [Theory]
    [InlineData("""{"a": "plain", "b": ["é", "😀", 1, true, null, {"c": "d"}]}""")]
    [InlineData("""{"a\u00e9": "\u00e9\n\"\\\/", "b": "\ud83d\ude00"}""")]
    public void DecodableStrings_AreReadable(string json) => Readable(Encoding.UTF8.GetBytes(json)).Should().BeTrue();

    [Theory]
    [InlineData("""{"a": "x\ud800"}""")]
    [InlineData("""{"a": ["ok", {"b": "\udc00y"}]}""")]
    [InlineData("""{"x\ud800": 1}""")]
    [InlineData("""{"a": {"\ude00": "ok"}}""")]
    public void AnUnpairedSurrogateEscape_IsNotReadable(string json) => Readable(Encoding.UTF8.GetBytes(json)).Should().BeFalse();

    [Fact]
    public void InvalidUtf8_ThatTheParserLetsThrough_IsNotReadable()
    {
        // JsonDocument.Parse does not validate the UTF-8 of string contents; reading such a string later would throw.
        Readable([.. "{\"a\": \""u8, 0xC3, 0x28, .. "\"}"u8]).Should().BeFalse();
        Readable([.. "{\"a\": [\"ok\", \"x"u8, 0xFF, .. "\"]}"u8]).Should().BeFalse();
        Readable([.. "{\""u8, 0xC3, .. "\": 1}"u8]).Should().BeFalse();
    }
}
