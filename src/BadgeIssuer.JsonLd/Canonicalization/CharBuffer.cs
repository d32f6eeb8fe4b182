using System.Buffers;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>A growable char buffer backed by <see cref="ArrayPool{T}"/>; return it with <see cref="Dispose"/>.</summary>
internal sealed class CharBuffer : IDisposable
{
    private char[] _chars;

    public CharBuffer(int capacity)
    {
        _chars = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 16));
    }

    public int Length { get; private set; }

    public char[] RawChars => _chars;

    public ReadOnlySpan<char> AsSpan() => _chars.AsSpan(0, Length);

    public ReadOnlySpan<char> AsSpan(int start, int length) => _chars.AsSpan(start, length);

    public void Clear() => Length = 0;

    public void Truncate(int length) => Length = length;

    public void Append(char c)
    {
        if (Length == _chars.Length)
        {
            Grow(1);
        }

        _chars[Length++] = c;
    }

    public void Append(string s) => Append(s.AsSpan());

    public void Append(ReadOnlySpan<char> s)
    {
        if (Length + s.Length > _chars.Length)
        {
            Grow(s.Length);
        }

        s.CopyTo(_chars.AsSpan(Length));
        Length += s.Length;
    }

    public override string ToString() => new(_chars, 0, Length);

    public void Dispose()
    {
        char[] chars = _chars;
        _chars = [];
        Length = 0;
        if (chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private void Grow(int extra)
    {
        char[] bigger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, Length + extra));
        _chars.AsSpan(0, Length).CopyTo(bigger);
        if (_chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
        }

        _chars = bigger;
    }
}

/// <summary>Unicode code point order for UTF-16 text (equal to the byte order of the UTF-8 encodings).</summary>
internal static class CodePointOrder
{
    public static int Compare(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        int i = a.CommonPrefixLength(b);
        if (i == a.Length || i == b.Length)
        {
            return a.Length - b.Length;
        }

        int x = a[i];
        int y = b[i];
        if (x >= 0xD800 && y >= 0xD800)
        {
            // UTF-16 code unit order puts U+E000..U+FFFF after the surrogates (U+10000 and above): fix it up.
            x = FixUp(x);
            y = FixUp(y);
        }

        return x - y;
    }

    private static int FixUp(int c) => c >= 0xE000 ? c - 0x800 : c + 0x2000;
}
