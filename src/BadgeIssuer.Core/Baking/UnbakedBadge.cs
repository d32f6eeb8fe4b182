namespace BadgeIssuer.Core.Baking;

/// <summary>What <see cref="BakedBadge.Unbake(ReadOnlySpan{byte})"/> found: the image format and the baked text.</summary>
/// <param name="Format">The image format.</param>
/// <param name="Payload">The credential JSON or the compact JWS, as baked.</param>
public sealed record UnbakedBadge(BadgeImageFormat Format, string Payload)
{
    /// <summary>True when the payload is a compact JWS (VC-JWT) rather than credential JSON (BAKE-4).</summary>
    public bool IsCompactJws => BakingPayload.IsCompactJws(Payload);
}

/// <summary>What to do when the image already carries a credential (BAKE-3, BAKE-6: "error or replace").</summary>
public enum ExistingCredentialHandling
{
    /// <summary>Remove the existing credential and bake the new one.</summary>
    Replace,

    /// <summary>Fail with <see cref="BakingErrorReason.CredentialAlreadyPresent"/>.</summary>
    Throw,
}
