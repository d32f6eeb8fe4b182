using System.Net;

namespace BadgeIssuer.LoadTest;

/// <summary>One kind of request, built per call from pre-rendered pieces; the runner owns timing and counting.</summary>
public sealed class Scenario
{
    public required string Name { get; init; }

    /// <summary>Builds request number <c>sequence</c> (0-based, unique across workers).</summary>
    public required Func<long, HttpRequestMessage> CreateRequest { get; init; }

    /// <summary>Units of work per successful request (credentials per batch); 1 for everything else.</summary>
    public int ItemsPerRequest { get; init; } = 1;

    /// <summary>
    /// When set, successful responses are read whole and this counts the items that succeeded (batch: per-item
    /// results). When null a success counts <see cref="ItemsPerRequest"/> and the body is only drained.
    /// </summary>
    public Func<HttpStatusCode, byte[], int>? CountItems { get; init; }

    /// <summary>Statuses other than 2xx that count as success (304 for conditional GETs).</summary>
    public IReadOnlySet<HttpStatusCode> AlsoSuccess { get; init; } = new HashSet<HttpStatusCode>();

    /// <summary>One line about what setup found, printed before the run.</summary>
    public string Description { get; init; } = "";

    public bool IsSuccess(HttpStatusCode status) => ((int)status is >= 200 and < 300) || AlsoSuccess.Contains(status);
}
