namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// One credential family's unsigned credential, waiting for what only issuance knows: its id and its status entries.
/// An issuing service takes the status indexes, asks the template for the credential, then validates and signs it
/// (<see cref="CredentialSigning"/>). One implementation per family: <see cref="OpenBadgeCredentialTemplate"/> (an award),
/// <see cref="SubmittedCredentialTemplate"/> (a caller's credential, VC-API).
/// </summary>
public interface ICredentialTemplate
{
    /// <summary>Writes the unsigned credential as UTF-8 JSON.</summary>
    /// <param name="credentialId">The credential's id (the template may keep an id of its own: see the implementation).</param>
    /// <param name="credentialStatus">
    /// The <c>credentialStatus</c> value as UTF-8 JSON (one entry object, or an array of them:
    /// <see cref="CredentialStatusJson"/>), or null for none. Written as given.
    /// </param>
    byte[] Build(string credentialId, byte[]? credentialStatus);
}
