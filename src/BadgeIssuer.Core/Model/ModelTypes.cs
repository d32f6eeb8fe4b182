namespace BadgeIssuer.Core.Model;

/// <summary>OB 3.0 Image (§B.2.x): <c>{ "id", "type": "Image", "caption"? }</c>. The schema types <c>type</c> as the plain string "Image" (T-7).</summary>
/// <param name="Id">URI or <c>data:</c> URI of the image.</param>
/// <param name="Caption">Optional caption.</param>
public sealed record Image(string Id, string? Caption = null);

/// <summary>OB 3.0 Criteria (OB-DM-25): a URL of a human-readable page and/or a Markdown narrative.</summary>
public sealed record Criteria(string? Id = null, string? Narrative = null);

/// <summary>OB 3.0 Profile (OB-DM-31), the subset an issuer embeds. Emitted with <c>type: ["Profile"]</c>.</summary>
public sealed record Profile
{
    /// <summary>URI of the profile; for an issuer it must be the controller of the signing key (VER-7).</summary>
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? Url { get; init; }

    public string? Email { get; init; }

    public string? Phone { get; init; }

    public string? Description { get; init; }

    /// <summary>Issuer image; the spec says it must be a PNG or SVG.</summary>
    public Image? Image { get; init; }
}

/// <summary>OB 3.0 Alignment (OB-DM-27). Emitted with <c>type: ["Alignment"]</c>.</summary>
public sealed record Alignment
{
    public required string TargetName { get; init; }

    public required string TargetUrl { get; init; }

    public string? TargetCode { get; init; }

    public string? TargetDescription { get; init; }

    public string? TargetFramework { get; init; }

    /// <summary><c>ceasn:Competency</c>, <c>ceterms:Credential</c>, <c>CFItem</c>, <c>CFRubric</c>, <c>CFRubricCriterion</c>, <c>CFRubricCriterionLevel</c>, <c>CTDL</c> or <c>ext:…</c>.</summary>
    public string? TargetType { get; init; }
}

/// <summary>OB 3.0 ResultDescription (OB-DM-28), the subset needed to describe a result. Emitted with <c>type: ["ResultDescription"]</c>.</summary>
public sealed record ResultDescription
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>GradePointAverage, LetterGrade, Percent, PerformanceLevel, …, Status, or <c>ext:…</c>.</summary>
    public required string ResultType { get; init; }

    /// <summary>Ordered allowed values (a JSON-LD <c>@list</c> in the context).</summary>
    public IReadOnlyList<string>? AllowedValue { get; init; }

    public string? RequiredValue { get; init; }

    public string? ValueMin { get; init; }

    public string? ValueMax { get; init; }
}

/// <summary>OB 3.0 Achievement (OB-DM-23). Emitted with <c>type: ["Achievement"]</c>.</summary>
public sealed record Achievement
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    public required Criteria Criteria { get; init; }

    public Image? Image { get; init; }

    /// <summary>One of the OB-DM-24 values (e.g. <c>Badge</c>, <c>Certificate</c>) or <c>ext:Xyz</c>.</summary>
    public string? AchievementType { get; init; }

    public IReadOnlyList<Alignment>? Alignment { get; init; }

    public IReadOnlyList<ResultDescription>? ResultDescription { get; init; }

    public IReadOnlyList<string>? Tag { get; init; }

    public Profile? Creator { get; init; }

    /// <summary>BCP 47 language of the achievement's text (the schema pattern is <c>^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$</c>).</summary>
    public string? InLanguage { get; init; }

    public string? Version { get; init; }
}

/// <summary>OB 3.0 Evidence (OB-DM-30). Emitted with <c>type: ["Evidence"]</c>.</summary>
public sealed record Evidence
{
    /// <summary>URL or <c>data:</c> URI of the evidence.</summary>
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Narrative { get; init; }

    public string? Genre { get; init; }

    public string? Audience { get; init; }
}

/// <summary>OB 3.0 Result (OB-DM-29). Emitted with <c>type: ["Result"]</c>.</summary>
public sealed record Result
{
    /// <summary>URI of the ResultDescription (in the asserted achievement) this result is for.</summary>
    public string? ResultDescription { get; init; }

    /// <summary>URI of the achieved RubricCriterionLevel.</summary>
    public string? AchievedLevel { get; init; }

    /// <summary>Completed, Enrolled, Failed, InProgress, OnHold, Provisional or Withdrew.</summary>
    public string? Status { get; init; }

    public string? Value { get; init; }

    public IReadOnlyList<Alignment>? Alignment { get; init; }
}
