namespace BadgeIssuer.Core.Baking;

/// <summary>What <see cref="BadgeSvgRenderer.Render(BadgeSvgContent)"/> draws on a generated badge image.</summary>
/// <param name="AchievementName">The achievement's name; wrapped onto up to three lines, then truncated with an ellipsis.</param>
/// <param name="IssuerName">The issuer's name, shown on one line below the achievement name.</param>
/// <param name="AchievementType">Optional achievement type (e.g. "Certificate"), shown small above the name.</param>
/// <param name="AccentColor">Optional accent colour as <c>#rrggbb</c>; by default a palette colour chosen from the achievement name.</param>
public sealed record BadgeSvgContent(
    string AchievementName,
    string IssuerName,
    string? AchievementType = null,
    string? AccentColor = null);
