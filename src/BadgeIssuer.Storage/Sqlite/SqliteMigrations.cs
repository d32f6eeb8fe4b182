namespace BadgeIssuer.Storage.Sqlite;

/// <summary>
/// Numbered schema migrations, applied in order at open and recorded in <c>schema_version</c>.
/// Never edit a shipped migration; add the next number. Timestamps are UTC ticks (INTEGER);
/// rowid breaks ties in creation order.
/// </summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE issuers (
                id          TEXT PRIMARY KEY,
                slug        TEXT NOT NULL UNIQUE,
                profile     TEXT NOT NULL,
                did_method  TEXT NOT NULL,
                created_at  INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE issuer_keys (
                issuer_id    TEXT NOT NULL REFERENCES issuers(id),
                key_id       TEXT NOT NULL,
                key_type     TEXT NOT NULL,
                public_jwk   TEXT NOT NULL,
                private_key  BLOB NOT NULL,
                is_current   INTEGER NOT NULL,
                created_at   INTEGER NOT NULL,
                seq          INTEGER NOT NULL,
                PRIMARY KEY (issuer_id, key_id)
            ) STRICT;

            CREATE TABLE achievements (
                id          TEXT PRIMARY KEY,
                issuer_id   TEXT NOT NULL REFERENCES issuers(id),
                json        TEXT NOT NULL,
                created_at  INTEGER NOT NULL,
                updated_at  INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_achievements_issuer ON achievements(issuer_id, created_at);

            CREATE TABLE credentials (
                id               TEXT PRIMARY KEY,
                issuer_id        TEXT NOT NULL REFERENCES issuers(id),
                achievement_id   TEXT REFERENCES achievements(id),
                recipient        TEXT NOT NULL,
                signed_json      TEXT,
                jwt              TEXT,
                status_entries   TEXT,
                issued_at        INTEGER NOT NULL,
                idempotency_key  TEXT
            ) STRICT;
            -- NULLs are distinct in a SQLite unique index: credentials without a key never collide.
            CREATE UNIQUE INDEX ux_credentials_idempotency ON credentials(issuer_id, idempotency_key);

            CREATE TABLE status_lists (
                list_id      TEXT PRIMARY KEY,
                issuer_id    TEXT NOT NULL REFERENCES issuers(id),
                purpose      TEXT NOT NULL,
                status_size  INTEGER NOT NULL,
                length       INTEGER NOT NULL,
                bitstring    BLOB NOT NULL,
                version      INTEGER NOT NULL,
                allocated    INTEGER NOT NULL,
                created_at   INTEGER NOT NULL,
                updated_at   INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_status_lists_open ON status_lists(issuer_id, purpose, status_size, created_at);

            CREATE TABLE status_allocations (
                list_id        TEXT NOT NULL REFERENCES status_lists(list_id),
                idx            INTEGER NOT NULL,
                credential_id  TEXT REFERENCES credentials(id),
                PRIMARY KEY (list_id, idx)
            ) STRICT;
            CREATE INDEX ix_status_allocations_credential ON status_allocations(credential_id);
            """),
        (2, """
            -- Every status change: who, when, what (issue 4, revocation and suspension).
            CREATE TABLE status_changes (
                seq            INTEGER PRIMARY KEY AUTOINCREMENT,
                list_id        TEXT NOT NULL REFERENCES status_lists(list_id),
                idx            INTEGER NOT NULL,
                credential_id  TEXT,
                old_value      INTEGER NOT NULL,
                new_value      INTEGER NOT NULL,
                actor          TEXT NOT NULL,
                changed_at     INTEGER NOT NULL,
                version        INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_status_changes_list ON status_changes(list_id, seq);
            """),
        (3, """
            -- API keys: only the SHA-256 of a key is kept (issue 4 bootstrap key; issue 6 per-issuer keys).
            CREATE TABLE api_keys (
                key_id       TEXT PRIMARY KEY,
                prefix       TEXT NOT NULL,
                key_hash     BLOB NOT NULL UNIQUE,
                issuer_id    TEXT REFERENCES issuers(id),
                scopes       TEXT NOT NULL,
                description  TEXT NOT NULL,
                created_at   INTEGER NOT NULL,
                expires_at   INTEGER,
                revoked_at   INTEGER
            ) STRICT;
            CREATE INDEX ix_api_keys_issuer ON api_keys(issuer_id, created_at);
            CREATE INDEX ix_credentials_issuer ON credentials(issuer_id, issued_at);

            -- An achievement's own PNG/SVG image (uploaded as a data: URI), baked into badge downloads.
            CREATE TABLE achievement_images (
                achievement_id  TEXT PRIMARY KEY REFERENCES achievements(id),
                media_type      TEXT NOT NULL,
                bytes           BLOB NOT NULL
            ) STRICT;
            """),
        (4, """
            -- Append-only audit log (issue 6): issuer, key, client and achievement changes, issuance, status changes.
            CREATE TABLE audit_log (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                issuer_id   TEXT,
                actor       TEXT NOT NULL,
                action      TEXT NOT NULL,
                target      TEXT NOT NULL,
                at          INTEGER NOT NULL,
                request_id  TEXT,
                details     TEXT
            ) STRICT;
            CREATE INDEX ix_audit_issuer ON audit_log(issuer_id, seq);
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
            """),
        (5, """
            -- The key that created each key (revoking a key revokes what it created, transitively). NULL for bootstrap
            -- and configured keys. Existing keys take their creator from the audit log's apikey.create / client.create
            -- entries (actor "api-key:<id>" or "oauth-client:<id>"), when that creator still exists.
            ALTER TABLE api_keys ADD COLUMN created_by TEXT REFERENCES api_keys(key_id);
            CREATE INDEX ix_api_keys_created_by ON api_keys(created_by);
            UPDATE api_keys SET created_by = (
                SELECT p.key_id FROM audit_log a JOIN api_keys p ON p.key_id = substr(a.actor, instr(a.actor, ':') + 1)
                WHERE a.action IN ('apikey.create', 'client.create') AND a.target = api_keys.key_id AND p.key_id <> api_keys.key_id
                ORDER BY a.seq LIMIT 1);
            """),
        (6, """
            -- Revocation records (issue 13): the caller's reason is kept with each status change; the latest change of
            -- one entry is found by (list, index).
            ALTER TABLE status_changes ADD COLUMN reason TEXT;
            CREATE INDEX ix_status_changes_entry ON status_changes(list_id, idx, seq);

            -- Listing (issue 13): a keyed hash of the recipient (never the address), and the revoked/suspended state kept
            -- beside each credential by every status change. Existing rows take their state from their entries' latest
            -- recorded change; they have no keyed hash (see docs/listing.md).
            ALTER TABLE credentials ADD COLUMN recipient_key BLOB;
            ALTER TABLE credentials ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE credentials ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
            UPDATE credentials SET
                revoked = COALESCE((SELECT c.new_value <> 0 FROM status_allocations a
                    JOIN status_lists l ON l.list_id = a.list_id AND l.purpose = 'revocation'
                    JOIN status_changes c ON c.list_id = a.list_id AND c.idx = a.idx
                    WHERE a.credential_id = credentials.id ORDER BY c.seq DESC LIMIT 1), 0),
                suspended = COALESCE((SELECT c.new_value <> 0 FROM status_allocations a
                    JOIN status_lists l ON l.list_id = a.list_id AND l.purpose = 'suspension'
                    JOIN status_changes c ON c.list_id = a.list_id AND c.idx = a.idx
                    WHERE a.credential_id = credentials.id ORDER BY c.seq DESC LIMIT 1), 0);
            CREATE INDEX ix_credentials_listing ON credentials(issuer_id, issued_at, id);
            CREATE INDEX ix_credentials_achievement ON credentials(issuer_id, achievement_id, issued_at, id);
            CREATE INDEX ix_credentials_recipient ON credentials(issuer_id, recipient_key, issued_at, id) WHERE recipient_key IS NOT NULL;
            CREATE INDEX ix_credentials_state ON credentials(issuer_id, revoked, suspended, issued_at, id);
            """),
        (7, """
            -- Webhooks (issue 13): per-issuer endpoints (the signing secret encrypted under the KEK), the transactional
            -- outbox (one row per message and endpoint, written in the transaction of the change) and every attempt.
            CREATE TABLE webhook_endpoints (
                id           TEXT PRIMARY KEY,
                issuer_id    TEXT NOT NULL REFERENCES issuers(id),
                url          TEXT NOT NULL,
                event_types  TEXT NOT NULL,
                description  TEXT NOT NULL,
                secret       BLOB NOT NULL,
                enabled      INTEGER NOT NULL,
                created_at   INTEGER NOT NULL,
                updated_at   INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_webhook_endpoints_issuer ON webhook_endpoints(issuer_id, created_at);

            CREATE TABLE webhook_deliveries (
                seq              INTEGER PRIMARY KEY AUTOINCREMENT,
                endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
                message_id       TEXT NOT NULL,
                event_type       TEXT NOT NULL,
                payload          TEXT NOT NULL,
                created_at       INTEGER NOT NULL,
                state            TEXT NOT NULL,
                attempts         INTEGER NOT NULL,
                next_attempt_at  INTEGER NOT NULL,
                lease_owner      TEXT,
                lease_until      INTEGER,
                completed_at     INTEGER,
                last_status      INTEGER,
                last_error       TEXT
            ) STRICT;
            CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, seq);
            CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries(endpoint_id, seq) WHERE state = 'pending';
            CREATE INDEX ix_webhook_deliveries_message ON webhook_deliveries(endpoint_id, message_id);
            CREATE INDEX ix_webhook_deliveries_completed ON webhook_deliveries(completed_at) WHERE state <> 'pending';

            CREATE TABLE webhook_attempts (
                seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                delivery_seq  INTEGER NOT NULL REFERENCES webhook_deliveries(seq),
                attempted_at  INTEGER NOT NULL,
                status_code   INTEGER,
                error         TEXT,
                duration_ms   INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts(delivery_seq, seq);
            """),
        (8, """
            -- Learner delivery: a holder-bound re-issue names its original (and shares its status entry).
            ALTER TABLE credentials ADD COLUMN reissue_of TEXT REFERENCES credentials(id);
            CREATE INDEX ix_credentials_reissue ON credentials(reissue_of) WHERE reissue_of IS NOT NULL;

            -- One-time credential offers (OpenID4VCI pre-authorized code); secrets only as SHA-256 hashes.
            CREATE TABLE credential_offers (
                offer_id                 TEXT PRIMARY KEY,
                credential_id            TEXT NOT NULL REFERENCES credentials(id),
                issuer_id                TEXT NOT NULL REFERENCES issuers(id),
                handle_hash              BLOB NOT NULL UNIQUE,
                code_hash                BLOB NOT NULL UNIQUE,
                tx_code_hash             BLOB,
                tx_code_length           INTEGER,
                tx_code_description      TEXT,
                tx_failures              INTEGER NOT NULL DEFAULT 0,
                state                    TEXT NOT NULL,
                created_at               INTEGER NOT NULL,
                expires_at               INTEGER NOT NULL,
                created_by               TEXT NOT NULL,
                token_hash               BLOB UNIQUE,
                token_expires_at         INTEGER,
                granted_identifiers      TEXT,
                redeemed_via             TEXT,
                redeemed_at              INTEGER,
                delivered_at             INTEGER,
                delivered_credential_id  TEXT REFERENCES credentials(id),
                withdrawn_at             INTEGER
            ) STRICT;
            CREATE INDEX ix_credential_offers_credential ON credential_offers(credential_id, created_at);

            -- OpenID4VCI c_nonce values already used in a proof, kept until they expire.
            CREATE TABLE used_nonces (
                nonce_hash  BLOB PRIMARY KEY,
                expires_at  INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX ix_used_nonces_expiry ON used_nonces(expires_at);
            """),
        (9, """
            -- Pathways (stackable credentials): an achievement may declare the achievements it is composed of (all of them,
            -- or n of them), kept beside its OB document; parts keep the declared order. A composite credential records the
            -- rule it was awarded under and every part credential that counted (with the part's own validUntil), written in
            -- the transaction that stores it.
            CREATE TABLE achievement_pathways (
                achievement_id  TEXT PRIMARY KEY REFERENCES achievements(id),
                rule            TEXT NOT NULL,
                required        INTEGER NOT NULL,
                auto_award      INTEGER NOT NULL,
                updated_at      INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE achievement_pathway_parts (
                achievement_id  TEXT NOT NULL REFERENCES achievement_pathways(achievement_id),
                position        INTEGER NOT NULL,
                part_id         TEXT NOT NULL REFERENCES achievements(id),
                PRIMARY KEY (achievement_id, position),
                UNIQUE (achievement_id, part_id)
            ) STRICT;
            CREATE INDEX ix_achievement_pathway_parts_part ON achievement_pathway_parts(part_id);

            CREATE TABLE pathway_awards (
                credential_id   TEXT PRIMARY KEY REFERENCES credentials(id),
                achievement_id  TEXT NOT NULL,
                rule            TEXT NOT NULL,
                required        INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE pathway_award_parts (
                credential_id        TEXT NOT NULL REFERENCES pathway_awards(credential_id),
                position             INTEGER NOT NULL,
                part_credential_id   TEXT NOT NULL REFERENCES credentials(id),
                part_achievement_id  TEXT NOT NULL,
                valid_until          INTEGER,
                PRIMARY KEY (credential_id, position)
            ) STRICT;
            CREATE INDEX ix_pathway_award_parts_part ON pathway_award_parts(part_credential_id);
            """),
    ];
}
