using System.Reflection;
using System.Text.Json;
using BadgeIssuer.Core.Verification;
using Microsoft.AspNetCore.Http.Metadata;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>200 when the presentation and all its credentials verify, 422 with the same report otherwise (VC-API).</summary>
internal sealed class PresentationReportResult(PresentationVerificationReport report) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public PresentationVerificationReport Report { get; } = report;

    public int StatusCode => Report.Verified ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => VerificationReportResult.WriteAsync(httpContext, StatusCode, Report.WriteTo);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(PresentationReportDocument), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status422UnprocessableEntity, typeof(PresentationReportDocument), ["application/json"]));
    }
}
