namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// One credential family's unsigned credential, waiting for what only issuance knows: its id and its status entries.
/// An issuing service takes the status indexes, asks the template for the credential, runs the checks the template
/// declares (<see cref="Checks"/>) and signs it (<see cref="CredentialSigning"/>). One implementation per family:
/// <see cref="OpenBadgeCredentialTemplate"/> (an award), <see cref="EndorsementCredentialTemplate"/> (an endorsement),
/// <see cref="SubmittedCredentialTemplate"/> (a caller's credential, VC-API), <see cref="HolderBoundCredentialTemplate"/>
/// (an issued credential re-issued to the holder's DID, for a wallet), <see cref="ClrCredentialTemplate"/> (a Comprehensive
/// Learner Record embedding issued credentials). The status list, which has neither an
/// id of issuance's choosing nor status entries, has <see cref="StatusListCredentialIssuer"/> instead.
/// </summary>
/// <remarks>
/// <para>
/// Where things live: the family's content (a record such as <see cref="Model.EndorsementCredential"/>) and its JSON
/// writer (<c>…Builder</c>, e.g. <see cref="Model.OpenBadgeCredentialBuilder"/>) are in <c>Core/Model</c>; the template
/// that puts the family on the issuing path, signing and the checks are in <c>Core/Issuance</c>.
/// </para>
/// <para>
/// Adding a credential family (as the CLR was): write its content record and builder in <c>Core/Model</c> (context URLs
/// from <see cref="Model.ContextUrls"/>); add a <c>…Template</c> here implementing this interface whose
/// <see cref="Build"/> calls the builder and whose <see cref="Checks"/> names the checks that family needs (its
/// JSON Schema through <see cref="CredentialChecks.Full"/> unless it is an OpenBadgeCredential); the Api then maps the
/// request onto the template and hands it to its issuing service, which takes status indexes, calls
/// <see cref="Build"/> and signs with <see cref="Checks"/>. The Api writes no credential JSON of its own.
/// </para>
/// </remarks>
public interface ICredentialTemplate
{
    /// <summary>What <see cref="CredentialSigning"/> checks before it signs this family's credential.</summary>
    CredentialChecks Checks { get; }

    /// <summary>Writes the unsigned credential as UTF-8 JSON.</summary>
    /// <param name="credentialId">The credential's id (the template may keep an id of its own: see the implementation).</param>
    /// <param name="credentialStatus">
    /// The <c>credentialStatus</c> value as UTF-8 JSON (one entry object, or an array of them:
    /// <see cref="CredentialStatusJson"/>), or null for none. Written as given.
    /// </param>
    byte[] Build(string credentialId, byte[]? credentialStatus);
}
