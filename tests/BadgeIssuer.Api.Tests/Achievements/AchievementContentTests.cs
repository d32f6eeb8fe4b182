using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Api.Features.Achievements;
using BadgeIssuer.Api.Tests.Issue;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Api.Tests.Achievements;

/// <summary>
/// What an issuer may write into achievements, profiles and awards: PNG images decoded with bounded work, SVG images by
/// a static allow-list, text fields within their documented lengths; each refusal a 400 problem naming the field.
/// </summary>
public sealed class AchievementContentTests
{
    private const string SvgNs = "xmlns=\"http://www.w3.org/2000/svg\"";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response, string code)
    {
        string text = await response.Content.ReadAsStringAsync(Ct);
        (response.StatusCode == HttpStatusCode.BadRequest).Should().BeTrue($"{response.StatusCode}: {text}");
        JsonNode problem = JsonNode.Parse(text)!;
        ((string)problem["type"]!).Should().Be("urn:badgeissuer:problem:" + code);
        return problem;
    }

    private static object Achievement(string? image = null, string name = "Typed", string description = "d", string narrative = "n") =>
        image is null
            ? new { name, description, criteria = new { narrative } }
            : new { name, description, criteria = new { narrative }, image };

    private static string PngUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);

    private static string SvgUri(string svg) => "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg));

    // ---- Finding 1: PNG images are decoded with bounded work.

    [Fact]
    public async Task PngImage_IdatInflatingFarPastItsHeader_Is400InvalidImage_OnCreateAndUpdate()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        // A 1x1 image (2 bytes of scanline data) whose IDAT inflates to 64 MiB: about 64 KiB compressed.
        byte[] bomb = Png(1, 1, 8, 0, Zlib(new byte[64 * 1024 * 1024]));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        JsonNode problem = await ProblemAsync(await client.PostAsJsonAsync("/achievements", Achievement(PngUri(bomb)), Ct), "invalid-image");
        ((string)problem["errors"]![0]!["path"]!).Should().Be("/image");
        ((string)problem["errors"]![0]!["message"]!).Should().Contain("InvalidImageData");
        (watch.Elapsed < TimeSpan.FromSeconds(5)).Should().BeTrue(watch.Elapsed.ToString());

        string id = await IssuingApiTests.CreateAchievementAsync(client);
        string local = id[(id.LastIndexOf('/') + 1)..];
        await ProblemAsync(await client.PutAsJsonAsync("/achievements/" + local, Achievement(PngUri(bomb)), Ct), "invalid-image");
        (await client.GetAsync(id + "/image", Ct)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(5000, 1, "ImageDimensionsTooLarge")]
    [InlineData(1, 4097, "ImageDimensionsTooLarge")]
    public async Task PngImage_OverTheDimensionLimit_Is400InvalidImage(int width, int height, string reason)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        byte[] png = Png(width, height, 8, 0, Zlib(new byte[height * (1 + width)]));
        JsonNode problem = await ProblemAsync(await client.PostAsJsonAsync("/achievements", Achievement(PngUri(png)), Ct), "invalid-image");
        ((string)problem["errors"]![0]!["message"]!).Should().Contain(reason);
    }

    [Fact]
    public async Task PngImage_ManyCompressedTextChunks_ShareOneBudget()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        byte[] text = Zlib(Enumerable.Repeat((byte)'A', 1024 * 1024).ToArray());
        byte[] chunk = [.. "Comment"u8, 0, 1, 0, 0, 0, .. text];
        byte[] png = Png(1, 1, 8, 0, Zlib([0, 0]), ("iTXt", chunk), ("iTXt", chunk), ("iTXt", chunk));
        JsonNode problem = await ProblemAsync(await client.PostAsJsonAsync("/achievements", Achievement(PngUri(png)), Ct), "invalid-image");
        ((string)problem["errors"]![0]!["message"]!).Should().Contain("PayloadTooLarge");

        // One such chunk is within the budget.
        string id = await IssuingApiTests.CreateAchievementAsync(client, Achievement(PngUri(Png(1, 1, 8, 0, Zlib([0, 0]), ("iTXt", chunk)))));
        id.Should().StartWith("http");
    }

    // ---- Finding 2: SVG images pass a static allow-list.

    [Theory]
    [InlineData("<svg " + SvgNs + "><a href=\"data:text/html,x\"><rect width=\"9\" height=\"9\"/></a></svg>", "<a>")]
    [InlineData("<svg " + SvgNs + "><rect width=\"9\" height=\"9\"><set attributeName=\"onmouseover\" to=\"alert(1)\"/></rect></svg>", "<set>")]
    [InlineData("<svg " + SvgNs + "><use href=\"data:image/svg+xml;base64,PHN2Zy8+\"/></svg>", "href on <use>")]
    [InlineData("<svg " + SvgNs + " xmlns:xlink=\"http://www.w3.org/1999/xlink\"><use xlink:href=\"https://evil.example/s.svg#x\"/></svg>", "xlink:href on <use>")]
    [InlineData("<svg " + SvgNs + "><animate attributeName=\"x\"/></svg>", "<animate>")]
    [InlineData("<svg " + SvgNs + "><image href=\"#x\"/></svg>", "<image>")]
    [InlineData("<svg " + SvgNs + "><foreignObject/></svg>", "<foreignObject>")]
    [InlineData("<svg " + SvgNs + "><script>alert(1)</script></svg>", "<script>")]
    [InlineData("<svg " + SvgNs + " onload=\"alert(1)\"/>", "onload")]
    [InlineData("<svg " + SvgNs + "><rect width=\"9\" height=\"9\" style=\"fill:url(https://evil.example/p#g)\"/></svg>", "style on <rect>")]
    [InlineData("<svg " + SvgNs + "><rect width=\"9\" height=\"9\" fill=\"url('data:image/png;base64,AA')\"/></svg>", "fill on <rect>")]
    [InlineData("<svg " + SvgNs + "><rect width=\"9\" height=\"9\" style=\"fill:u\\72l(https://evil.example/p#g)\"/></svg>", "style on <rect>")]
    [InlineData("<svg " + SvgNs + "><style>@imp<!-- split -->ort \"https://evil.example/x.css\";</style></svg>", "<style>")]
    [InlineData("<svg " + SvgNs + "><style>rect { fill: url(https://evil.example/p#g) }</style></svg>", "<style>")]
    [InlineData("<?xml-stylesheet href=\"https://evil.example/x.css\"?><svg " + SvgNs + "/>", "xml-stylesheet")]
    [InlineData("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\"><svg " + SvgNs + "/>", "DOCTYPE")]
    [InlineData("<svg " + SvgNs + " xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:iframe/></svg>", "<h:iframe>")]
    [InlineData("<svg " + SvgNs + " xml:base=\"https://evil.example/\"/>", "xml:base")]
    public async Task SvgImage_OutsideTheStaticAllowList_Is400InvalidImageNamingIt(string svg, string named)
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        JsonNode problem = await ProblemAsync(await client.PostAsJsonAsync("/achievements", Achievement(SvgUri(svg)), Ct), "invalid-image");
        ((string)problem["errors"]![0]!["message"]!).Should().Contain(named);
    }

    [Fact]
    public async Task SvgImage_StaticDesign_IsStoredAndBakedIntoVerifiableDownloads()
    {
        const string Svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100" width="100" height="100" role="img" aria-label="Badge">
              <title>Badge</title><desc>A static badge</desc>
              <style type="text/css">.ring { stroke: #123456; stroke-width: 3 } .face { fill: url(#g) }</style>
              <defs>
                <linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#abc"/></linearGradient>
                <clipPath id="c"><circle cx="50" cy="50" r="45"/></clipPath>
                <filter id="f"><feGaussianBlur in="SourceAlpha" stdDeviation="2"/><feOffset dx="1" dy="1" result="o"/><feMerge><feMergeNode in="o"/><feMergeNode in="SourceGraphic"/></feMerge></filter>
                <path id="star" d="M50 20 L58 42 L80 42 L62 56 L70 78 L50 64 L30 78 L38 56 L20 42 L42 42 Z"/>
              </defs>
              <g clip-path="url(#c)" filter="url(#f)" data-name="Layer 1">
                <circle class="ring face" cx="50" cy="50" r="45" style="fill: url('#g'); opacity: 0.9"/>
                <use href="#star" fill="#f5c518"/><use xlink:href="#star" transform="scale(0.5) translate(50 50)"/>
                <text x="50" y="95" text-anchor="middle" font-family="'Open Sans', sans-serif" font-size="8">Welding &amp; more</text>
              </g>
            </svg>
            """;
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();
        string id = await IssuingApiTests.CreateAchievementAsync(client, Achievement(SvgUri(Svg)));
        (await client.GetByteArrayAsync(id + "/image", Ct)).Should().Equal(Encoding.UTF8.GetBytes(Svg));

        JsonNode award = await IssuingApiTests.AwardAsync(client, id);
        byte[] baked = await client.GetByteArrayAsync((string)award["links"]!["svg"]!, Ct);
        BakedBadge.TryUnbake(baked, out UnbakedBadge? unbaked, out _).Should().BeTrue("the download carries the credential");
        unbaked!.Format.Should().Be(BadgeImageFormat.Svg);

        // The baked download (openbadges:credential inside) is itself an image the allow-list accepts: it may be uploaded again.
        SvgAllowList.Problem(baked, 2 * 1024 * 1024).Should().BeNull();
        await IssuingApiTests.CreateAchievementAsync(client, Achievement("data:image/svg+xml;base64," + Convert.ToBase64String(baked)));
    }

    [Fact]
    public void SvgAllowList_AcceptsTheServicesOwnRenderedBadge()
    {
        byte[] svg = BadgeSvgRenderer.Render(new BadgeSvgContent("Intro to Welding", "BadgeIssuer College", "Certificate"));
        SvgAllowList.Problem(svg, 2 * 1024 * 1024).Should().BeNull();
        SvgAllowList.Problem(BakedBadge.Bake(svg, "{\"a\":1}", BadgeImageFormat.Svg), 2 * 1024 * 1024).Should().BeNull();
    }

    // ---- Finding 3: text fields have documented length limits.

    [Fact]
    public async Task Achievement_TextOverItsLimit_Is400FieldTooLong_NamingTheField_AndAtTheLimitIsAccepted()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        JsonNode name = await ProblemAsync(await client.PostAsJsonAsync("/achievements", Achievement(name: new string('N', 257)), Ct), "field-too-long");
        ((string)name["errors"]![0]!["path"]!).Should().Be("/name");
        ((string)name["detail"]!).Should().Contain("/name");

        JsonNode narrative = await ProblemAsync(await client.PostAsJsonAsync("/achievements", Achievement(narrative: new string('n', 8193)), Ct), "field-too-long");
        ((string)narrative["errors"]![0]!["path"]!).Should().Be("/criteria/narrative");

        string id = await IssuingApiTests.CreateAchievementAsync(client, Achievement(name: new string('N', 256), description: new string('d', 8192), narrative: new string('n', 8192)));
        string local = id[(id.LastIndexOf('/') + 1)..];
        JsonNode description = await ProblemAsync(await client.PutAsJsonAsync("/achievements/" + local, Achievement(description: new string('d', 8193)), Ct), "field-too-long");
        ((string)description["errors"]![0]!["path"]!).Should().Be("/description");
    }

    [Fact]
    public async Task IssuerAwardAndIssue_TextOverItsLimit_Is400FieldTooLong()
    {
        using var app = new BadgeIssuerApplication();
        using HttpClient client = app.CreateAuthorizedClient();

        JsonNode issuer = await ProblemAsync(await client.PostAsJsonAsync("/issuers", new { name = new string('N', 257), slug = "long" }, Ct), "field-too-long");
        ((string)issuer["errors"]![0]!["path"]!).Should().Be("/name");
        JsonNode email = await ProblemAsync(await client.PutAsJsonAsync("/issuers/default", new { name = "Default", email = new string('e', 243) + "@example.org" }, Ct), "field-too-long");
        ((string)email["errors"]![0]!["path"]!).Should().Be("/email");

        string achievementId = await IssuingApiTests.CreateAchievementAsync(client);
        JsonNode evidence = await ProblemAsync(await client.PostAsJsonAsync("/awards", new
        {
            achievementId,
            recipient = new { email = "a@example.org" },
            evidence = new[] { new { type = new[] { "Evidence" }, narrative = new string('n', 8193) } },
        }, Ct), "field-too-long");
        ((string)evidence["errors"]![0]!["path"]!).Should().Be("/evidence/0/narrative");
        JsonNode recipient = await ProblemAsync(await client.PostAsJsonAsync("/awards", new { achievementId, recipient = new { email = new string('a', 243) + "@example.org" } }, Ct), "field-too-long");
        ((string)recipient["errors"]![0]!["path"]!).Should().Be("/recipient/email");

        JsonObject credential = new()
        {
            ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
            ["type"] = new JsonArray("VerifiableCredential", "OpenBadgeCredential"),
            ["issuer"] = new JsonObject { ["id"] = BadgeIssuerApplication.IssuerId, ["type"] = new JsonArray("Profile") },
            ["validFrom"] = "2026-01-01T00:00:00Z",
            ["name"] = "Teamwork",
            ["credentialSubject"] = new JsonObject
            {
                ["id"] = "did:example:learner",
                ["type"] = new JsonArray("AchievementSubject"),
                ["achievement"] = new JsonObject
                {
                    ["id"] = "https://example.org/achievements/teamwork",
                    ["type"] = new JsonArray("Achievement"),
                    ["name"] = "Teamwork",
                    ["description"] = new string('d', 8193),
                    ["criteria"] = new JsonObject { ["narrative"] = "n" },
                },
            },
        };
        JsonNode issue = await ProblemAsync(await client.PostAsJsonAsync("/credentials/issue", new { credential }, Ct), "field-too-long");
        ((string)issue["errors"]![0]!["path"]!).Should().Be("/credential/credentialSubject/achievement/description");
    }

    private static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    // Signature, IHDR, IDAT (the given zlib data), extra chunks, IEND; good CRCs.
    private static byte[] Png(int width, int height, byte depth, byte colourType, byte[] idat, params (string Type, byte[] Data)[] extra)
    {
        byte[] ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = depth;
        ihdr[9] = colourType;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> number = stackalloc byte[4];
        foreach ((string type, byte[] data) in new[] { ("IHDR", ihdr), ("IDAT", idat) }.Concat(extra).Append(("IEND", [])))
        {
            byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
            BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
            png.Write(number);
            png.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typeAndData));
            png.Write(number);
        }

        return png.ToArray();
    }

    // PNG's CRC-32 (reflected 0xEDB88320), bitwise.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFF;
    }
}
