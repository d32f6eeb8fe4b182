namespace BadgeIssuer.Storage.Postgres;

/// <summary>
/// Numbered schema migrations, applied in order at open and recorded in <c>schema_migrations</c>, all inside one
/// transaction that holds an advisory lock, so instances starting at once apply each migration exactly once.
/// Never edit a shipped migration; add the next number. Times are <c>timestamptz</c> (microseconds); identity
/// <c>seq</c> columns break ties in insertion order where SQLite uses its rowid.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The advisory lock (two-int key space) held while migrating: 'B','I' and the schema's number.</summary>
    public const int LockClass = 0x4249;
    public const int LockObject = 1;

    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE issuers (
                id          text PRIMARY KEY,
                slug        text NOT NULL UNIQUE,
                profile     text NOT NULL,
                did_method  text NOT NULL,
                created_at  timestamptz NOT NULL
            );

            CREATE TABLE issuer_keys (
                issuer_id    text NOT NULL REFERENCES issuers(id),
                key_id       text NOT NULL,
                key_type     text NOT NULL,
                public_jwk   text NOT NULL,
                private_key  bytea NOT NULL,
                is_current   boolean NOT NULL,
                created_at   timestamptz NOT NULL,
                seq          bigint GENERATED ALWAYS AS IDENTITY,
                PRIMARY KEY (issuer_id, key_id)
            );
            -- Rotation moves the flag inside a transaction that locks the issuer row; this makes two current keys impossible.
            CREATE UNIQUE INDEX ux_issuer_keys_current ON issuer_keys(issuer_id, key_type) WHERE is_current;

            CREATE TABLE achievements (
                id          text PRIMARY KEY,
                issuer_id   text NOT NULL REFERENCES issuers(id),
                json        text NOT NULL,
                created_at  timestamptz NOT NULL,
                updated_at  timestamptz NOT NULL
            );
            CREATE INDEX ix_achievements_issuer ON achievements(issuer_id, created_at);

            CREATE TABLE achievement_images (
                achievement_id  text PRIMARY KEY REFERENCES achievements(id),
                media_type      text NOT NULL,
                bytes           bytea NOT NULL
            );

            CREATE TABLE credentials (
                id               text PRIMARY KEY,
                issuer_id        text NOT NULL REFERENCES issuers(id),
                achievement_id   text REFERENCES achievements(id),
                recipient        text NOT NULL,
                signed_json      text,
                jwt              text,
                status_entries   text,
                issued_at        timestamptz NOT NULL,
                idempotency_key  text,
                seq              bigint GENERATED ALWAYS AS IDENTITY
            );
            -- NULLs are distinct: credentials without a key never collide. Adds use it as the ON CONFLICT arbiter.
            CREATE UNIQUE INDEX ux_credentials_idempotency ON credentials(issuer_id, idempotency_key);
            CREATE INDEX ix_credentials_issuer ON credentials(issuer_id, issued_at, seq);

            CREATE TABLE status_lists (
                list_id      text PRIMARY KEY,
                issuer_id    text NOT NULL REFERENCES issuers(id),
                purpose      text NOT NULL,
                status_size  integer NOT NULL,
                length       integer NOT NULL,
                bitstring    bytea NOT NULL,
                version      bigint NOT NULL,
                allocated    integer NOT NULL CHECK (allocated BETWEEN 0 AND length),
                created_at   timestamptz NOT NULL,
                updated_at   timestamptz NOT NULL,
                seq          bigint GENERATED ALWAYS AS IDENTITY
            );
            CREATE INDEX ix_status_lists_open ON status_lists(issuer_id, purpose, status_size, created_at, seq);

            CREATE TABLE status_allocations (
                list_id        text NOT NULL REFERENCES status_lists(list_id),
                idx            integer NOT NULL,
                credential_id  text REFERENCES credentials(id),
                PRIMARY KEY (list_id, idx)
            );
            CREATE INDEX ix_status_allocations_credential ON status_allocations(credential_id);

            CREATE TABLE status_changes (
                seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                list_id        text NOT NULL REFERENCES status_lists(list_id),
                idx            integer NOT NULL,
                credential_id  text,
                old_value      integer NOT NULL,
                new_value      integer NOT NULL,
                actor          text NOT NULL,
                changed_at     timestamptz NOT NULL,
                version        bigint NOT NULL
            );
            CREATE INDEX ix_status_changes_list ON status_changes(list_id, seq);

            CREATE TABLE api_keys (
                key_id       text PRIMARY KEY,
                prefix       text NOT NULL,
                key_hash     bytea NOT NULL UNIQUE,
                issuer_id    text REFERENCES issuers(id),
                scopes       text NOT NULL,
                description  text NOT NULL,
                created_at   timestamptz NOT NULL,
                expires_at   timestamptz,
                revoked_at   timestamptz,
                seq          bigint GENERATED ALWAYS AS IDENTITY
            );
            CREATE INDEX ix_api_keys_issuer ON api_keys(issuer_id, created_at, seq);
            """),
        (2, """
            -- Append-only audit log: issuer, key, client and achievement changes, issuance, status changes.
            CREATE TABLE audit_log (
                seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                issuer_id   text,
                actor       text NOT NULL,
                action      text NOT NULL,
                target      text NOT NULL,
                at          timestamptz NOT NULL,
                request_id  text,
                details     text
            );
            CREATE INDEX ix_audit_issuer ON audit_log(issuer_id, seq);

            CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
            END;
            $$;
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
            """),
        (3, """
            -- The key that created each key (revoking a key revokes what it created, transitively). NULL for bootstrap
            -- and configured keys. Existing keys take their creator from the audit log's apikey.create / client.create
            -- entries (actor "api-key:<id>" or "oauth-client:<id>"), when that creator still exists.
            ALTER TABLE api_keys ADD COLUMN created_by text REFERENCES api_keys(key_id);
            CREATE INDEX ix_api_keys_created_by ON api_keys(created_by);
            UPDATE api_keys k SET created_by = (
                SELECT p.key_id FROM audit_log a JOIN api_keys p ON p.key_id = split_part(a.actor, ':', 2)
                WHERE a.action IN ('apikey.create', 'client.create') AND a.target = k.key_id AND p.key_id <> k.key_id
                ORDER BY a.seq LIMIT 1);
            """),
        (4, """
            -- Revocation records (issue 13): the caller's reason is kept with each status change; the latest change of
            -- one entry is found by (list, index).
            ALTER TABLE status_changes ADD COLUMN reason text;
            CREATE INDEX ix_status_changes_entry ON status_changes(list_id, idx, seq);

            -- Listing (issue 13): a keyed hash of the recipient (never the address), and the revoked/suspended state kept
            -- beside each credential by every status change. Existing rows take their state from their entries' latest
            -- recorded change; they have no keyed hash (see docs/listing.md).
            ALTER TABLE credentials ADD COLUMN recipient_key bytea;
            ALTER TABLE credentials ADD COLUMN revoked boolean NOT NULL DEFAULT false;
            ALTER TABLE credentials ADD COLUMN suspended boolean NOT NULL DEFAULT false;
            UPDATE credentials k SET
                revoked = COALESCE((SELECT c.new_value <> 0 FROM status_allocations a
                    JOIN status_lists l ON l.list_id = a.list_id AND l.purpose = 'revocation'
                    JOIN status_changes c ON c.list_id = a.list_id AND c.idx = a.idx
                    WHERE a.credential_id = k.id ORDER BY c.seq DESC LIMIT 1), false),
                suspended = COALESCE((SELECT c.new_value <> 0 FROM status_allocations a
                    JOIN status_lists l ON l.list_id = a.list_id AND l.purpose = 'suspension'
                    JOIN status_changes c ON c.list_id = a.list_id AND c.idx = a.idx
                    WHERE a.credential_id = k.id ORDER BY c.seq DESC LIMIT 1), false);
            CREATE INDEX ix_credentials_listing ON credentials(issuer_id, issued_at, id);
            CREATE INDEX ix_credentials_achievement ON credentials(issuer_id, achievement_id, issued_at, id);
            CREATE INDEX ix_credentials_recipient ON credentials(issuer_id, recipient_key, issued_at, id) WHERE recipient_key IS NOT NULL;
            CREATE INDEX ix_credentials_state ON credentials(issuer_id, revoked, suspended, issued_at, id);
            """),
        (5, """
            -- Webhooks (issue 13): per-issuer endpoints (the signing secret encrypted under the KEK), the transactional
            -- outbox (one row per message and endpoint, written in the transaction of the change) and every attempt.
            CREATE TABLE webhook_endpoints (
                id           text PRIMARY KEY,
                issuer_id    text NOT NULL REFERENCES issuers(id),
                url          text NOT NULL,
                event_types  text NOT NULL,
                description  text NOT NULL,
                secret       bytea NOT NULL,
                enabled      boolean NOT NULL,
                created_at   timestamptz NOT NULL,
                updated_at   timestamptz NOT NULL,
                seq          bigint GENERATED ALWAYS AS IDENTITY
            );
            CREATE INDEX ix_webhook_endpoints_issuer ON webhook_endpoints(issuer_id, created_at, seq);

            CREATE TABLE webhook_deliveries (
                seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                endpoint_id      text NOT NULL REFERENCES webhook_endpoints(id),
                message_id       text NOT NULL,
                event_type       text NOT NULL,
                payload          text NOT NULL,
                created_at       timestamptz NOT NULL,
                state            text NOT NULL,
                attempts         integer NOT NULL,
                next_attempt_at  timestamptz NOT NULL,
                lease_owner      text,
                lease_until      timestamptz,
                completed_at     timestamptz,
                last_status      integer,
                last_error       text
            );
            CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, seq);
            CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries(endpoint_id, seq) WHERE state = 'pending';
            CREATE INDEX ix_webhook_deliveries_message ON webhook_deliveries(endpoint_id, message_id);
            CREATE INDEX ix_webhook_deliveries_completed ON webhook_deliveries(completed_at) WHERE state <> 'pending';

            CREATE TABLE webhook_attempts (
                seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                delivery_seq  bigint NOT NULL REFERENCES webhook_deliveries(seq),
                attempted_at  timestamptz NOT NULL,
                status_code   integer,
                error         text,
                duration_ms   integer NOT NULL
            );
            CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts(delivery_seq, seq);
            """),
        (6, """
            -- Learner delivery: a holder-bound re-issue names its original (and shares its status entry).
            ALTER TABLE credentials ADD COLUMN reissue_of text REFERENCES credentials(id);
            CREATE INDEX ix_credentials_reissue ON credentials(reissue_of) WHERE reissue_of IS NOT NULL;

            -- One-time credential offers (OpenID4VCI pre-authorized code); secrets only as SHA-256 hashes.
            CREATE TABLE credential_offers (
                offer_id                 text PRIMARY KEY,
                credential_id            text NOT NULL REFERENCES credentials(id),
                issuer_id                text NOT NULL REFERENCES issuers(id),
                handle_hash              bytea NOT NULL UNIQUE,
                code_hash                bytea NOT NULL UNIQUE,
                tx_code_hash             bytea,
                tx_code_length           integer,
                tx_code_description      text,
                tx_failures              integer NOT NULL DEFAULT 0,
                state                    text NOT NULL,
                created_at               timestamptz NOT NULL,
                expires_at               timestamptz NOT NULL,
                created_by               text NOT NULL,
                token_hash               bytea UNIQUE,
                token_expires_at         timestamptz,
                granted_identifiers      text,
                redeemed_via             text,
                redeemed_at              timestamptz,
                delivered_at             timestamptz,
                delivered_credential_id  text REFERENCES credentials(id),
                withdrawn_at             timestamptz,
                seq                      bigint GENERATED ALWAYS AS IDENTITY
            );
            CREATE INDEX ix_credential_offers_credential ON credential_offers(credential_id, created_at, seq);

            -- OpenID4VCI c_nonce values already used in a proof, kept until they expire.
            CREATE TABLE used_nonces (
                nonce_hash  bytea PRIMARY KEY,
                expires_at  timestamptz NOT NULL
            );
            CREATE INDEX ix_used_nonces_expiry ON used_nonces(expires_at);
            """),
        (7, """
            -- Pathways (stackable credentials): an achievement may declare the achievements it is composed of (all of them,
            -- or n of them), kept beside its OB document; parts keep the declared order. A composite credential records the
            -- rule it was awarded under and every part credential that counted (with the part's own validUntil), written in
            -- the transaction that stores it.
            CREATE TABLE achievement_pathways (
                achievement_id  text PRIMARY KEY REFERENCES achievements(id),
                rule            text NOT NULL,
                required        integer NOT NULL,
                auto_award      boolean NOT NULL,
                updated_at      timestamptz NOT NULL
            );

            CREATE TABLE achievement_pathway_parts (
                achievement_id  text NOT NULL REFERENCES achievement_pathways(achievement_id),
                position        integer NOT NULL,
                part_id         text NOT NULL REFERENCES achievements(id),
                PRIMARY KEY (achievement_id, position),
                UNIQUE (achievement_id, part_id)
            );
            CREATE INDEX ix_achievement_pathway_parts_part ON achievement_pathway_parts(part_id);

            CREATE TABLE pathway_awards (
                credential_id   text PRIMARY KEY REFERENCES credentials(id),
                achievement_id  text NOT NULL,
                rule            text NOT NULL,
                required        integer NOT NULL
            );

            CREATE TABLE pathway_award_parts (
                credential_id        text NOT NULL REFERENCES pathway_awards(credential_id),
                position             integer NOT NULL,
                part_credential_id   text NOT NULL REFERENCES credentials(id),
                part_achievement_id  text NOT NULL,
                valid_until          timestamptz,
                PRIMARY KEY (credential_id, position)
            );
            CREATE INDEX ix_pathway_award_parts_part ON pathway_award_parts(part_credential_id);
            """),
    ];
}
