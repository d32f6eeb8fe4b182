using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using BadgeIssuer.Core.Verification;
using Microsoft.AspNetCore.Http.Metadata;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>200 when the presentation and all its credentials verify, 422 with the same report otherwise (VC-API).</summary>
internal sealed class PresentationReportResult(PresentationVerificationReport report) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public PresentationVerificationReport Report { get; } = report;

    public int StatusCode => Report.Verified ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, s_writerOptions))
        {
            Report.WriteTo(writer);
        }

        await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(PresentationReportDocument), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status422UnprocessableEntity, typeof(PresentationReportDocument), ["application/json"]));
    }
}
