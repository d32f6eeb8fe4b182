using System.Globalization;
using System.Text;

namespace BadgeIssuer.LoadTest;

/// <summary>
/// A request body prepared once as UTF-8 pieces with holes: <c>{{N}}</c> takes the request's sequence number and
/// <c>{{UUID}}</c> a fresh random UUID. Rendering is a length sum and a few copies, so every request gets its own
/// recipient and id (no server-side caching effect) at the cost of one small array.
/// </summary>
public sealed class BodyTemplate
{
    public const string Sequence = "{{N}}";
    public const string Uuid = "{{UUID}}";

    private const int MaxNumberLength = 20;
    private const int UuidLength = 36;

    private readonly byte[][] _literals;
    private readonly Hole[] _holes;
    private readonly int _literalLength;

    private BodyTemplate(byte[][] literals, Hole[] holes)
    {
        _literals = literals;
        _holes = holes;
        _literalLength = literals.Sum(l => l.Length);
    }

    private enum Hole
    {
        Sequence,
        Uuid,
    }

    public static BodyTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<byte[]> literals = [];
        List<Hole> holes = [];
        int start = 0;
        while (true)
        {
            int seq = text.IndexOf(Sequence, start, StringComparison.Ordinal);
            int uuid = text.IndexOf(Uuid, start, StringComparison.Ordinal);
            int next = seq < 0 ? uuid : uuid < 0 ? seq : Math.Min(seq, uuid);
            if (next < 0)
            {
                literals.Add(Encoding.UTF8.GetBytes(text[start..]));
                return new BodyTemplate([.. literals], [.. holes]);
            }

            literals.Add(Encoding.UTF8.GetBytes(text[start..next]));
            bool isSeq = next == seq;
            holes.Add(isSeq ? Hole.Sequence : Hole.Uuid);
            start = next + (isSeq ? Sequence.Length : Uuid.Length);
        }
    }

    /// <summary>The body for request number <paramref name="sequence"/>.</summary>
    public byte[] Render(long sequence)
    {
        if (_holes.Length == 0)
        {
            return _literals[0];
        }

        Span<byte> number = stackalloc byte[MaxNumberLength];
        sequence.TryFormat(number, out int numberLength, default, CultureInfo.InvariantCulture);
        number = number[..numberLength];

        int length = _literalLength;
        foreach (Hole hole in _holes)
        {
            length += hole == Hole.Sequence ? numberLength : UuidLength;
        }

        byte[] body = new byte[length];
        Span<byte> rest = body;
        for (int i = 0; i < _literals.Length; i++)
        {
            _literals[i].CopyTo(rest);
            rest = rest[_literals[i].Length..];
            if (i < _holes.Length)
            {
                if (_holes[i] == Hole.Sequence)
                {
                    number.CopyTo(rest);
                    rest = rest[numberLength..];
                }
                else
                {
                    Guid.NewGuid().TryFormat(rest, out int written, "D");
                    rest = rest[written..];
                }
            }
        }

        return body;
    }
}
