using System.Security.Cryptography;
using BadgeIssuer.Api.Infrastructure;
using BadgeIssuer.Storage;

namespace BadgeIssuer.Api.Features.Admin;

/// <summary>
/// At start, tries the key-encryption keys on every stored issuer key (a restored backup needs the KEK that was in use
/// when it was taken). No KEK configured, no KEK file, and a database that already holds keys — a restore without its
/// KEK — stops the start with a message saying what to put back; the development KEK this start generated is removed
/// again, so the next start cannot silently run with it. Keys under a KEK that is configured but not the right one are
/// logged as an error naming the KEK ids needed; the service still starts (other issuers keep working, see
/// <see cref="KeyUnavailableExceptionHandler"/>).
/// </summary>
internal sealed class KekStartupCheck(IBadgeStorage storage, KeyVault vault, ILogger<KekStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<IssuerKeyRecord> keys = await storage.Issuers.ListAllKeysAsync(cancellationToken);
        int opened = 0;
        var missing = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var corrupt = new List<IssuerKeyRecord>();
        foreach (IssuerKeyRecord key in keys)
        {
            string? kekId = KeyVault.KekIdOf(key.ProtectedPrivateKey.Span);
            if (!vault.Knows(kekId))
            {
                string name = kekId ?? "(unknown format)";
                missing[name] = missing.GetValueOrDefault(name) + 1;
                continue;
            }

            try
            {
                CryptographicOperations.ZeroMemory(vault.Unprotect(key.ProtectedPrivateKey.Span, key.IssuerId, key.KeyId));
                opened++;
            }
            catch (CryptographicException)
            {
                corrupt.Add(key);
            }
        }

        string needed = string.Join(", ", missing.Select(pair => $"{pair.Key} ({pair.Value} keys)"));
        if (missing.Count > 0 && opened == 0 && vault.GeneratedKekFile is { } generated)
        {
            // Nothing is wrapped under the KEK generated a moment ago (every stored key names another one): remove it.
            File.Delete(generated);
            throw new InvalidOperationException(
                $"The database holds {keys.Count} issuer keys wrapped under key-encryption key {needed}, but no key-encryption key was configured "
                + $"and {generated} did not exist (the new one generated at this start has been removed again). After restoring a backup, put back the KEK "
                + "that was in use when the backup was taken: BadgeIssuer__KeyEncryptionKeyFile, BadgeIssuer__KeyEncryptionKey, or the kek.key file in the data directory. See docs/backup.md.");
        }

        if (missing.Count > 0)
        {
            Log.KeysUnderMissingKek(logger, keys.Count - opened - corrupt.Count, keys.Count, needed, vault.CurrentKekId);
        }

        foreach (IssuerKeyRecord key in corrupt)
        {
            Log.KeyDoesNotDecrypt(logger, key.KeyId, key.IssuerId);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
