using System.Text.Json;
using BadgeIssuer.Core.Model;

namespace BadgeIssuer.Core.Issuance;

/// <summary>
/// The endorsement family on the issuing path: an <see cref="EndorsementCredential"/> whose id and status entries
/// issuance supplies, written compact by <see cref="EndorsementCredentialBuilder"/>.
/// </summary>
/// <param name="endorsement">The endorsement; its <see cref="EndorsementCredential.Id"/> and <see cref="EndorsementCredential.CredentialStatus"/> are replaced by <see cref="Build"/>'s.</param>
public sealed class EndorsementCredentialTemplate(EndorsementCredential endorsement) : ICredentialTemplate
{
    private readonly EndorsementCredential _endorsement = endorsement ?? throw new ArgumentNullException(nameof(endorsement));

    /// <inheritdoc/>
    /// <remarks>
    /// Every check of <see cref="CredentialValidator.Default"/> (<see cref="CredentialChecks.Full"/>): the OB schema
    /// check of <see cref="CredentialChecks.OpenBadgesSchemaAndJsonLdSafeMode"/> is for OpenBadgeCredentials only.
    /// </remarks>
    public CredentialChecks Checks => CredentialChecks.Full;

    /// <inheritdoc/>
    public byte[] Build(string credentialId, byte[]? credentialStatus)
    {
        ArgumentException.ThrowIfNullOrEmpty(credentialId);
        JsonElement? status = null;
        if (credentialStatus is not null)
        {
            using JsonDocument document = JsonDocument.Parse(credentialStatus);
            status = document.RootElement.Clone();
        }

        return EndorsementCredentialBuilder.Build(_endorsement with { Id = credentialId, CredentialStatus = status }, indented: false);
    }
}
