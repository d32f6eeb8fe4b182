// Status (DIGEST VER-5; SL-1..9; RL-1..3): one `status` step per credentialStatus entry.
//   BitstringStatusListEntry / StatusList2021Entry: the list credential (a BitstringStatusListCredential /
//     StatusList2021Credential, JSON with a Data Integrity proof or a VC-JWT) must verify, its signing key must be
//     controlled by the list's issuer, and that issuer must be the credential's issuer (SL-7). Verified lists are
//     cached per URL while their bytes are unchanged (StatusListCacheDuration), so a hot list costs one lookup.
//   1EdTechRevocationList: a JSON document with `revokedCredential: [{id, revoked?, revocationReason?}]` (RL-3,
//     from the 1EdTech validator; VCRL 1.0 defines no proof). Its `issuer`, when present, must be the credential's
//     issuer; a `proof`, when present, must verify. An unsigned list is trusted as far as its source is (the host
//     configures IStatusListCredentialSource; nothing is fetched here).
// A set revocation bit fails the credential; a set suspension bit fails it too ("suspended", reversible). Fail
// closed: a status that cannot be checked (list unavailable, unverifiable, expired, signed with an unauthenticated
// key, an unsupported method, too many entries) fails the status step and the display status is "unknown", so the
// verdict is never true on an unknown status.

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Internal;
using BadgeIssuer.Core.Jwt;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Verification;

public sealed partial class CredentialVerifier
{
    private const string RevocationListType = "1EdTechRevocationList";

    private async ValueTask CheckStatusAsync(JsonElement credential, Run run, CancellationToken cancellationToken)
    {
        if (!credential.TryGetProperty("credentialStatus", out JsonElement status))
        {
            run.Add(CheckNames.Status, CheckStatus.Skipped, "the credential has no credentialStatus");
            run.StatusState = CredentialStatusState.None;
            return;
        }

        if (status.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, "credentialStatus is malformed: it must be an object or an array of objects");
            run.StatusState = CredentialStatusState.Unknown;
            return;
        }

        var tally = new StatusTally();
        int count = 0;
        foreach (JsonElement item in status.ValueKind == JsonValueKind.Array ? status.EnumerateArray() : Enumerate(status))
        {
            if (count++ == _options.MaxStatusEntries)
            {
                run.Add(CheckNames.Status, CheckStatus.Failed, string.Create(CultureInfo.InvariantCulture, $"only the first {_options.MaxStatusEntries} credentialStatus entries are checked"));
                tally.Unknown = true;
                break;
            }

            await CheckStatusItemAsync(item, credential, run, tally, cancellationToken).ConfigureAwait(false);
        }

        run.StatusState = count == 0 ? CredentialStatusState.None : tally.State;
        if (run.StatusState == CredentialStatusState.Unknown && !run.Checks.Any(c => c.Name == CheckNames.Status && c.Status == CheckStatus.Failed))
        {
            // Fail closed whatever path left the status unknown: "verified" never stands on an unchecked status.
            run.Add(CheckNames.Status, CheckStatus.Failed, "the credential's status could not be checked, so it is not verified");
        }
        if (count == 0)
        {
            run.Add(CheckNames.Status, CheckStatus.Skipped, "credentialStatus is empty");
        }
    }

    private async ValueTask CheckStatusItemAsync(JsonElement item, JsonElement credential, Run run, StatusTally tally, CancellationToken cancellationToken)
    {
        string? type = item.ValueKind == JsonValueKind.Object ? CredentialJson.StringMember(item, "type") : null;
        switch (type)
        {
            case BitstringStatusListEntry.EntryType or BitstringStatusListEntry.LegacyEntryType:
                BitstringStatusListEntry entry;
                try
                {
                    entry = BitstringStatusListEntry.Parse(item);
                }
                catch (StatusListException ex)
                {
                    run.Add(CheckNames.Status, CheckStatus.Failed, $"credentialStatus is malformed: {ex.Message}");
                    tally.Unknown = true;
                    return;
                }

                await CheckBitstringEntryAsync(entry, CredentialJson.IssuerId(credential), CredentialJson.StringMember(credential, "id"), run, tally, cancellationToken).ConfigureAwait(false);
                return;
            case RevocationListType:
                await CheckRevocationListAsync(item, credential, run, tally, cancellationToken).ConfigureAwait(false);
                return;
            default:
                run.Add(CheckNames.Status, CheckStatus.Failed, item.ValueKind == JsonValueKind.Object
                    ? $"status method '{type ?? "(no type)"}' is not supported; the credential's status is unknown"
                    : "a credentialStatus entry is not an object; the credential's status is unknown");
                tally.Unknown = true;
                return;
        }
    }

    private async ValueTask CheckBitstringEntryAsync(BitstringStatusListEntry entry, string? issuer, string? credentialId, Run run, StatusTally tally, CancellationToken cancellationToken)
    {
        string where = string.Create(CultureInfo.InvariantCulture, $"{entry.StatusPurpose} entry {entry.StatusListIndex} of {entry.StatusListCredential}");
        ReadOnlyMemory<byte>? bytes = _options.StatusLists is null ? null : await _options.StatusLists.GetAsync(entry.StatusListCredential, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"STATUS_RETRIEVAL_ERROR: the status list is not available here, so whether the credential is revoked or suspended is unknown and it is not verified ({where}); {_options.StatusRetrievalHint}");
            tally.Unknown = true;
            return;
        }

        ListOutcome outcome = await LoadBitstringListAsync(entry.StatusListCredential, bytes.Value, cancellationToken).ConfigureAwait(false);
        if (outcome.List is not BitstringStatusListCredential list)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"{outcome.Error} ({where})");
            tally.Unknown = true;
            return;
        }

        if (entry.IsLegacy != list.IsLegacy)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"STATUS_VERIFICATION_ERROR: a {entry.Type} must point to a {(entry.IsLegacy ? BitstringStatusListCredential.LegacyCredentialType : BitstringStatusListCredential.CredentialType)}, not a {list.Type} ({where})");
            tally.Unknown = true;
            return;
        }

        if (issuer is not null && !string.Equals(list.Issuer, issuer, StringComparison.Ordinal))
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"STATUS_VERIFICATION_ERROR: the status list is issued by '{list.Issuer}', not by the credential's issuer ({where})");
            tally.Unknown = true;
            return;
        }

        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        if (list.ValidUntil is DateTimeOffset until && until < now - _options.ClockSkew)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"the status list credential expired at {Format(until)}; the status is unknown ({where})");
            tally.Unknown = true;
            return;
        }

        if (list.ValidFrom is DateTimeOffset from && from > now + _options.ClockSkew)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"the status list credential is not valid before {Format(from)}; the status is unknown ({where})");
            tally.Unknown = true;
            return;
        }

        uint value;
        try
        {
            value = list.GetStatus(entry);
        }
        catch (StatusListException ex)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"{ex.ErrorCode.ToSpecString()}: {ex.Message} ({where})");
            tally.Unknown = true;
            return;
        }

        bool isSet = value != 0;
        string? message = StatusMessageFor(entry.StatusMessage ?? list.StatusMessage, value);
        StatusEntryRecord? record = await StatusRecordAsync(entry, isSet, credentialId, run, cancellationToken).ConfigureAwait(false);
        var finding = new StatusFinding(entry.StatusPurpose, isSet, message, record?.ChangedAt, record?.Reason);
        string state = entry.StatusPurpose switch
        {
            "revocation" => isSet ? "revoked" : "not revoked",
            "suspension" => isSet ? "suspended" : "not suspended",
            _ => string.Create(CultureInfo.InvariantCulture, $"status value {value}"),
        };
        if (message is not null && entry.StatusPurpose is not ("revocation" or "suspension"))
        {
            state += ": " + message;
        }

        if (record is not null)
        {
            state += $" (changed {Format(record.ChangedAt)}{(record.Reason is null ? string.Empty : "; reason: " + record.Reason)})";
        }

        if (isSet && entry.StatusPurpose is "revocation" or "suspension")
        {
            // A set bit is believed even from an unauthenticated list: it can only take trust away.
            tally.Revoked |= entry.StatusPurpose == "revocation";
            tally.Suspended |= entry.StatusPurpose == "suspension";
            run.StatusFindings.Add(finding);
            run.Add(CheckNames.Status, CheckStatus.Failed, $"{state} ({where})");
        }
        else if (!outcome.KeyAuthenticated && !_trustFragment)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"{state}, but the status list is signed with a key that only names its issuer (not authenticated); the status is unknown ({where}); {_options.UnauthenticatedListHint}");
            tally.Unknown = true;
        }
        else
        {
            // A value the list's key vouches for (an unauthenticated "not set" above is no finding: the status is unknown).
            run.StatusFindings.Add(finding);
            run.Add(CheckNames.Status, CheckStatus.Passed, $"{state} ({where}){(outcome.KeyAuthenticated ? string.Empty : "; the list's key is not authenticated (accepted by policy)")}");
        }
    }

    // Bitstring Status List v1.0 §2.1: each statusMessage item's status is the value as hexadecimal, prefixed 0x.
    private static string? StatusMessageFor(IReadOnlyList<StatusList.StatusMessage>? messages, uint value)
    {
        if (messages is null)
        {
            return null;
        }

        foreach (StatusList.StatusMessage m in messages)
        {
            string hex = m.Status.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? m.Status[2..] : m.Status;
            if (hex.Length is > 0 and <= 8 && uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint status) && status == value)
            {
                return m.Message;
            }
        }

        return null;
    }

    // The host's record of the entry (its own lists only), when it agrees with the verified list's value and belongs to
    // this credential. Anyone can post a document naming a list and an index, so the record (a reason is personal data)
    // is read only for a credential whose proof verified with a key that authenticates its issuer (the list's issuer,
    // checked before this) and whose signed id is the one the change was made for.
    private async ValueTask<StatusEntryRecord?> StatusRecordAsync(BitstringStatusListEntry entry, bool isSet, string? credentialId, Run run, CancellationToken cancellationToken)
    {
        if (_options.StatusRecords is null || entry.StatusListIndex > int.MaxValue || credentialId is null || run.AuthenticatedKeys == 0
            || !run.Checks.Any(c => c.Status == CheckStatus.Passed && (c.Name == CheckNames.Proof || c.Name.StartsWith(CheckNames.Proof + "[", StringComparison.Ordinal))))
        {
            return null;
        }

        StatusEntryRecord? record = await _options.StatusRecords.GetLatestAsync(entry.StatusListCredential, (int)entry.StatusListIndex, cancellationToken).ConfigureAwait(false);
        return record is not null && (record.Value != 0) == isSet && string.Equals(record.CredentialId, credentialId, StringComparison.Ordinal) ? record : null;
    }

    /// <summary>The verified, parsed list at <paramref name="url"/>: from the cache when the bytes are unchanged.</summary>
    private async ValueTask<ListOutcome> LoadBitstringListAsync(string url, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        if (_statusListCache.TryGet(url, bytes.Span, now) is ListOutcome cached)
        {
            return cached;
        }

        ListOutcome outcome = await VerifyBitstringListAsync(bytes, cancellationToken).ConfigureAwait(false);
        if (_options.StatusListCacheDuration > TimeSpan.Zero)
        {
            _statusListCache.Set(url, bytes.ToArray(), now + _options.StatusListCacheDuration, outcome);
        }

        return outcome;
    }

    private async ValueTask<ListOutcome> VerifyBitstringListAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        ReadOnlySpan<byte> trimmed = bytes.Span.TrimStart(" \t\r\n"u8);
        if (trimmed.Length > 0 && trimmed[0] != (byte)'{')
        {
            string text = Encoding.UTF8.GetString(trimmed).TrimEnd();
            return LooksLikeCompactJws(text)
                ? await VerifyJwtListAsync(text, cancellationToken).ConfigureAwait(false)
                : ListOutcome.Fail("STATUS_VERIFICATION_ERROR: the status list is neither JSON nor a VC-JWT");
        }

        if (!StrictJson.TryParse(bytes, _options.MaxJsonDepth, out JsonDocument? document, out string? unreadable))
        {
            return ListOutcome.Fail($"STATUS_VERIFICATION_ERROR: the status list cannot be read: {unreadable}");
        }

        using (document)
        {
            JsonElement list = document.RootElement;
            if (list.ValueKind != JsonValueKind.Object)
            {
                return ListOutcome.Fail("STATUS_VERIFICATION_ERROR: the status list is not a JSON object");
            }

            // As for credentials: the list is read from its signed view, the quads its proof covers.
            SignedContent read = SignedContent.Read(list, SignedGraph.VerifiableCredentialClass);
            if (read.View is not JsonDocument view)
            {
                return ListOutcome.Fail($"STATUS_VERIFICATION_ERROR: the status list credential cannot be read as signed data: {read.Error}");
            }

            string canonical = read.Canonical!;
            using (view)
            {
                (bool verified, bool authenticated, string? failure) = await VerifyListProofAsync(list, view.RootElement, canonical, cancellationToken).ConfigureAwait(false);
                return verified
                    ? Parse(view.RootElement, authenticated)
                    : ListOutcome.Fail($"STATUS_VERIFICATION_ERROR: the status list credential's proof does not verify: {failure}");
            }
        }
    }

    private async ValueTask<ListOutcome> VerifyJwtListAsync(string jws, CancellationToken cancellationToken)
    {
        using VcJwtVerificationResult result = await _jwtVerifier.VerifyAsync(jws, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return ListOutcome.Fail($"STATUS_VERIFICATION_ERROR: the status list VC-JWT does not verify: {result.Failure}");
        }

        // The token's exp bounds the list as validUntil does (a stale "not revoked" list must not be replayed).
        if (result.Expires is DateTimeOffset exp && exp < _options.TimeProvider.GetUtcNow() - _options.ClockSkew)
        {
            return ListOutcome.Fail($"STATUS_VERIFICATION_ERROR: the status list VC-JWT expired at {Format(exp)}");
        }

        string? listIssuer = CredentialJson.IssuerId(result.Credential);
        bool authenticated;
        if (result.VerificationMethod is ResolvedVerificationMethod vm)
        {
            if (!string.Equals(vm.Controller, listIssuer, StringComparison.Ordinal) || !vm.IsAuthorizedFor(VerificationRelationships.AssertionMethod))
            {
                return ListOutcome.Fail($"STATUS_VERIFICATION_ERROR: the status list is signed with a key that is not an assertion key of its issuer '{listIssuer}'");
            }

            authenticated = vm.Provenance != KeyProvenance.FragmentDerived;
        }
        else
        {
            authenticated = result.Key is VerificationKey key && _options.KnownIssuers?.FindAssertionKey(listIssuer, key) is not null;
        }

        return Parse(result.Credential, authenticated);
    }

    /// <summary>Any one Data Integrity proof of the list, by a key its issuer controls (SL-7).</summary>
    private async ValueTask<(bool Verified, bool Authenticated, string? Failure)> VerifyListProofAsync(JsonElement list, JsonElement view, string canonicalWithoutProof, CancellationToken cancellationToken)
    {
        PrefetchedKeyResolver resolver = await PrefetchKeysAsync(list, cancellationToken).ConfigureAwait(false);
        var diOptions = new DataIntegrityOptions { ExpectedController = CredentialJson.IssuerId(view) };
        IReadOnlyList<ProofVerificationResult> results = _options.Cryptosuites.VerifyAll(list, resolver, diOptions, canonicalWithoutProof);
        foreach (ProofVerificationResult r in results)
        {
            if (r.Verified)
            {
                return (true, resolver.Method(r.VerificationMethod!)?.Provenance != KeyProvenance.FragmentDerived, null);
            }
        }

        ProofVerificationResult first = results[0];
        return (false, false, $"{first.Failure}: {first.Message}");
    }

    private static ListOutcome Parse(JsonElement list, bool authenticated)
    {
        try
        {
            BitstringStatusListCredential parsed = BitstringStatusListCredential.Parse(list);
            parsed.DecodeList();
            return new ListOutcome(parsed, null, authenticated);
        }
        catch (StatusListException ex)
        {
            return ListOutcome.Fail($"{ex.ErrorCode.ToSpecString()}: {ex.Message}");
        }
    }

    private async ValueTask CheckRevocationListAsync(JsonElement item, JsonElement credential, Run run, StatusTally tally, CancellationToken cancellationToken)
    {
        string? url = CredentialJson.StringMember(item, "id");
        if (url is null)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, "credentialStatus is malformed: a 1EdTechRevocationList entry needs the list URL as its id");
            tally.Unknown = true;
            return;
        }

        string where = "1EdTech revocation list " + url;
        string? credentialId = CredentialJson.StringMember(credential, "id");
        if (credentialId is null)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"the credential has no id to look up; the status is unknown ({where})");
            tally.Unknown = true;
            return;
        }

        ReadOnlyMemory<byte>? bytes = _options.StatusLists is null ? null : await _options.StatusLists.GetAsync(url, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"the revocation list is not available here, so whether the credential is revoked is unknown and it is not verified ({where}); {_options.StatusRetrievalHint}");
            tally.Unknown = true;
            return;
        }

        if (!StrictJson.TryParse(bytes.Value, _options.MaxJsonDepth, out JsonDocument? document, out string? unreadable))
        {
            run.Add(CheckNames.Status, CheckStatus.Failed, $"the revocation list cannot be read: {unreadable} ({where})");
            tally.Unknown = true;
            return;
        }

        using (document)
        {
            RevocationOutcome outcome = await ReadRevocationListAsync(document.RootElement, url, credential, credentialId, cancellationToken).ConfigureAwait(false);
            if (outcome.Failure is not null)
            {
                run.Add(CheckNames.Status, CheckStatus.Failed, $"{outcome.Failure} ({where})");
                tally.Unknown = true;
                return;
            }

            ReportRevocation(outcome, where, run, tally);
        }
    }

    private void ReportRevocation(RevocationOutcome outcome, string where, Run run, StatusTally tally)
    {
        string provenance = outcome.Signed ? "signed list" : "unsigned list from the configured source";
        if (outcome.Revoked)
        {
            // The list's signed revocationReason is the reason its issuer gives (there is no change time in such a list).
            run.StatusFindings.Add(new StatusFinding("revocation", Set: true, StatusMessage: null, ChangedAt: null, outcome.Reason));
            tally.Revoked = true;
            run.Add(CheckNames.Status, CheckStatus.Failed, $"revoked{(outcome.Reason is null ? string.Empty : ": " + outcome.Reason)} ({where}, {provenance})");
        }
        else if (outcome.Signed && !outcome.KeyAuthenticated && !_trustFragment)
        {
            tally.Unknown = true;
            run.Add(CheckNames.Status, CheckStatus.Failed, $"not revoked, but the revocation list is signed with a key that only names its issuer (not authenticated); the status is unknown ({where}); {_options.UnauthenticatedListHint}");
        }
        else
        {
            run.StatusFindings.Add(new StatusFinding("revocation", false, null, null, null));
            run.Add(CheckNames.Status, CheckStatus.Passed, string.Create(CultureInfo.InvariantCulture, $"not revoked ({where}, {provenance}, {outcome.Listed} revoked credential(s) listed)"));
        }
    }

    private async ValueTask<RevocationOutcome> ReadRevocationListAsync(JsonElement list, string url, JsonElement credential, string credentialId, CancellationToken cancellationToken)
    {
        if (list.ValueKind != JsonValueKind.Object)
        {
            return RevocationOutcome.Fail("the revocation list is not a JSON object");
        }

        if (CredentialJson.StringMember(list, "id") is string listId && !SameId(listId, url))
        {
            return RevocationOutcome.Fail($"the revocation list names itself '{listId}'");
        }

        string? issuer = CredentialJson.IssuerId(credential);
        string? listIssuer = CredentialJson.IssuerId(list);
        if (listIssuer is not null && !string.Equals(listIssuer, issuer, StringComparison.Ordinal))
        {
            return RevocationOutcome.Fail($"the revocation list is issued by '{listIssuer}', not by the credential's issuer");
        }

        bool signed = list.TryGetProperty("proof", out _);
        bool authenticated = false;
        if (signed)
        {
            if (issuer is null)
            {
                return RevocationOutcome.Fail("the credential names no issuer to check the list's proof against");
            }

            PrefetchedKeyResolver resolver = await PrefetchKeysAsync(list, cancellationToken).ConfigureAwait(false);
            ProofVerificationResult? verified = _options.Cryptosuites.VerifyAll(list, resolver, new DataIntegrityOptions { ExpectedController = issuer }).FirstOrDefault(r => r.Verified);
            if (verified is null)
            {
                return RevocationOutcome.Fail("the revocation list's proof does not verify with a key of the credential's issuer");
            }

            authenticated = resolver.Method(verified.VerificationMethod!)?.Provenance != KeyProvenance.FragmentDerived;
        }

        // RL-3: the validator reads "revokedCredential" (its comment says "revokedCredentials"); both are accepted.
        if (!list.TryGetProperty("revokedCredential", out JsonElement revoked) && !list.TryGetProperty("revokedCredentials", out revoked))
        {
            return RevocationOutcome.Fail("the revocation list has no revokedCredential array");
        }

        if (revoked.ValueKind != JsonValueKind.Array)
        {
            return RevocationOutcome.Fail("revokedCredential must be an array");
        }

        int listed = 0;
        foreach (JsonElement entry in revoked.EnumerateArray())
        {
            string? id = CredentialJson.StringMember(entry, "id");
            bool isRevoked = !(entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("revoked", out JsonElement flag) && flag.ValueKind == JsonValueKind.False);
            listed += isRevoked ? 1 : 0;
            if (id is not null && isRevoked && SameId(id, credentialId))
            {
                return new RevocationOutcome(null, Revoked: true, CredentialJson.StringMember(entry, "revocationReason"), signed, authenticated, listed);
            }
        }

        return new RevocationOutcome(null, Revoked: false, null, signed, authenticated, listed);
    }

    // OB API-5 credential equality: the same id after trimming and percent-unescaping.
    private static bool SameId(string a, string b)
        => string.Equals(a, b, StringComparison.Ordinal)
            || string.Equals(Uri.UnescapeDataString(a.Trim()), Uri.UnescapeDataString(b.Trim()), StringComparison.Ordinal);

    private sealed record RevocationOutcome(string? Failure, bool Revoked, string? Reason, bool Signed, bool KeyAuthenticated, int Listed)
    {
        public static RevocationOutcome Fail(string failure) => new(failure, false, null, false, false, 0);
    }

    /// <summary>A status list after verification: the parsed list, or why it was refused.</summary>
    private sealed record ListOutcome(BitstringStatusListCredential? List, string? Error, bool KeyAuthenticated)
    {
        public static ListOutcome Fail(string error) => new(null, error, false);
    }

    /// <summary>What the status steps of one credential found, for the display status.</summary>
    private sealed class StatusTally
    {
        public bool Revoked { get; set; }

        public bool Suspended { get; set; }

        public bool Unknown { get; set; }

        public CredentialStatusState State => Revoked ? CredentialStatusState.Revoked
            : Suspended ? CredentialStatusState.Suspended
            : Unknown ? CredentialStatusState.Unknown
            : CredentialStatusState.Active;
    }

    /// <summary>Verified status lists by URL, reused while the source returns the same bytes (bounded, time-limited).</summary>
    private sealed class StatusListCache
    {
        private const int MaxEntries = 1024;
        private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

        public ListOutcome? TryGet(string url, ReadOnlySpan<byte> bytes, DateTimeOffset now)
            => _entries.TryGetValue(url, out Entry? entry) && entry.Until > now && bytes.SequenceEqual(entry.Bytes) ? entry.Outcome : null;

        public void Set(string url, byte[] bytes, DateTimeOffset until, ListOutcome outcome)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[url] = new Entry(bytes, until, outcome);
        }

        private sealed record Entry(byte[] Bytes, DateTimeOffset Until, ListOutcome Outcome);
    }
}
