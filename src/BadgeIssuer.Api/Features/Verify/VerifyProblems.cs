using BadgeIssuer.Api.Infrastructure;

namespace BadgeIssuer.Api.Features.Verify;

/// <summary>Problems specific to the verify endpoints (same <c>urn:badgeissuer:problem:</c> namespace as <see cref="ApiProblems"/>).</summary>
internal static class VerifyProblems
{
    /// <summary>A multipart upload with no file part, or with more than one.</summary>
    public static readonly ApiProblems.ApiProblem UploadFileCount = new("upload-file-count", StatusCodes.Status400BadRequest, "Upload exactly one badge file.");
}
