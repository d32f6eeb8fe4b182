using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BadgeIssuer.Api.Features.Achievements;

/// <summary>
/// The <c>pathway</c> member of an achievement request: the achievements this one is composed of (stackable credentials).
/// Kept beside the achievement, never in its OB document.
/// </summary>
public sealed record PathwayRequest(
    [property: Description("allOf (every part) or nOf (at least n of the parts).")] string Rule,
    [property: Description("The achievement ids (URLs) of the parts: 1 to BadgeIssuer:Pathways:MaxParts achievements of the same issuer, each once.")] IReadOnlyList<string> Parts,
    [property: Description("nOf only: how many of the parts a learner must hold (1 to the number of parts).")] int? N = null,
    [property: Description("Award this achievement automatically once a learner holds enough valid parts (default false).")] bool? AutoAward = null);

/// <summary>An achievement's pathway as <c>GET /achievements/{id}/pathway</c> returns it.</summary>
public sealed record PathwayDocument(
    string AchievementId,
    [property: Description("allOf or nOf.")] string Rule,
    [property: Description("How many of the parts a learner must hold (for allOf, all of them).")] int N,
    [property: Description("The parts' achievement ids, in the declared order.")] IReadOnlyList<string> Parts,
    bool AutoAward);

/// <summary>A pathway declaration read from a request, before it is checked against what is stored.</summary>
internal sealed record PathwayDeclaration(string Rule, int Required, IReadOnlyList<string> Parts, bool AutoAward);

/// <summary>
/// Reads and checks the <c>pathway</c> member of achievement requests: shape (rule, n, parts, autoAward), then against
/// storage: every part exists and belongs to the same issuer, no achievement is a part of itself, no cycle, nesting at
/// most <see cref="PathwayOptions.MaxDepth"/> levels, at most <see cref="PathwayOptions.MaxParts"/> parts and at most
/// <see cref="PathwayOptions.MaxPartOf"/> pathways per part. Every problem is a violation with its JSON pointer.
/// </summary>
internal static class Pathways
{
    /// <summary>The most achievements one check walks, below and above the achievement together.</summary>
    public const int MaxWalk = 1000;

    /// <summary>The members of a <c>pathway</c> object.</summary>
    public static readonly RequestShape Shape = RequestShape.Object(("rule", null), ("n", null), ("parts", null), ("autoAward", null));

    /// <summary>
    /// The declaration in <paramref name="body"/>'s <c>pathway</c> member, or null when there is none (absent or null) or
    /// it is malformed (then with violations).
    /// </summary>
    public static PathwayDeclaration? Read(JsonElement body, PathwayOptions options, List<InputViolation> violations)
    {
        if (!body.TryGetProperty("pathway", out JsonElement pathway) || pathway.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (pathway.ValueKind != JsonValueKind.Object)
        {
            violations.Add(new("/pathway", "pathway must be an object {rule, parts, n?, autoAward?} (or null for none)."));
            return null;
        }

        int before = violations.Count;
        string? rule = null;
        if (!pathway.TryGetProperty("rule", out JsonElement r) || r.ValueKind == JsonValueKind.Null)
        {
            violations.Add(new("/pathway/rule", "required: allOf (every part) or nOf (at least n of them)."));
        }
        else if (r.ValueKind != JsonValueKind.String || r.GetString() is not (PathwayRules.AllOf or PathwayRules.NOf))
        {
            violations.Add(new("/pathway/rule", "rule must be allOf or nOf."));
        }
        else
        {
            rule = r.GetString();
        }

        List<string>? parts = ReadParts(pathway, options, violations);
        int? n = null;
        if (pathway.TryGetProperty("n", out JsonElement nValue) && nValue.ValueKind != JsonValueKind.Null)
        {
            if (nValue.ValueKind != JsonValueKind.Number || !nValue.TryGetInt32(out int parsed))
            {
                violations.Add(new("/pathway/n", "n must be a whole number."));
            }
            else if (rule == PathwayRules.AllOf)
            {
                violations.Add(new("/pathway/n", "n belongs to nOf; allOf requires every part (leave n out)."));
            }
            else
            {
                n = parsed;
            }
        }

        if (rule == PathwayRules.NOf && n is null && !violations.Any(v => v.Path == "/pathway/n"))
        {
            violations.Add(new("/pathway/n", "required for nOf: how many of the parts a learner must hold."));
        }

        if (rule == PathwayRules.NOf && n is { } required && parts is not null && (required < 1 || required > parts.Count))
        {
            violations.Add(new("/pathway/n", string.Create(CultureInfo.InvariantCulture,
                $"n must be between 1 and the number of parts ({parts.Count}); it is {required}.")));
        }

        bool autoAward = false;
        if (pathway.TryGetProperty("autoAward", out JsonElement auto) && auto.ValueKind != JsonValueKind.Null)
        {
            if (auto.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                violations.Add(new("/pathway/autoAward", "autoAward must be true or false."));
            }
            else
            {
                autoAward = auto.GetBoolean();
            }
        }

        return violations.Count > before || rule is null || parts is null
            ? null
            : new PathwayDeclaration(rule, rule == PathwayRules.AllOf ? parts.Count : n!.Value, parts, autoAward);
    }

    private static List<string>? ReadParts(JsonElement pathway, PathwayOptions options, List<InputViolation> violations)
    {
        if (!pathway.TryGetProperty("parts", out JsonElement parts) || parts.ValueKind == JsonValueKind.Null)
        {
            violations.Add(new("/pathway/parts", "required: the ids of the achievements this one is composed of."));
            return null;
        }

        if (parts.ValueKind != JsonValueKind.Array)
        {
            violations.Add(new("/pathway/parts", "parts must be an array of achievement ids."));
            return null;
        }

        int count = parts.GetArrayLength();
        if (count == 0 || count > options.MaxParts)
        {
            violations.Add(new("/pathway/parts", string.Create(CultureInfo.InvariantCulture,
                $"A pathway has 1 to {options.MaxParts} parts (BadgeIssuer:Pathways:MaxParts); this one has {count}.")));
            return null;
        }

        var ids = new List<string>(count);
        bool ok = true;
        int i = 0;
        foreach (JsonElement part in parts.EnumerateArray())
        {
            string path = "/pathway/parts/" + i.ToString(CultureInfo.InvariantCulture);
            i++;
            if (part.ValueKind != JsonValueKind.String)
            {
                violations.Add(new(path, "A part is an achievement id (a string)."));
                ok = false;
                continue;
            }

            string id = part.GetString()!;
            if (id.Length > TextLimits.Url)
            {
                violations.Add(TextLimits.TooLong(path, "parts", TextLimits.Url));
                ok = false;
            }
            else if (!RequestJson.IsAbsoluteUri(id))
            {
                violations.Add(new(path, "A part is an achievement id: the achievement's URL."));
                ok = false;
            }
            else if (ids.Contains(id, StringComparer.Ordinal))
            {
                violations.Add(new(path, "This part is named twice."));
                ok = false;
            }
            else
            {
                ids.Add(id);
            }
        }

        return ok ? ids : null;
    }

    /// <summary>
    /// Checks <paramref name="declaration"/> of the achievement <paramref name="achievementId"/> (issuer
    /// <paramref name="issuerId"/>) against <paramref name="graph"/>: the service passes the graph read inside the
    /// transaction that writes the pathway (<see cref="IAchievementStore.SaveWithPathwayAsync"/>), so no concurrent
    /// declaration can slip between check and write. <paramref name="isNew"/> when the achievement is being created
    /// (nothing can contain it yet). Adds a violation per problem.
    /// </summary>
    public static async Task CheckAsync(
        string achievementId, string issuerId, PathwayDeclaration declaration, bool isNew, IPathwayGraph graph, PathwayOptions options,
        List<InputViolation> violations, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> parts = declaration.Parts;
        for (int i = 0; i < parts.Count; i++)
        {
            string path = PartPath(i);
            if (string.Equals(parts[i], achievementId, StringComparison.Ordinal))
            {
                violations.Add(new(path, "An achievement cannot be a part of itself."));
                continue;
            }

            AchievementRecord? part = await graph.GetAsync(parts[i], cancellationToken);
            if (part is null)
            {
                violations.Add(new(path, $"No achievement '{parts[i]}'."));
            }
            else if (!string.Equals(part.IssuerId, issuerId, StringComparison.Ordinal))
            {
                violations.Add(new(path, $"'{parts[i]}' is another issuer's achievement: a pathway's parts are achievements of its own issuer."));
            }
        }

        if (violations.Count > 0)
        {
            return;
        }

        // How many pathways each part is already in (this one's own declaration does not count: it is being replaced).
        IReadOnlyList<PathwayRecord> containing = await graph.ListPathwaysContainingAsync(parts, cancellationToken);
        for (int i = 0; i < parts.Count; i++)
        {
            int partOf = containing.Count(p => !string.Equals(p.AchievementId, achievementId, StringComparison.Ordinal) && p.Parts.Contains(parts[i], StringComparer.Ordinal));
            if (partOf >= options.MaxPartOf)
            {
                violations.Add(new(PartPath(i), string.Create(CultureInfo.InvariantCulture,
                    $"'{parts[i]}' is already a part of {partOf} pathways, the most one achievement may be in (BadgeIssuer:Pathways:MaxPartOf = {options.MaxPartOf}).")));
            }
        }

        if (violations.Count == 0)
        {
            await CheckGraphAsync(achievementId, declaration, isNew, graph, options, violations, cancellationToken);
        }
    }

    // Down from the parts: a cycle comes back to this achievement; the levels below give its depth. Up from the
    // achievement (when it may already be a part): the levels above. Depth plus height is at most MaxDepth.
    private static async Task CheckGraphAsync(
        string achievementId, PathwayDeclaration declaration, bool isNew, IPathwayGraph graph, PathwayOptions options,
        List<InputViolation> violations, CancellationToken cancellationToken)
    {
        // Each achievement reached below, with the one it was reached from (for the cycle's description).
        var from = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in declaration.Parts)
        {
            from[part] = achievementId;
        }

        List<string> frontier = [.. declaration.Parts];
        int depth = 1;
        while (frontier.Count > 0)
        {
            IReadOnlyList<PathwayRecord> below = await graph.GetPathwaysAsync(frontier, cancellationToken);
            if (below.Count == 0)
            {
                break;
            }

            depth++;
            if (depth > options.MaxDepth)
            {
                violations.Add(new("/pathway/parts", string.Create(CultureInfo.InvariantCulture,
                    $"Pathways would nest more than {options.MaxDepth} levels deep here (BadgeIssuer:Pathways:MaxDepth).")));
                return;
            }

            var next = new List<string>();
            foreach (PathwayRecord composite in below)
            {
                foreach (string part in composite.Parts)
                {
                    if (string.Equals(part, achievementId, StringComparison.Ordinal))
                    {
                        violations.Add(new(PartPath(declaration.Parts, composite.AchievementId, from), "This part leads back to this achievement, a cycle: "
                            + Chain(composite.AchievementId, achievementId, from) + "."));
                        return;
                    }

                    if (from.TryAdd(part, composite.AchievementId))
                    {
                        next.Add(part);
                    }
                }
            }

            if (from.Count > MaxWalk)
            {
                violations.Add(new("/pathway/parts", $"The pathways below this one reach more than {MaxWalk} achievements."));
                return;
            }

            frontier = next;
        }

        if (isNew)
        {
            return;
        }

        var above = new HashSet<string>(StringComparer.Ordinal) { achievementId };
        frontier = [achievementId];
        int height = 0;
        while (frontier.Count > 0)
        {
            IReadOnlyList<PathwayRecord> containing = await graph.ListPathwaysContainingAsync(frontier, cancellationToken);
            List<string> next = [.. containing.Select(p => p.AchievementId).Where(above.Add)];
            if (next.Count == 0)
            {
                break;
            }

            height++;
            if (depth + height > options.MaxDepth)
            {
                violations.Add(new("/pathway/parts", string.Create(CultureInfo.InvariantCulture,
                    $"This achievement is itself a part, {height} level(s) down; with this pathway ({depth} level(s)) pathways would nest more than {options.MaxDepth} levels deep (BadgeIssuer:Pathways:MaxDepth).")));
                return;
            }

            if (above.Count > MaxWalk)
            {
                violations.Add(new("/pathway/parts", $"The pathways above this achievement reach more than {MaxWalk} achievements."));
                return;
            }

            frontier = next;
        }
    }

    private static string PartPath(int index) => "/pathway/parts/" + index.ToString(CultureInfo.InvariantCulture);

    // The pointer of the declared part through which `reached` was first reached.
    private static string PartPath(IReadOnlyList<string> parts, string reached, Dictionary<string, string> from)
    {
        string node = reached;
        for (int guard = 0; guard <= MaxWalk && !parts.Contains(node, StringComparer.Ordinal); guard++)
        {
            node = from[node];
        }

        int index = -1;
        for (int i = 0; i < parts.Count; i++)
        {
            if (string.Equals(parts[i], node, StringComparison.Ordinal))
            {
                index = i;
            }
        }

        return index < 0 ? "/pathway/parts" : PartPath(index);
    }

    // "this achievement → A → B → this achievement", reading the chain back from `last`.
    private static string Chain(string last, string self, Dictionary<string, string> from)
    {
        var chain = new List<string> { "this achievement" };
        string node = last;
        var walked = new List<string>();
        for (int guard = 0; guard <= MaxWalk && !string.Equals(node, self, StringComparison.Ordinal); guard++)
        {
            walked.Add(node);
            node = from[node];
        }

        walked.Reverse();
        chain.AddRange(walked);
        chain.Add("this achievement");
        return string.Join(" → ", chain);
    }

    /// <summary>The stored pathway as the API shows it.</summary>
    public static PathwayDocument Document(PathwayRecord pathway) =>
        new(pathway.AchievementId, pathway.Rule, pathway.Required, pathway.Parts, pathway.AutoAward);

    /// <summary>The record to store for <paramref name="declaration"/>.</summary>
    public static PathwayRecord Record(string achievementId, PathwayDeclaration declaration, DateTimeOffset now) =>
        new(achievementId, declaration.Rule, declaration.Required, declaration.Parts, declaration.AutoAward, now);

    /// <summary><c>GET /achievements/{id}/pathway</c> (public, as the achievement itself).</summary>
    internal static async Task<Results<Ok<PathwayDocument>, ProblemHttpResult>> Get(string id, HttpContext context, IBadgeStorage storage, PublicUrls urls, CancellationToken cancellationToken)
    {
        string url = urls.Achievement(id);
        if (id.Length > 128)
        {
            return ApiProblems.AchievementNotFound.Result("No such achievement.");
        }

        PathwayRecord? pathway = await storage.Achievements.GetPathwayAsync(url, cancellationToken);
        if (pathway is null)
        {
            return await storage.Achievements.GetAsync(url, cancellationToken) is null
                ? ApiProblems.AchievementNotFound.Result("No such achievement.")
                : ApiProblems.NotFound.Result("This achievement declares no pathway.");
        }

        context.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Ok(Document(pathway));
    }
}
