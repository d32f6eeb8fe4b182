namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// A violation of the input, with where it is (JSON pointer into the request); <paramref name="TooLong"/> marks a text field
/// over its length limit (<see cref="TextLimits"/>), reported as <c>field-too-long</c>.
/// </summary>
internal sealed record InputViolation(string Path, string Message, bool TooLong = false);
