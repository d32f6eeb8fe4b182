// A generated PNG badge image for achievements without a PNG of their own: the BadgeSvgRenderer
// design (accent disc, dashed white ring, white face with accent ring, star, rule, type, name, issuer)
// drawn into a 400x400 RGBA buffer with no image library, bakeable by PngBaking.
//
// Drawing: circles are anti-aliased by coverage = clamp(edge distance + 0.5, 0, 1) at each pixel
// centre, composited front to back in premultiplied doubles; the star is 4x4 supersampled; the rule and
// text are pixel-aligned and opaque. Only IEEE +, -, *, /, sqrt are used (arctangent is a polynomial,
// not the C runtime's atan2), so the pixels are the same on every platform.
//
// Text: a built-in 5x7 bitmap font (9 rows with descenders, drawn for this file) covering printable
// ASCII plus an ellipsis. Each grapheme cluster becomes one glyph: its first character if the font has
// it (so combining marks are dropped), a Latin-1 letter without its accent (é -> e, ß -> ss),
// typographic quotes and dashes as their ASCII forms, anything else (emoji, CJK, other scripts) as '?'.
// Wrapping and truncation reuse BadgeSvgRenderer's (cluster-safe) helpers on that glyph string.
//
// Encoding: PNG signature, IHDR (8-bit RGBA, colour type 6, no interlace), sRGB, one IDAT (filter type
// None on every row, zlib via ZLibStream), IEND; CRCs by Crc32. The zlib bytes depend on the runtime's
// zlib, so identical output is guaranteed for a given .NET runtime, and identical pixels everywhere.
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using BadgeIssuer.Core.Internal;

namespace BadgeIssuer.Core.Baking;

/// <summary>
/// Draws the <see cref="BadgeSvgRenderer"/> badge as a 400×400 RGBA PNG, for achievements without an image
/// of their own; bake it with <see cref="BakedBadge.Bake(ReadOnlySpan{byte}, string, BadgeImageFormat?, ExistingCredentialHandling)"/>.
/// </summary>
/// <remarks>
/// Text is drawn with a built-in bitmap font that covers printable ASCII only. Latin-1 letters lose their
/// accents (<c>é</c> becomes <c>e</c>, <c>ß</c> becomes <c>ss</c>), combining marks are dropped,
/// typographic quotes and dashes become their ASCII forms, and every other character or grapheme cluster
/// (emoji, CJK, Cyrillic, Arabic, …) is drawn as one <c>?</c>. Use the SVG renderer where names must
/// appear exactly. The same input gives the same pixels on every platform and the same bytes on a given
/// .NET runtime (compression comes from the runtime's zlib).
/// </remarks>
public static class BadgePngRenderer
{
    /// <summary>Width and height of the image, in pixels.</summary>
    public const int Size = 400;

    /// <summary>Most lines the achievement name is wrapped onto.</summary>
    public const int MaxNameLines = 3;

    private const int Center = Size / 2;
    private const int Stride = 1 + (Size * 4); // a PNG scanline: filter type byte, then RGBA pixels

    // Font cell: 5 columns, 7 rows above the baseline and 2 below; one column between glyphs,
    // one row between lines.
    private const int GlyphColumns = 5;
    private const int GlyphRows = 9;
    private const int CapRows = 7;
    private const int AdvanceColumns = GlyphColumns + 1;
    private const int LineRows = GlyphRows + 1;
    private const int EllipsisGlyph = 95;
    private const char Placeholder = '?';
    private const int MaxGlyphs = 256;

    // U+00C0..U+00FF without diacritics; '_' marks the multi-letter folds (Æ, Þ, ß, æ, þ) ToGlyphs handles first.
    private const string Latin1Letters = "AAAAAA_CEEEEIIIIDNOOOOOxOUUUUY__aaaaaa_ceeeeiiiidnooooo/ouuuuy_y";

    // A name of up to two lines of 12 glyphs (no word broken) is drawn at 4x, otherwise up to three
    // lines of 16 glyphs at 3x; issuer and type take 20 glyphs at 2x. All fit inside the accent ring.
    private const int LargeScale = 4;
    private const int LargeBudget = 12;
    private const int LargeMaxLines = 2;
    private const int SmallScale = 3;
    private const int SmallBudget = 16;
    private const int LabelScale = 2;
    private const int LabelBudget = 20;
    private const int NameMiddle = 200;
    private const int TypeBaseline = 126;
    private const int IssuerBaseline = 300;

    // zlib level 2: a whole render measured about 29 KB in 2.2 ms; the default level 6 gave 24 KB in
    // 3.6 ms, level 9 about 23 KB but over 30 ms.
    private const int ZlibLevel = 2;

    private const uint TypeSrgb = 0x73524742; // "sRGB"
    private const uint TypeIdat = 0x49444154; // "IDAT"

    private static readonly Rgb White = new(0xFF, 0xFF, 0xFF);
    private static readonly Rgb NameColor = new(0x11, 0x18, 0x27);
    private static readonly Rgb IssuerColor = new(0x37, 0x41, 0x51);
    private static readonly Rgb TypeColor = new(0x4B, 0x55, 0x63);

    // The SVG's star polygon.
    private static readonly (double X, double Y)[] Star =
    [
        (200, 62), (204.41, 73.93), (217.12, 74.44), (207.13, 82.32), (210.58, 94.56),
        (200, 87.5), (189.42, 94.56), (192.87, 82.32), (182.88, 74.44), (195.59, 73.93),
    ];

    /// <summary>Renders <paramref name="content"/> as PNG bytes (400×400, 8-bit RGBA, transparent outside the disc).</summary>
    /// <exception cref="ArgumentException">A name is null, empty or whitespace, or <see cref="BadgeSvgContent.AccentColor"/> is not <c>#rrggbb</c>.</exception>
    public static byte[] Render(BadgeSvgContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrWhiteSpace(content.AchievementName);
        ArgumentException.ThrowIfNullOrWhiteSpace(content.IssuerName);
        string cleanName = BadgeSvgRenderer.Clean(content.AchievementName);
        string cleanIssuer = BadgeSvgRenderer.Clean(content.IssuerName);
        if (cleanName.Length == 0 || cleanIssuer.Length == 0)
        {
            throw new ArgumentException("The achievement and issuer names must contain visible characters.", nameof(content));
        }

        Rgb accent = Rgb.Parse(content.AccentColor is null ? BadgeSvgRenderer.DefaultAccent(cleanName) : BadgeSvgRenderer.ParseColor(content.AccentColor));
        string name = ToGlyphs(cleanName);
        string issuer = BadgeSvgRenderer.Truncate(ToGlyphs(cleanIssuer), LabelBudget);
        string type = BadgeSvgRenderer.Truncate(ToGlyphs(BadgeSvgRenderer.Clean(content.AchievementType ?? string.Empty)).ToUpperInvariant(), LabelBudget);

        byte[] pixels = new byte[Size * Stride]; // the PNG's unfiltered image data: every filter byte stays 0 (None)
        DrawRings(pixels, accent);
        DrawStar(pixels, accent);
        FillRect(pixels, 160, 265, 80, 2, accent);
        if (type.Length > 0)
        {
            DrawLine(pixels, type, TypeBaseline - (CapRows * LabelScale), LabelScale, TypeColor);
        }

        (List<string> lines, int scale) = LayoutName(name);
        int top = NameMiddle - (((CapRows * scale) + ((lines.Count - 1) * LineRows * scale)) / 2);
        for (int i = 0; i < lines.Count; i++)
        {
            DrawLine(pixels, lines[i], top + (i * LineRows * scale), scale, NameColor);
        }

        DrawLine(pixels, issuer, IssuerBaseline - (CapRows * LabelScale), LabelScale, IssuerColor);
        return Encode(pixels);
    }

    // Large when every word fits a large line and the name needs at most two; else small, three lines, ellipsis.
    internal static (List<string> Lines, int Scale) LayoutName(string glyphs)
    {
        if (glyphs.Split(' ').All(word => word.Length <= LargeBudget))
        {
            List<string> large = BadgeSvgRenderer.Wrap(glyphs, LargeBudget, LargeMaxLines + 1);
            if (large.Count <= LargeMaxLines)
            {
                return (large, LargeScale);
            }
        }

        return (BadgeSvgRenderer.Wrap(glyphs, SmallBudget, MaxNameLines), SmallScale);
    }

    // One font character (or a short ASCII fold) per grapheme cluster of already cleaned text. Stops
    // after MaxGlyphs: far more than any line shows, and the rest would only be cut off again.
    internal static string ToGlyphs(string text)
    {
        var result = new StringBuilder(Math.Min(text.Length, MaxGlyphs + 2));
        for (int i = 0; i < text.Length && result.Length <= MaxGlyphs;)
        {
            int length = StringInfo.GetNextTextElementLength(text.AsSpan(i));
            _ = Rune.DecodeFromUtf16(text.AsSpan(i, length), out Rune first, out _);
            i += length;
            int c = first.Value;
            switch (c)
            {
                case >= 0x20 and <= 0x7E:
                    result.Append((char)c);
                    break;
                case 0x2026:
                    result.Append('\u2026');
                    break;
                case 0x2018 or 0x2019 or 0x201A or 0x2032:
                    result.Append('\'');
                    break;
                case 0x201C or 0x201D or 0x201E or 0x2033:
                    result.Append('"');
                    break;
                case 0x2010 or 0x2011 or 0x2012 or 0x2013 or 0x2014 or 0x2212:
                    result.Append('-');
                    break;
                case 0xC6:
                    result.Append("AE");
                    break;
                case 0xE6:
                    result.Append("ae");
                    break;
                case 0xDE:
                    result.Append("Th");
                    break;
                case 0xFE:
                    result.Append("th");
                    break;
                case 0xDF:
                    result.Append("ss");
                    break;
                case >= 0xC0 and <= 0xFF:
                    result.Append(Latin1Letters[c - 0xC0]);
                    break;
                default:
                    result.Append(Placeholder);
                    break;
            }
        }

        return result.ToString();
    }

    private static void DrawRings(byte[] pixels, Rgb accent)
    {
        const double Disc = 192, Dashes = 183, Face = 172, Ring = 163;
        const double Inner = (Ring - 2) * (Ring - 2); // inside: plain white face
        const double Outer = (Disc + 1) * (Disc + 1); // outside: transparent
        for (int y = 0; y < Size; y++)
        {
            double dy = y + 0.5 - Center;
            double dy2 = dy * dy;

            // Pixels Center-1-k and Center+k (k <= plain) have their centres inside Inner: fill in one go.
            int plain = dy2 < Inner ? (int)Math.Floor(Math.Sqrt(Inner - dy2) - 0.5) : -1;
            if (plain >= 0)
            {
                pixels.AsSpan(Offset(Center - 1 - plain, y), ((2 * plain) + 2) * 4).Fill(0xFF);
            }

            for (int x = 0; x < Size; x++)
            {
                if (plain >= 0 && x == Center - 1 - plain)
                {
                    x = Center + plain;
                    continue;
                }

                double dx = x + 0.5 - Center;
                double d2 = (dx * dx) + dy2;
                if (d2 >= Outer)
                {
                    continue;
                }

                int index = Offset(x, y);
                double d = Math.Sqrt(d2);
                var p = default(Premultiplied);
                p.Over(accent, Coverage(Disc - d));
                double dash = Coverage(1 - Math.Abs(d - Dashes));
                if (dash > 0)
                {
                    p.Over(White, 0.7 * dash * DashCoverage(Dashes * Angle(dx, dy)));
                }

                p.Over(White, Coverage(Face - d));
                p.Over(accent, Coverage(1 - Math.Abs(d - Ring)));
                p.Store(pixels, index);
            }
        }
    }

    // Fraction of a pixel edge distance v inside a shape (v > 0 inside), one-pixel ramp.
    private static double Coverage(double v) => Math.Clamp(v + 0.5, 0, 1);

    // stroke-dasharray="3 5": dash on arc lengths [8k, 8k+3), pixel spans [s-0.5, s+0.5].
    private static double DashCoverage(double s)
    {
        double p = s % 8;
        return Overlap(p) + Overlap(p - 8);

        static double Overlap(double q) => Math.Clamp(Math.Min(q + 0.5, 3) - Math.Max(q - 0.5, 0), 0, 1);
    }

    // Angle of (dx, dy) in [0, 2π), clockwise on screen from +x as SVG draws a circle; dx, dy never both 0.
    private static double Angle(double dx, double dy)
    {
        double ax = Math.Abs(dx);
        double ay = Math.Abs(dy);
        double t = ax >= ay ? Atan01(ay / ax) : (Math.PI / 2) - Atan01(ax / ay);
        if (dx < 0)
        {
            t = Math.PI - t;
        }

        return dy < 0 ? (2 * Math.PI) - t : t;
    }

    // atan on [0, 1], Abramowitz & Stegun 4.4.49 (error below 2e-8 rad).
    private static double Atan01(double x)
    {
        double x2 = x * x;
        double p = 0.0028662257;
        p = (p * x2) - 0.0161657367;
        p = (p * x2) + 0.0429096138;
        p = (p * x2) - 0.0752896400;
        p = (p * x2) + 0.1065626393;
        p = (p * x2) - 0.1420889944;
        p = (p * x2) + 0.1999355085;
        p = (p * x2) - 0.3333314528;
        p = (p * x2) + 1;
        return x * p;
    }

    // 4x4 samples per pixel; each sample row is a scanline through the polygon, inside between
    // alternate edge crossings (even-odd).
    private static void DrawStar(byte[] pixels, Rgb accent)
    {
        const int N = 4, Left = 182, Top = 61, Width = 37, Height = 35;
        Span<int> hits = stackalloc int[Width];
        Span<double> crossings = stackalloc double[Star.Length];
        for (int y = Top; y < Top + Height; y++)
        {
            hits.Clear();
            for (int sy = 0; sy < N; sy++)
            {
                double sampleY = y + ((sy + 0.5) / N);
                int count = 0;
                for (int i = 0, j = Star.Length - 1; i < Star.Length; j = i++)
                {
                    (double xi, double yi) = Star[i];
                    (double xj, double yj) = Star[j];
                    if ((yi > sampleY) != (yj > sampleY))
                    {
                        crossings[count++] = xi + ((sampleY - yi) * (xj - xi) / (yj - yi));
                    }
                }

                for (int x = 0; x < Width; x++)
                {
                    for (int sx = 0; sx < N; sx++)
                    {
                        double sampleX = Left + x + ((sx + 0.5) / N);
                        int left = 0;
                        foreach (double crossing in crossings[..count])
                        {
                            left += crossing < sampleX ? 1 : 0;
                        }

                        hits[x] += left & 1;
                    }
                }
            }

            for (int x = 0; x < Width; x++)
            {
                if (hits[x] > 0)
                {
                    int index = Offset(Left + x, y);
                    var p = Premultiplied.Load(pixels, index);
                    p.Over(accent, hits[x] / (double)(N * N));
                    p.Store(pixels, index);
                }
            }
        }
    }

    // One line of font glyphs, centred horizontally, glyph tops at `top`.
    private static void DrawLine(byte[] pixels, string glyphs, int top, int scale, Rgb color)
    {
        ReadOnlySpan<byte> font = Font;
        int left = Center - (((glyphs.Length * AdvanceColumns) - 1) * scale / 2);
        foreach (char c in glyphs)
        {
            int glyph = c switch
            {
                >= ' ' and <= '~' => c - ' ',
                '\u2026' => EllipsisGlyph,
                _ => Placeholder - ' ',
            };
            ReadOnlySpan<byte> rows = font.Slice(glyph * GlyphRows, GlyphRows);
            for (int row = 0; row < GlyphRows; row++)
            {
                for (int column = 0; column < GlyphColumns; column++)
                {
                    if ((rows[row] & (0x10 >> column)) != 0)
                    {
                        FillRect(pixels, left + (column * scale), top + (row * scale), scale, scale, color);
                    }
                }
            }

            left += AdvanceColumns * scale;
        }
    }

    // Opaque, clipped to the image.
    private static void FillRect(byte[] pixels, int x, int y, int width, int height, Rgb color)
    {
        int x0 = Math.Max(x, 0);
        int x1 = Math.Min(x + width, Size);
        for (int row = Math.Max(y, 0); row < Math.Min(y + height, Size); row++)
        {
            for (int column = x0; column < x1; column++)
            {
                int index = Offset(column, row);
                pixels[index] = color.R;
                pixels[index + 1] = color.G;
                pixels[index + 2] = color.B;
                pixels[index + 3] = 0xFF;
            }
        }
    }

    private static int Offset(int x, int y) => (y * Stride) + 1 + (x * 4);

    // Filter type None on every row: the flat colours repeat every 4 bytes and every row, which
    // deflate finds by itself; Up, Sub and Paeth all compressed worse on these images.
    private static byte[] Encode(byte[] pixels)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, new ZLibCompressionOptions { CompressionLevel = ZlibLevel }, leaveOpen: true))
        {
            zlib.Write(pixels);
        }

        byte[] header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, Size);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), Size);
        header[8] = 8; // bit depth
        header[9] = 6; // colour type: RGBA
        // compression 0 (zlib), filter method 0, interlace 0

        using var png = new MemoryStream((int)compressed.Length + 64);
        png.Write(PngBaking.Signature);
        WriteChunk(png, PngBaking.TypeIhdr, header);
        WriteChunk(png, TypeSrgb, [0]); // rendering intent: perceptual
        WriteChunk(png, TypeIdat, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, PngBaking.TypeIend, []);
        return png.ToArray();
    }


    private static void WriteChunk(MemoryStream png, uint type, ReadOnlySpan<byte> data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(field, (uint)data.Length);
        png.Write(field);
        BinaryPrimitives.WriteUInt32BigEndian(field, type);
        png.Write(field);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(field, Crc32.Compute(field, data));
        png.Write(field);
    }

    private readonly record struct Rgb(byte R, byte G, byte B)
    {
        // `hex` is #rrggbb, already validated.
        public static Rgb Parse(string hex) => new(Hex(hex, 1), Hex(hex, 3), Hex(hex, 5));

        private static byte Hex(string hex, int start) =>
            byte.Parse(hex.AsSpan(start, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    // A pixel being composited, premultiplied by alpha, channels in 0..1.
    private struct Premultiplied
    {
        private double _r;
        private double _g;
        private double _b;
        private double _a;

        public static Premultiplied Load(byte[] pixels, int index)
        {
            double a = pixels[index + 3] / 255.0;
            return new Premultiplied
            {
                _r = pixels[index] / 255.0 * a,
                _g = pixels[index + 1] / 255.0 * a,
                _b = pixels[index + 2] / 255.0 * a,
                _a = a,
            };
        }

        // Source-over with the colour at opacity `alpha`.
        public void Over(Rgb color, double alpha)
        {
            double keep = 1 - alpha;
            _r = (color.R / 255.0 * alpha) + (_r * keep);
            _g = (color.G / 255.0 * alpha) + (_g * keep);
            _b = (color.B / 255.0 * alpha) + (_b * keep);
            _a = alpha + (_a * keep);
        }

        // Straight alpha; fully transparent pixels stay 0,0,0,0.
        public readonly void Store(byte[] pixels, int index)
        {
            byte a = ToByte(_a);
            if (a == 0)
            {
                pixels.AsSpan(index, 4).Clear();
                return;
            }

            pixels[index] = ToByte(_r / _a);
            pixels[index + 1] = ToByte(_g / _a);
            pixels[index + 2] = ToByte(_b / _a);
            pixels[index + 3] = a;
        }

        private static byte ToByte(double unit) => (byte)(int)((Math.Clamp(unit, 0, 1) * 255) + 0.5);
    }

    // 5x9 glyphs for ' '..'~' then U+2026, one byte per row (bit 4 = leftmost column); rows 0-6 sit
    // on the baseline, rows 7-8 hold descenders. Drawn for this project; no third-party font data.
    private static ReadOnlySpan<byte> Font =>
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // ' '
        0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00, 0x00, // '!'
        0x0A, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // '"'
        0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A, 0x00, 0x00, // '#'
        0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04, 0x00, 0x00, // '$'
        0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00, 0x00, // '%'
        0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D, 0x00, 0x00, // '&'
        0x04, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // "'"
        0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00, 0x00, // '('
        0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00, 0x00, // ')'
        0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00, 0x00, 0x00, // '*'
        0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00, 0x00, 0x00, // '+'
        0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C, 0x04, 0x08, // ','
        0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x00, // '-'
        0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C, 0x00, 0x00, // '.'
        0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00, 0x00, 0x00, // '/'
        0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E, 0x00, 0x00, // '0'
        0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00, // '1'
        0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F, 0x00, 0x00, // '2'
        0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E, 0x00, 0x00, // '3'
        0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02, 0x00, 0x00, // '4'
        0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E, 0x00, 0x00, // '5'
        0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E, 0x00, 0x00, // '6'
        0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00, 0x00, // '7'
        0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E, 0x00, 0x00, // '8'
        0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C, 0x00, 0x00, // '9'
        0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00, 0x00, 0x00, // ':'
        0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x04, 0x08, 0x00, // ';'
        0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02, 0x00, 0x00, // '<'
        0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00, 0x00, 0x00, // '='
        0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08, 0x00, 0x00, // '>'
        0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00, 0x00, // '?'
        0x0E, 0x11, 0x01, 0x0D, 0x15, 0x15, 0x0E, 0x00, 0x00, // '@'
        0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, 0x00, 0x00, // 'A'
        0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E, 0x00, 0x00, // 'B'
        0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E, 0x00, 0x00, // 'C'
        0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C, 0x00, 0x00, // 'D'
        0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F, 0x00, 0x00, // 'E'
        0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10, 0x00, 0x00, // 'F'
        0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F, 0x00, 0x00, // 'G'
        0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, 0x00, 0x00, // 'H'
        0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00, // 'I'
        0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C, 0x00, 0x00, // 'J'
        0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00, 0x00, // 'K'
        0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F, 0x00, 0x00, // 'L'
        0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00, 0x00, // 'M'
        0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00, 0x00, // 'N'
        0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E, 0x00, 0x00, // 'O'
        0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10, 0x00, 0x00, // 'P'
        0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D, 0x00, 0x00, // 'Q'
        0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11, 0x00, 0x00, // 'R'
        0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E, 0x00, 0x00, // 'S'
        0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00, // 'T'
        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E, 0x00, 0x00, // 'U'
        0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04, 0x00, 0x00, // 'V'
        0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A, 0x00, 0x00, // 'W'
        0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11, 0x00, 0x00, // 'X'
        0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00, // 'Y'
        0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F, 0x00, 0x00, // 'Z'
        0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E, 0x00, 0x00, // '['
        0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00, 0x00, 0x00, // '\'
        0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E, 0x00, 0x00, // ']'
        0x04, 0x0A, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // '^'
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F, 0x00, // '_'
        0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // '`'
        0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F, 0x00, 0x00, // 'a'
        0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E, 0x00, 0x00, // 'b'
        0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E, 0x00, 0x00, // 'c'
        0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F, 0x00, 0x00, // 'd'
        0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E, 0x00, 0x00, // 'e'
        0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08, 0x00, 0x00, // 'f'
        0x00, 0x00, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E, // 'g'
        0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00, // 'h'
        0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00, // 'i'
        0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C, // 'j'
        0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00, 0x00, // 'k'
        0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E, 0x00, 0x00, // 'l'
        0x00, 0x00, 0x1A, 0x15, 0x15, 0x15, 0x15, 0x00, 0x00, // 'm'
        0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00, // 'n'
        0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E, 0x00, 0x00, // 'o'
        0x00, 0x00, 0x1E, 0x11, 0x11, 0x11, 0x1E, 0x10, 0x10, // 'p'
        0x00, 0x00, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x01, // 'q'
        0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00, 0x00, // 'r'
        0x00, 0x00, 0x0F, 0x10, 0x0E, 0x01, 0x1E, 0x00, 0x00, // 's'
        0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06, 0x00, 0x00, // 't'
        0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D, 0x00, 0x00, // 'u'
        0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04, 0x00, 0x00, // 'v'
        0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A, 0x00, 0x00, // 'w'
        0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x00, 0x00, // 'x'
        0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E, // 'y'
        0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F, 0x00, 0x00, // 'z'
        0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02, 0x00, 0x00, // '{'
        0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, // '|'
        0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08, 0x00, 0x00, // '}'
        0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00, 0x00, // '~'
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, // U+2026 …
    ];
}
