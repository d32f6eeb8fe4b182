namespace BadgeIssuer.Api.Infrastructure;

/// <summary>Backup and KEK start-check messages (event ids 1301–1399, apart from the shared list).</summary>
internal static partial class Log
{
    [LoggerMessage(1301, LogLevel.Error, "{Missing} of {Keys} issuer keys are wrapped under key-encryption key {Needed}, which this service does not hold (current KEK {CurrentKekId}): their issuers cannot sign. Configure that KEK as BadgeIssuer:KeyEncryptionKey or in BadgeIssuer:PreviousKeyEncryptionKeys; after a restore, it is the KEK in use when the backup was taken (docs/backup.md).")]
    public static partial void KeysUnderMissingKek(ILogger logger, int missing, int keys, string needed, string currentKekId);

    [LoggerMessage(1302, LogLevel.Error, "Issuer key {KeyId} of {IssuerId} names a key-encryption key this service holds but does not decrypt under it (corrupt or moved blob).")]
    public static partial void KeyDoesNotDecrypt(ILogger logger, string keyId, string issuerId);

    [LoggerMessage(1303, LogLevel.Information, "Database backup written to {Path}: {Bytes} bytes, SHA-256 {Sha256}, in {Milliseconds} ms.")]
    public static partial void BackupWritten(ILogger logger, string path, long bytes, string sha256, long milliseconds);

    [LoggerMessage(1304, LogLevel.Error, "Database backup to {Directory} failed.")]
    public static partial void BackupFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(1305, LogLevel.Warning, "Old backups in {Directory} could not all be deleted (the new backup is written).")]
    public static partial void BackupPruneFailed(ILogger logger, string directory, Exception exception);
}
