using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// A response whose JSON is already written (credentials carry signed bytes no serializer may re-shape).
/// <typeparamref name="TSchema"/> only tells OpenAPI the shape; <see cref="StatusCode"/> is the documented status.
/// </summary>
internal sealed class RawJsonResult<TSchema>(int statusCode, byte[] body, string contentType = "application/json") : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => statusCode;

    public byte[] Body => body;

    public string? Location { get; init; }

    public string? ETag { get; init; }

    public string? CacheControl { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        HttpResponse response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
        }

        if (CacheControl is not null)
        {
            response.Headers.CacheControl = CacheControl;
        }

        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // One metadata entry per documented status: handlers with several (200/201) use the two-status variant below.
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TSchema), ["application/json"]));
    }
}

/// <summary>As <see cref="RawJsonResult{TSchema}"/>, documented as 201 Created.</summary>
internal sealed class CreatedJsonResult<TSchema>(byte[] body, string location) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public int? StatusCode => StatusCodes.Status201Created;

    public byte[] Body => body;

    public Task ExecuteAsync(HttpContext httpContext) =>
        new RawJsonResult<TSchema>(StatusCodes.Status201Created, body) { Location = location }.ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(TSchema), ["application/json"]));
    }
}
