using System.Buffers;

namespace BadgeIssuer.Core;

/// <summary>
/// A per-thread scratch buffer for JSON that is written, then copied out as one array. <see cref="System.Text.Json.Utf8JsonWriter"/>
/// asks its buffer for at least 4 KB at its first write, so a fresh <see cref="ArrayBufferWriter{T}"/> per credential, proof
/// or response costs a 4 KB (or larger) array that becomes garbage at once; on the issue path that was about a tenth of what
/// a request allocates. <see cref="Rent"/> and <see cref="ToArrayAndReturn"/> are used in one synchronous stretch; a
/// nested <see cref="Rent"/> (the buffer is out) gets a new buffer, and a buffer that is not given back is simply collected.
/// </summary>
public static class JsonScratch
{
    // Larger buffers (a CLR of many credentials) are not kept: one thread should not pin megabytes.
    private const int KeepAtMost = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>This thread's scratch buffer, empty; or a new one while it is out.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        ArrayBufferWriter<byte>? buffer = t_buffer;
        if (buffer is null)
        {
            return new ArrayBufferWriter<byte>(8192);
        }

        t_buffer = null;
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Gives <paramref name="buffer"/> back to this thread without copying (its contents are no longer needed).</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Capacity <= KeepAtMost)
        {
            t_buffer = buffer;
        }
    }

    /// <summary>What was written to <paramref name="buffer"/>, as a new array; the buffer goes back to this thread.</summary>
    public static byte[] ToArrayAndReturn(ArrayBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        byte[] result = buffer.WrittenSpan.ToArray();
        Return(buffer);
        return result;
    }
}
