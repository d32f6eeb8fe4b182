using System.ComponentModel;
using System.Globalization;
using System.Text;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Features.Credentials;

/// <summary>A composite credential's pathway status: what it was awarded for, and which of those parts still count.</summary>
public sealed record CredentialPathway(
    string CredentialId,
    [property: Description("The pathway achievement the credential was awarded for.")] string AchievementId,
    [property: Description("The pathway's rule when the credential was awarded: allOf or nOf.")] string Rule,
    [property: Description("How many parts the pathway required when the credential was awarded.")] int RequiredParts,
    [property: Description("How many of the parts below are valid now.")] int ValidParts,
    [property: Description("Whether the valid parts still meet the rule. The credential itself is not changed either way.")] bool Satisfied,
    IReadOnlyList<CredentialPathwayPart> Parts,
    [property: Description("The same in one sentence, naming the parts that are no longer valid.")] string Summary);

/// <summary>One part credential a composite counted, with its state now.</summary>
public sealed record CredentialPathwayPart(
    string CredentialId,
    string AchievementId,
    [property: Description("valid, revoked, suspended or expired (past its own validUntil).")] string State,
    DateTimeOffset? ValidUntil = null);

/// <summary>
/// <c>GET /credentials/{id}/pathway</c>: for a credential awarded automatically for a pathway (a composite), the part
/// credentials it counted (also its OB <c>evidence</c>) and whether each is still valid. Public by unguessable id, like the
/// credential: the parts' ids are in its evidence, and their states in public status lists. Revoking a part never changes
/// the composite; this is where that shows.
/// </summary>
internal static class CredentialPathwayApi
{
    public static IEndpointRouteBuilder MapCredentialPathway(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/credentials/{id}/pathway", Get)
            .WithTags("Credentials")
            .WithName("GetCredentialPathway")
            .WithSummary("Which parts of a composite credential are still valid (public)")
            .WithDescription("For a credential awarded for a pathway: the rule it was awarded under, each part credential it counted with its state now (valid, revoked, suspended, expired), and a summary sentence. 404 for a credential that is not a composite.")
            .ProducesProblems(ProblemStatus.NotFound);
        return routes;
    }

    internal static async Task<Results<Ok<CredentialPathway>, ProblemHttpResult>> Get(
        string id, IBadgeStorage storage, PublicUrls urls, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (id.Length is 0 or > 128)
        {
            return ApiProblems.CredentialNotFound.Result("No such credential.");
        }

        string credentialId = urls.Credential(id);
        PathwayAwardRecord? award = await storage.Credentials.GetPathwayAwardAsync(credentialId, cancellationToken);
        if (award is null)
        {
            return await storage.Credentials.GetAsync(credentialId, cancellationToken) is null
                ? ApiProblems.CredentialNotFound.Result("No such credential.")
                : ApiProblems.NotFound.Result("This credential was not awarded for a pathway.");
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        var parts = award.Parts.Select(p => new CredentialPathwayPart(p.CredentialId, p.AchievementId, State(p, now), p.ValidUntil)).ToList();
        int valid = parts.Count(p => p.State == "valid");
        return TypedResults.Ok(new CredentialPathway(
            award.CredentialId, award.AchievementId, award.Rule, award.Required, valid, valid >= award.Required, parts, Summary(award, parts, valid)));
    }

    private static string State(PathwayAwardPart part, DateTimeOffset now) => part.Status switch
    {
        CredentialListStatus.Revoked => "revoked",
        CredentialListStatus.Suspended => "suspended",
        _ => part.IsValidAt(now) ? "valid" : "expired",
    };

    private static string Summary(PathwayAwardRecord award, List<CredentialPathwayPart> parts, int valid)
    {
        if (valid == parts.Count)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"All {parts.Count} part credential{(parts.Count == 1 ? string.Empty : "s")} this credential was awarded for {(parts.Count == 1 ? "is" : "are")} still valid.");
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{valid} of the {parts.Count} part credentials this credential was awarded for {(valid == 1 ? "is" : "are")} still valid; ")
            .Append(CultureInfo.InvariantCulture, $"its pathway ({award.Rule}) required {award.Required}, so the parts {(valid >= award.Required ? "still" : "no longer")} meet it. No longer valid: ")
            .AppendJoin("; ", parts.Where(p => p.State != "valid").Select(p => $"{p.CredentialId} ({p.AchievementId}) is {p.State}"))
            .Append(". The credential itself is unchanged: it is revoked or suspended only when its issuer does so.");
        return text.ToString();
    }
}
