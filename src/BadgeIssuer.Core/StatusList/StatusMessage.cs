namespace BadgeIssuer.Core.StatusList;

/// <summary>
/// One <c>statusMessage</c> item (Bitstring Status List v1.0 §2.1): <paramref name="Status"/> is the
/// hexadecimal status value as the spec writes it (e.g. <c>"0x0"</c>), <paramref name="Message"/> its meaning.
/// </summary>
public sealed record StatusMessage(string Status, string Message);
