using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Storage;
using Microsoft.Extensions.Options;

namespace BadgeIssuer.Api.Infrastructure;

/// <summary>
/// The keyed hash stored beside each credential so an issuer can list by recipient without the database holding the
/// address: HMAC-SHA256 under a server secret of <c>"email:" + normalised address</c> or <c>"id:" + subject id</c>.
/// The secret is configured (<c>BadgeIssuer:RecipientLookupKey</c> / <c>…File</c>) or generated into the data
/// directory like the development KEK; it is never stored in the database. See docs/listing.md for the trade-off.
/// </summary>
internal sealed class RecipientLookup
{
    private const string DefaultFileName = "recipient-lookup.key";
    private readonly byte[] _key;

    public RecipientLookup(IOptions<BadgeIssuerOptions> options, DataDirectory dataDirectory)
    {
        BadgeIssuerOptions o = options.Value;
        if (o.RecipientLookupKey is { Length: > 0 } configured)
        {
            _key = KeyVault.TryDecodeKek(configured, out byte[]? key) ? key : throw new InvalidOperationException("BadgeIssuer:RecipientLookupKey is not the base64 of 32 bytes.");
            return;
        }

        string path = o.RecipientLookupKeyFile is { Length: > 0 } file ? Path.GetFullPath(file) : Path.Combine(dataDirectory.Path, DefaultFileName);
        if (!File.Exists(path))
        {
            if (o.RecipientLookupKeyFile is { Length: > 0 })
            {
                throw new InvalidOperationException($"The recipient-lookup key file '{path}' does not exist.");
            }

            TryCreate(path);
        }

        _key = KeyVault.TryDecodeKek(File.ReadAllText(path).Trim(), out byte[]? read)
            ? read
            : throw new InvalidOperationException($"The recipient-lookup key file '{path}' does not hold the base64 of 32 bytes.");
    }

    /// <summary>The keyed hash of an email address, normalised as awards normalise it before hashing into the credential.</summary>
    public byte[] ForEmail(string email) => Hash("email:" + NormalizeEmail(email));

    /// <summary>The keyed hash of a subject id (a DID or URL), as given.</summary>
    public byte[] ForId(string id) => Hash("id:" + id);

    /// <summary>
    /// The one email normalisation, the one awards apply before hashing an address into a credential, so a lookup and
    /// an award always agree. Emails are compared case-insensitively in practice: the trimmed, lower-cased address with
    /// its IDN domain as an A-label (<see cref="EmailAddress"/>); an address that is not valid is only trimmed and
    /// lower-cased (it matches nothing issued).
    /// </summary>
    internal static string NormalizeEmail(string email) =>
        EmailAddress.TryNormalize(email, out string? normalized, out _) ? normalized! : email.Trim().ToLowerInvariant();

    /// <summary>The keyed hash for a listing's <c>recipient</c> filter: an absolute URI is an id, anything else an email.</summary>
    public byte[] ForQuery(string recipient) => RequestJson.IsAbsoluteUri(recipient) ? ForId(recipient) : ForEmail(recipient);

    private byte[] Hash(string value) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(value));

    private static void TryCreate(string path)
    {
        FileStream file;
        try
        {
            file = OwnerOnlyFiles.Create(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: theirs is used.
            return;
        }

        byte[] fresh = RandomNumberGenerator.GetBytes(32);
        try
        {
            using (file)
            {
                file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(fresh) + "\n"));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fresh);
        }
    }
}
