#!/usr/bin/env bash
# BadgeIssuer walkthrough: create an achievement, award it, download the four files, verify the baked PNG,
# revoke, read the status list and verify again (now failing its status check).
#
#   dotnet run --project src/BadgeIssuer.Api            # in another terminal
#   bash samples/walkthrough.sh
#
# Environment:
#   BASE_URL  the service (default http://127.0.0.1:5080)
#   API_KEY   an API key with the manage, issue and revoke scopes (default: apiKey from $DATA_DIR/bootstrap.json)
#   DATA_DIR  the service's data directory (default ./data)
#   OUT_DIR   where the downloads go (default: a new temp directory)
#
# Needs bash, curl and jq or node (for reading JSON). Every step prints one line; any unexpected HTTP status
# stops the script with a non-zero exit code.
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:5080}"
BASE_URL="${BASE_URL%/}"
DATA_DIR="${DATA_DIR:-./data}"
OUT_DIR="${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/badgeissuer-walkthrough.XXXXXX")}"
mkdir -p "$OUT_DIR"

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

command -v curl >/dev/null 2>&1 || fail "curl is required"

# json FILE PATH: prints the value at a dotted PATH (e.g. .links.png, .credential.credentialStatus.statusListCredential);
# strings raw, other values as JSON, missing as empty.
if command -v jq >/dev/null 2>&1; then
  json() { jq -r "$2 | select(. != null)" "$1"; }
  # check FILE NAME: the status of the verification report's step NAME.
  check() { jq -r --arg n "$2" '[.checks[] | select(.name == $n) | .status][0] // empty' "$1"; }
elif command -v node >/dev/null 2>&1; then
  json() {
    node -e '
      const fs = require("fs");
      let v = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      for (const k of process.argv[2].split(".").filter(Boolean)) v = v == null ? undefined : v[k];
      if (v !== undefined && v !== null) console.log(typeof v === "string" ? v : JSON.stringify(v));
    ' "$1" "$2"
  }
  check() {
    node -e '
      const fs = require("fs");
      const c = (JSON.parse(fs.readFileSync(process.argv[1], "utf8")).checks || []).find(x => x.name === process.argv[2]);
      if (c) console.log(c.status);
    ' "$1" "$2"
  }
else
  fail "jq or node is required to read JSON"
fi

if [[ -z "${API_KEY:-}" ]]; then
  [[ -r "$DATA_DIR/bootstrap.json" ]] || fail "set API_KEY, or DATA_DIR to the service's data directory (no $DATA_DIR/bootstrap.json)"
  API_KEY="$(json "$DATA_DIR/bootstrap.json" .apiKey)"
  [[ -n "$API_KEY" ]] || fail "$DATA_DIR/bootstrap.json has no apiKey"
fi

# call EXPECTED OUTFILE CURL-ARGS...: runs curl, writes the body to OUTFILE and fails unless the status is EXPECTED
# (a |-separated list, e.g. 200|201).
call() {
  local expected="$1" out="$2" status shown
  shift 2
  shown="$*"
  shown="${shown//"$API_KEY"/<api key>}"
  status="$(curl -sS -o "$out" -w '%{http_code}' "$@")" || fail "curl $shown (exit $?)"
  if [[ "|$expected|" != *"|$status|"* ]]; then
    echo "FAILED: HTTP $status (expected $expected) from curl $shown" >&2
    head -c 2000 "$out" >&2 || true
    echo >&2
    exit 1
  fi
}

auth=(-H "Authorization: Bearer $API_KEY")

# 1. An achievement (a badge template).
call 201 "$OUT_DIR/achievement.json" "${auth[@]}" -H 'Content-Type: application/json' -X POST "$BASE_URL/achievements" --data-binary @- <<'EOF'
{
  "name": "Walkthrough Graduate",
  "description": "Completed the BadgeIssuer walkthrough.",
  "criteria": { "narrative": "Run samples/walkthrough.sh against a BadgeIssuer service." },
  "achievementType": "Badge",
  "tag": ["walkthrough"]
}
EOF
ACHIEVEMENT_ID="$(json "$OUT_DIR/achievement.json" .id)"
[[ -n "$ACHIEVEMENT_ID" ]] || fail "the achievement has no id"
echo "achievement created: $ACHIEVEMENT_ID"

# 2. Award it, as Data Integrity JSON and VC-JWT. A retry with the same Idempotency-Key returns the same credential.
IDEMPOTENCY_KEY="walkthrough-$(date +%s)-$$-$RANDOM"
call 201 "$OUT_DIR/award.json" "${auth[@]}" -H 'Content-Type: application/json' -H "Idempotency-Key: $IDEMPOTENCY_KEY" \
  -X POST "$BASE_URL/awards" --data-binary @- <<EOF
{
  "achievementId": "$ACHIEVEMENT_ID",
  "recipient": { "email": "learner@example.org", "name": "Ada Learner" },
  "format": "both"
}
EOF
CREDENTIAL_ID="$(json "$OUT_DIR/award.json" .credentialId)"
STATUS_LIST="$(json "$OUT_DIR/award.json" .credential.credentialStatus.statusListCredential)"
[[ -n "$CREDENTIAL_ID" && -n "$STATUS_LIST" ]] || fail "the award response has no credentialId or credentialStatus"
echo "awarded: $CREDENTIAL_ID (Idempotency-Key $IDEMPOTENCY_KEY)"

# 3. The four downloads (public: no API key).
for ext in json jwt png svg; do
  call 200 "$OUT_DIR/badge.$ext" "$CREDENTIAL_ID.$ext"
done
echo "downloaded: $(cd "$OUT_DIR" && for f in badge.json badge.jwt badge.png badge.svg; do printf '%s (%s bytes) ' "$f" "$(wc -c <"$f" | tr -d ' ')"; done)"

# 4. Verify the baked PNG.
call 200 "$OUT_DIR/verify-before.json" -H 'Content-Type: image/png' -X POST "$BASE_URL/credentials/verify" --data-binary "@$OUT_DIR/badge.png"
VERIFIED="$(json "$OUT_DIR/verify-before.json" .verified)"
echo "verified (badge.png): verified: $VERIFIED, status check: $(check "$OUT_DIR/verify-before.json" status)"
[[ "$VERIFIED" == "true" ]] || fail "the fresh badge did not verify: $(cat "$OUT_DIR/verify-before.json")"

# 5. Revoke it (permanent).
call 200 "$OUT_DIR/revoke.json" "${auth[@]}" -X POST "$CREDENTIAL_ID/revoke"
echo "revoked: $(json "$OUT_DIR/revoke.json" .credentialId) (status list version $(json "$OUT_DIR/revoke.json" .version))"

# 6. The issuer-signed status list the credential points to.
call 200 "$OUT_DIR/status-list.json" "$STATUS_LIST"
echo "status list: $STATUS_LIST ($(json "$OUT_DIR/status-list.json" .credentialSubject.statusPurpose), signed by $(json "$OUT_DIR/status-list.json" .issuer))"

# 7. Verify the same PNG again: the signature still holds, the status check now fails (422, with the report).
call 422 "$OUT_DIR/verify-after.json" -H 'Content-Type: image/png' -X POST "$BASE_URL/credentials/verify" --data-binary "@$OUT_DIR/badge.png"
VERIFIED="$(json "$OUT_DIR/verify-after.json" .verified)"
STATUS_CHECK="$(check "$OUT_DIR/verify-after.json" status)"
echo "re-verified after revocation (badge.png): verified: $VERIFIED, status check: $STATUS_CHECK"
[[ "$VERIFIED" == "false" && "$STATUS_CHECK" == "failed" ]] || fail "the revoked badge still verifies: $(cat "$OUT_DIR/verify-after.json")"

echo "done: files in $OUT_DIR"
