using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Reads a request body into memory without ever holding more than a stated number of bytes.</summary>
internal static class RequestBody
{
    /// <summary>Kestrel's limit for endpoints that do not set their own.</summary>
    public const long DefaultMaxBytes = 1024 * 1024;

    /// <summary>
    /// The body, or null when it exceeds <paramref name="maxBytes"/>. Declared lengths are refused before reading;
    /// chunked bodies are counted as they arrive.
    /// </summary>
    public static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength is long declared && declared > maxBytes)
        {
            return null;
        }

        // Let the server enforce the same bound (raising Kestrel's default for large endpoints).
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, maxBytes) + 1);
        try
        {
            while (true)
            {
                Memory<byte> destination = buffer.GetMemory(4096);
                int read = await request.Body.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }
}
