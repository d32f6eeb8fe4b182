namespace BadgeIssuer.Core.Model;

/// <summary>
/// Who the credential is about (the AchievementSubject's <c>id</c> and/or <c>identifier</c>, OB-DM-20). Create with
/// <see cref="FromId"/>, <see cref="FromEmail"/> or <see cref="FromEmailPlaintext"/>.
/// </summary>
public sealed record Recipient
{
    private Recipient(string? id, IReadOnlyList<IdentityObject> identifiers)
    {
        Id = id;
        Identifiers = identifiers;
    }

    /// <summary>The subject's URI (DID or URL), or null for an identifier-only recipient.</summary>
    public string? Id { get; }

    /// <summary>The subject's IdentityObjects (empty for an id-only recipient).</summary>
    public IReadOnlyList<IdentityObject> Identifiers { get; }

    /// <summary>A recipient identified by a URI (DID, URL, <c>urn:</c>).</summary>
    public static Recipient FromId(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new Recipient(id, []);
    }

    /// <summary>
    /// A recipient identified by a hashed email address: <c>identityHash = sha256$hex(SHA-256(email + salt))</c>. The
    /// email is hashed exactly as given (normalise it first if your records are case-insensitive); the salt is random
    /// (<see cref="IdentityHash.NewSalt"/>) unless supplied.
    /// </summary>
    public static Recipient FromEmail(string email, string? salt = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        salt ??= IdentityHash.NewSalt();
        return new Recipient(null, [new IdentityObject(IdentityObject.EmailAddress, true, IdentityHash.ComputeSha256(email, salt), salt)]);
    }

    /// <summary>A recipient identified by a plaintext email address (<c>hashed: false</c>); use only when asked to.</summary>
    public static Recipient FromEmailPlaintext(string email)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        return new Recipient(null, [new IdentityObject(IdentityObject.EmailAddress, false, email)]);
    }

    /// <summary>A recipient with an explicit id and/or identity objects; at least one must be present (OB-DM-20).</summary>
    public static Recipient Create(string? id, IReadOnlyList<IdentityObject>? identifiers)
    {
        identifiers ??= [];
        if (string.IsNullOrWhiteSpace(id) && identifiers.Count == 0)
        {
            throw new ArgumentException("A recipient needs an id or at least one identifier (OB-DM-20).", nameof(identifiers));
        }

        return new Recipient(string.IsNullOrWhiteSpace(id) ? null : id, identifiers);
    }
}
