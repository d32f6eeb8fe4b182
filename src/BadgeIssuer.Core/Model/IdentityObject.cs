namespace BadgeIssuer.Core.Model;

/// <summary>
/// OB 3.0 IdentityObject (OB-DM-21): <c>{ "type": "IdentityObject", "hashed", "identityHash", "identityType", "salt"? }</c>.
/// When <see cref="Hashed"/> is false, <see cref="IdentityHash"/> holds the plaintext identifier.
/// </summary>
/// <param name="IdentityType">An IdentifierTypeEnum value (<c>emailAddress</c>, <c>sourcedId</c>, …) or <c>ext:…</c>.</param>
/// <param name="Hashed">Whether <paramref name="IdentityHash"/> is a hash.</param>
/// <param name="IdentityHash"><c>alg$hex</c> when hashed (<see cref="Model.IdentityHash"/>), else the plaintext.</param>
/// <param name="Salt">The salt appended to the identifier before hashing.</param>
public sealed record IdentityObject(string IdentityType, bool Hashed, string IdentityHash, string? Salt = null)
{
    /// <summary>The IdentifierTypeEnum value for email addresses.</summary>
    public const string EmailAddress = "emailAddress";
}
