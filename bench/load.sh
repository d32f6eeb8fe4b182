#!/usr/bin/env bash
# Load benchmark: build Release, start the service on a fresh data directory, run the load scenarios with
# tests/BadgeIssuer.LoadTest (closed loop, same machine), print a summary table, stop the service.
# Needs only bash, coreutils and the .NET SDK.
#
# Environment (all optional):
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
#   PORT=5090  RESULTS_DIR=bench/results/<timestamp>  NO_BUILD=1 (skip the build)
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
URL="http://127.0.0.1:${PORT}"
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

SERVICE_PID=""
DATA_DIR=""
API_KEY=""

# PublicBaseUrl uses localhost, not 127.0.0.1: did:web ids need a DNS host name (the service refuses an IP there).
# The load still goes to 127.0.0.1; the load generator re-bases the status-list URLs it discovers onto --url.
start_service() {
    if dotnet "$LOADTEST_DLL" wait --url "$URL" --timeout 0.5s 2>/dev/null; then
        echo "something already answers on $URL; stop it or set PORT" >&2
        exit 1
    fi
    DATA_DIR="$(mktemp -d)"
    API_KEY="load-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    local log="$RESULTS_DIR/service-$(date +%H%M%S).log"
    BadgeIssuer__DataDirectory="$DATA_DIR" \
    BadgeIssuer__Bootstrap__ApiKey="$API_KEY" \
    BadgeIssuer__PublicBaseUrl="http://localhost:${PORT}" \
    ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning \
    RateLimits__Public__PermitsPerSecond="${RateLimits__Public__PermitsPerSecond:-1000000}" \
    RateLimits__Public__Burst="${RateLimits__Public__Burst:-2000000}" \
    RateLimits__ApiKey__PermitsPerSecond="${RateLimits__ApiKey__PermitsPerSecond:-1000000}" \
    RateLimits__ApiKey__Burst="${RateLimits__ApiKey__Burst:-2000000}" \
        pin "${SERVER_CPUS:-}" dotnet "$API_DLL" --urls "$URL" >"$log" 2>&1 &
    SERVICE_PID=$!
    if ! dotnet "$LOADTEST_DLL" wait --url "$URL" --timeout 60s --pid "$SERVICE_PID"; then
        echo "service did not become ready; log: $log" >&2
        tail -20 "$log" >&2
        exit 1
    fi
    echo "== service pid $SERVICE_PID, data $DATA_DIR, log $log"
}

stop_service() {
    if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then
        kill -TERM "$SERVICE_PID"
        wait "$SERVICE_PID" 2>/dev/null || true
    fi
    SERVICE_PID=""
    if [ -n "$DATA_DIR" ]; then
        rm -rf "$DATA_DIR"
        DATA_DIR=""
    fi
}
trap stop_service EXIT

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
    echo "== $scenario (run $run, concurrency $conc, $WARMUP warm-up, $DURATION measured)"
    (pin "${CLIENT_CPUS:-}" dotnet "$LOADTEST_DLL" \
        --url "$URL" --api-key "$API_KEY" --scenario "$scenario" \
        --concurrency "$conc" --duration "$DURATION" --warmup "$WARMUP" --batch-size "$BATCH_SIZE" \
        --server-pid "$SERVICE_PID" --json "$RESULTS_DIR/$scenario-$run.json") || echo "($scenario run $run reported errors)"
}

if [ "$FRESH" != 1 ]; then start_service; fi
for scenario in $SCENARIOS; do
    for run in $(seq 1 "$REPEAT"); do
        if [ "$FRESH" = 1 ]; then start_service; fi
        run_scenario "$scenario" "$run"
        if [ "$FRESH" = 1 ]; then stop_service; fi
    done
done
stop_service

echo
echo "== summary ($(nproc) cores, load generator on the same machine${SERVER_CPUS:+, server on CPUs $SERVER_CPUS}${CLIENT_CPUS:+, client on CPUs $CLIENT_CPUS}; results in $RESULTS_DIR)"
shopt -s nullglob
dotnet "$LOADTEST_DLL" report "$RESULTS_DIR"/*.json
