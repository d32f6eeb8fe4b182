#!/usr/bin/env bash
# Load benchmark: build Release, start the service on a fresh data directory (SQLite) or a fresh database in a
# throwaway PostgreSQL cluster (one or several instances), run the load scenarios with tests/BadgeIssuer.LoadTest
# (closed loop, same machine), print a summary table, stop the service (and the cluster).
# Needs bash, coreutils and the .NET SDK; STORAGE=postgres also needs PostgreSQL's server binaries (initdb, pg_ctl,
# psql; e.g. Debian's postgresql package) and, when run as root, the postgres user to own the cluster.
#
# Environment (all optional):
#   STORAGE=sqlite      sqlite: a fresh data directory per service; postgres: a throwaway cluster created here
#                       (free port from 55432, loopback only, its own socket directory; durable settings left at
#                       PostgreSQL's defaults: fsync, synchronous_commit and full_page_writes on), a fresh database per
#                       service start, dropped after it, the cluster stopped and removed at exit
#   INSTANCES=1         service processes on ports PORT, PORT+1, ... (N > 1 needs STORAGE=postgres); they share the
#                       database, the key-encryption key, the API key and PublicBaseUrl http://localhost:PORT (the first
#                       instance: it starts first and bootstraps, then the others); the load generator sends the
#                       requests round-robin over all of them, as an HTTP load balancer would
#   PG_OPTS=            extra postgres server options, e.g. PG_OPTS="-c shared_buffers=512MB -c synchronous_commit=off"
#                       (max_connections is set to 100 per instance + 20: each instance's pool holds up to 100)
#   DB_CPUS=            like SERVER_CPUS, for the PostgreSQL cluster (default: no pinning)
#   SCENARIOS="awards issue issue+status batch status-list"   scenarios, run in this order (also: verify, health);
#                       issue sends options {} (no status entry), issue+status asks for a revocation entry like awards
#   REPEAT=2            runs per scenario (the summary shows each run and the median)
#   CONCURRENCY=32      connections / in-flight requests (BATCH_CONCURRENCY for batch, default 4)
#   DURATION=20s WARMUP=5s BATCH_SIZE=100
#   FRESH=1             a new service and data directory for every run (default), so no run starts with the status
#                       list another run nearly filled; FRESH=0: one service for all runs (a longer, soak-like test)
#   SERVER_CPUS= CLIENT_CPUS=   e.g. SERVER_CPUS=0 CLIENT_CPUS=1 pins each side with taskset (default: no pinning)
#   WAIT_IDLE=0         1: before each run wait (up to 10 min) until the machine is idle (<25% of one core busy over 3 s),
#                       for shared machines; the "other" column shows CPU used by neither side during the run either way
#   RateLimits__*       the service's rate limits are lifted (10^6/s) by default: all load comes from one address and one
#                       API key, which the production defaults (20,000/s per IP, 10,000/s per key) would throttle
#   BadgeIssuer__*      any other service setting exported in the environment reaches the service
#                       (e.g. BadgeIssuer__StatusIndexBlock=4096)
#   REFERENCE=js        after each run of issue or issue+status, the same run against the JavaScript reference issuer
#                       (tests/interop/reference-server.mjs: Digital Bazaar's vc + eddsa-rdfc-2022 cryptosuite, in memory,
#                       no storage or auth) on port REF_PORT (default PORT+100), pinned to SERVER_CPUS like the service,
#                       so the runs alternate; the summary adds each scenario's median ratio (ours / JS) and both p99s.
#                       Needs Node.js; installs tests/interop's packages with npm ci when missing
#   PORT=5090  RESULTS_DIR=bench/results/<timestamp>  NO_BUILD=1 (skip the build)
#
# The summary names the storage and instance count per row; "srv cpu" is summed over the instances (each run's
# output lists them one by one). With PostgreSQL it adds "db cpu" (postmaster and backends over the measurement
# window, read from /proc) and, per run, the database's size per stored credential.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1

SCENARIOS="${SCENARIOS:-awards issue issue+status batch status-list}"
REPEAT="${REPEAT:-2}"
CONCURRENCY="${CONCURRENCY:-32}"
BATCH_CONCURRENCY="${BATCH_CONCURRENCY:-4}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"
BATCH_SIZE="${BATCH_SIZE:-100}"
FRESH="${FRESH:-1}"
PORT="${PORT:-5090}"
STORAGE="${STORAGE:-sqlite}"
INSTANCES="${INSTANCES:-1}"
case "$STORAGE" in
    sqlite | postgres) ;;
    *) echo "STORAGE must be sqlite or postgres, not '$STORAGE'" >&2; exit 2 ;;
esac
if ! [[ "$INSTANCES" =~ ^[1-9][0-9]*$ ]]; then
    echo "INSTANCES must be a positive integer, not '$INSTANCES'" >&2
    exit 2
fi
if [ "$INSTANCES" -gt 1 ] && [ "$STORAGE" != postgres ]; then
    echo "INSTANCES=$INSTANCES needs STORAGE=postgres (SQLite is one process's file)" >&2
    exit 2
fi
# The service picks PostgreSQL whenever this is set; here STORAGE decides (postgres sets it per instance).
unset ConnectionStrings__Postgres
URLS=()
for i in $(seq 0 $((INSTANCES - 1))); do URLS+=("http://127.0.0.1:$((PORT + i))"); done
URL="${URLS[0]}"
RESULTS_DIR="${RESULTS_DIR:-bench/results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$RESULTS_DIR"

API_DLL=src/BadgeIssuer.Api/bin/Release/net10.0/BadgeIssuer.Api.dll
LOADTEST_DLL=tests/BadgeIssuer.LoadTest/bin/Release/net10.0/BadgeIssuer.LoadTest.dll

if [ "${NO_BUILD:-0}" != 1 ]; then
    echo "== build (Release)"
    dotnet build src/BadgeIssuer.Api/BadgeIssuer.Api.csproj -c Release -v quiet -nologo
    dotnet build tests/BadgeIssuer.LoadTest/BadgeIssuer.LoadTest.csproj -c Release -v quiet -nologo
fi

pin() { # pin CPUS CMD...: run CMD under taskset when CPUS is set (exec: `pin ... &` leaves $! = the command's pid)
    local cpus="$1"
    shift
    if [ -n "$cpus" ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

SERVICE_PIDS=()
DATA_DIRS=()
API_KEY=""
KEK=""

# ---- PostgreSQL (STORAGE=postgres): one throwaway cluster for the whole script, a fresh database per service start.
PG_BIN=""
PG_DIR=""
PG_PORT=""
PG_PID=""
PG_AS=()
DB_NAME=""

find_pg_bin() { # newest /usr/lib/postgresql/*/bin, else initdb/pg_ctl on PATH
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5nr); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN="$d"; return 0; fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v initdb)")"
        return 0
    fi
    return 1
}

psql_admin() { # psql_admin DATABASE SQL: one statement, unaligned tuples only
    local psql="$PG_BIN/psql"
    [ -x "$psql" ] || psql=psql
    "$psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -At -F ' ' -c "$2"
}

start_cluster() {
    find_pg_bin || { echo "STORAGE=postgres: no PostgreSQL server binaries (initdb, pg_ctl) found" >&2; exit 1; }
    # initdb refuses to run as root: then the cluster belongs to the postgres user (Debian's package creates it).
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || { echo "running as root and there is no postgres user to own the cluster" >&2; exit 1; }
        PG_AS=(runuser -u postgres --)
    fi
    PG_PORT=55432
    while (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do
        PG_PORT=$((PG_PORT + 1))
        [ "$PG_PORT" -lt 55500 ] || { echo "no free port in 55432-55499 for PostgreSQL" >&2; exit 1; }
    done
    # As root the cluster belongs to postgres, who must reach its directory: /tmp, whatever TMPDIR says.
    local tmp="${TMPDIR:-/tmp}"
    [ "$(id -u)" -ne 0 ] || tmp=/tmp
    PG_DIR="$(mktemp -d "$tmp/badgeissuer-bench-pg.XXXXXX")"
    chmod 755 "$PG_DIR"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$PG_DIR"
    "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
    # Loopback only, socket in its own directory. Durability stays at PostgreSQL's defaults (fsync,
    # synchronous_commit, full_page_writes on) so the figures compare with a real deployment; PG_OPTS may change it.
    local max_connections=$((100 * INSTANCES + 20))
    local pin_db=()
    if [ -n "${DB_CPUS:-}" ]; then pin_db=(taskset -c "$DB_CPUS"); fi
    "${pin_db[@]}" "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=$max_connections ${PG_OPTS:-}" \
        start >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
    PG_PID="$(head -1 "$PG_DIR/data/postmaster.pid")"
    echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (postmaster pid $PG_PID, $PG_DIR)${PG_OPTS:+, PG_OPTS: $PG_OPTS}"
}

stop_cluster() {
    if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
        cp "$PG_DIR/server.log" "$RESULTS_DIR/postgres.log" 2>/dev/null || true
        rm -rf "$PG_DIR"
    fi
    PG_DIR=""
}

# Size of the service's tables (with their indexes and TOAST) divided by the credentials stored, after a run.
record_db_size() { # record_db_size NAME RUN
    [ "$STORAGE" = postgres ] && [ -n "$DB_NAME" ] || return 0
    local counts
    counts="$(psql_admin "$DB_NAME" "SELECT (SELECT count(*) FROM credentials),
        (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r'),
        (SELECT coalesce(pg_total_relation_size('credentials'), 0)),
        pg_database_size(current_database());")" || { echo "(database size not read)"; return 0; }
    local creds tables credtable database
    read -r creds tables credtable database <<<"$counts"
    [ "$creds" -gt 0 ] || return 0
    local line
    line="$(printf '%-12s run %s  %s: %d credentials, tables %.1f MB = %d bytes/credential (credentials table alone %d), whole database %.1f MB%s' \
        "$1" "$2" "$STORAGE×$INSTANCES" "$creds" "$(awk "BEGIN{print $tables/1048576}")" $((tables / creds)) $((credtable / creds)) \
        "$(awk "BEGIN{print $database/1048576}")" "$([ "$FRESH" = 1 ] || echo ' (FRESH=0: cumulative)')")"
    echo "$line" | tee -a "$RESULTS_DIR/db-size.txt"
}

# PublicBaseUrl uses localhost, not 127.0.0.1: did:web ids need a DNS host name (the service refuses an IP there).
# The load still goes to 127.0.0.1; the load generator re-bases the status-list URLs it discovers onto --url.
LOGS=()
start_instance() { # start_instance INDEX (not in a subshell: it records the pid, data directory and log)
    local i="$1" url="${URLS[$1]}"
    local data log
    data="$(mktemp -d)"
    DATA_DIRS[i]="$data"
    log="$RESULTS_DIR/service-$(date +%H%M%S)$([ "$INSTANCES" = 1 ] || echo "-$((i + 1))").log"
    LOGS[i]="$log"
    local env=(
        BadgeIssuer__DataDirectory="$data"
        BadgeIssuer__Bootstrap__ApiKey="$API_KEY"
        BadgeIssuer__PublicBaseUrl="http://localhost:${PORT}"
        ASPNETCORE_ENVIRONMENT=Production
        Logging__LogLevel__Default=Warning
        RateLimits__Public__PermitsPerSecond="${RateLimits__Public__PermitsPerSecond:-1000000}"
        RateLimits__Public__Burst="${RateLimits__Public__Burst:-2000000}"
        RateLimits__ApiKey__PermitsPerSecond="${RateLimits__ApiKey__PermitsPerSecond:-1000000}"
        RateLimits__ApiKey__Burst="${RateLimits__ApiKey__Burst:-2000000}"
    )
    if [ "$STORAGE" = postgres ]; then
        env+=(
            ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$DB_NAME"
            BadgeIssuer__KeyEncryptionKey="$KEK"
        )
    fi
    pin "${SERVER_CPUS:-}" env "${env[@]}" dotnet "$API_DLL" --urls "$url" >"$log" 2>&1 &
    SERVICE_PIDS[i]=$!
}

wait_instance() { # wait_instance INDEX
    local pid="${SERVICE_PIDS[$1]}" log="${LOGS[$1]}"
    if ! dotnet "$LOADTEST_DLL" wait --url "${URLS[$1]}" --timeout 60s --pid "$pid"; then
        echo "service ${URLS[$1]} did not become ready; log: $log" >&2
        tail -20 "$log" >&2
        exit 1
    fi
    echo "== service ${URLS[$1]} pid $pid, data ${DATA_DIRS[$1]}, log $log"
}

start_service() {
    local url
    for url in "${URLS[@]}"; do
        if dotnet "$LOADTEST_DLL" wait --url "$url" --timeout 0.5s 2>/dev/null; then
            echo "something already answers on $url; stop it or set PORT" >&2
            exit 1
        fi
    done
    API_KEY="load-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    if [ "$STORAGE" = postgres ]; then
        KEK="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
        DB_NAME="bench_$(date +%H%M%S)_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        psql_admin postgres "CREATE DATABASE $DB_NAME;"
        echo "== database $DB_NAME"
    fi
    # The first instance migrates the schema and bootstraps the issuer and key; then the others start together.
    local i
    start_instance 0
    wait_instance 0
    for i in $(seq 1 $((INSTANCES - 1))); do start_instance "$i"; done
    for i in $(seq 1 $((INSTANCES - 1))); do wait_instance "$i"; done
}

stop_service() {
    local pid dir
    for pid in "${SERVICE_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
    done
    for pid in "${SERVICE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SERVICE_PIDS=()
    for dir in "${DATA_DIRS[@]}"; do rm -rf "$dir"; done
    DATA_DIRS=()
    LOGS=()
    if [ -n "$DB_NAME" ] && [ -n "$PG_DIR" ]; then
        psql_admin postgres "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE);" || true
    fi
    DB_NAME=""
}

cleanup() {
    if [ -n "${REF_PID:-}" ]; then kill -TERM "$REF_PID" 2>/dev/null || true; fi
    stop_service
    stop_cluster
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

machine_busy() { # % of one core busy over the last 3 s (all processes), from /proc/stat
    local a b
    read -r -a a < <(head -1 /proc/stat)
    sleep 3
    read -r -a b < <(head -1 /proc/stat)
    local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
    for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
    echo $(( total == 0 ? 0 : 100 * $(nproc) * (total - idle) / total ))
}

wait_idle() {
    local busy tries=0
    while busy="$(machine_busy)"; [ "$busy" -ge 25 ]; do
        tries=$((tries + 1))
        if [ "$tries" -ge 200 ]; then echo "(machine still busy: ${busy}% of one core; running anyway)"; return; fi
        if [ "$tries" = 1 ]; then echo "(machine busy: ${busy}% of one core with the service idle; waiting)"; fi
    done
}

run_scenario() { # run_scenario NAME RUN
    local scenario="$1" run="$2" conc="$CONCURRENCY"
    if [ "$scenario" = batch ]; then conc="$BATCH_CONCURRENCY"; fi
    if [ "${WAIT_IDLE:-0}" = 1 ]; then wait_idle; fi
    echo
    echo "== $scenario (run $run, $STORAGE, $INSTANCES instance$([ "$INSTANCES" = 1 ] || echo s), concurrency $conc, $WARMUP warm-up, $DURATION measured)"
    local targets=() url pid
    for url in "${URLS[@]}"; do targets+=(--url "$url"); done
    for pid in "${SERVICE_PIDS[@]}"; do targets+=(--server-pid "$pid"); done
    if [ -n "$PG_PID" ]; then targets+=(--db-pid "$PG_PID"); fi
    (pin "${CLIENT_CPUS:-}" dotnet "$LOADTEST_DLL" \
        "${targets[@]}" --storage "$STORAGE" --api-key "$API_KEY" --scenario "$scenario" \
        --concurrency "$conc" --duration "$DURATION" --warmup "$WARMUP" --batch-size "$BATCH_SIZE" \
        --json "$RESULTS_DIR/$scenario-$run.json") || echo "($scenario run $run reported errors)"
}

REFERENCE="${REFERENCE:-}"
REF_PORT="${REF_PORT:-$((PORT + 100))}"
REF_PID=""
case "$REFERENCE" in
    "" | js) ;;
    *) echo "REFERENCE must be js or empty, not '$REFERENCE'" >&2; exit 2 ;;
esac
if [ "$REFERENCE" = js ] && [ ! -d tests/interop/node_modules/@digitalbazaar/vc ]; then
    echo "== npm ci (tests/interop)"
    npm ci --prefix tests/interop --no-audit --no-fund >/dev/null
fi

run_reference() { # run_reference NAME RUN: the same scenario against a fresh JavaScript reference issuer
    local scenario="$1" run="$2" url="http://127.0.0.1:$REF_PORT" log="$RESULTS_DIR/reference-$(date +%H%M%S).log"
    if [ "${WAIT_IDLE:-0}" = 1 ]; then wait_idle; fi
    pin "${SERVER_CPUS:-}" node tests/interop/reference-server.mjs --port "$REF_PORT" >"$log" 2>&1 &
    REF_PID=$!
    if ! dotnet "$LOADTEST_DLL" wait --url "$url" --timeout 30s --pid "$REF_PID"; then
        echo "reference issuer did not start; log: $log" >&2
        tail -20 "$log" >&2
        exit 1
    fi
    echo
    echo "== $scenario (run $run, JavaScript reference issuer pid $REF_PID, concurrency $CONCURRENCY, $WARMUP warm-up, $DURATION measured)"
    (pin "${CLIENT_CPUS:-}" dotnet "$LOADTEST_DLL" \
        --url "$url" --server-pid "$REF_PID" --storage js-reference --issuer-id did:example:reference --scenario "$scenario" \
        --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" \
        --json "$RESULTS_DIR/$scenario-js-$run.json") || echo "($scenario JS run $run reported errors)"
    kill -TERM "$REF_PID" 2>/dev/null || true
    wait "$REF_PID" 2>/dev/null || true
    REF_PID=""
}

if [ "$STORAGE" = postgres ]; then start_cluster; fi

if [ "$FRESH" != 1 ]; then start_service; fi
for scenario in $SCENARIOS; do
    for run in $(seq 1 "$REPEAT"); do
        if [ "$FRESH" = 1 ]; then start_service; fi
        run_scenario "$scenario" "$run"
        record_db_size "$scenario" "$run"
        if [ "$FRESH" = 1 ]; then stop_service; fi
        if [ "$REFERENCE" = js ] && [[ "$scenario" == issue || "$scenario" == issue+status ]]; then run_reference "$scenario" "$run"; fi
    done
done
stop_service
stop_cluster

echo
echo "== summary (storage $STORAGE, $INSTANCES instance$([ "$INSTANCES" = 1 ] || echo s)${PG_OPTS:+ (PG_OPTS: $PG_OPTS)}, $(nproc) cores, load generator$([ "$STORAGE" = sqlite ] || echo " and database") on the same machine${SERVER_CPUS:+, server on CPUs $SERVER_CPUS}${DB_CPUS:+, database on CPUs $DB_CPUS}${CLIENT_CPUS:+, client on CPUs $CLIENT_CPUS}; results in $RESULTS_DIR)"
shopt -s nullglob
dotnet "$LOADTEST_DLL" report "$RESULTS_DIR"/*.json
if [ -s "$RESULTS_DIR/db-size.txt" ]; then
    echo
    echo "database size per credential after each run (PostgreSQL: tables with their indexes and TOAST / credentials stored)"
    cat "$RESULTS_DIR/db-size.txt"
fi
