#!/usr/bin/env bash
# HTTP benchmark of the Open Referral UK search: GET /api/openreferral/service_at_locations with
# postcode + proximity + age + taxonomy term, anonymous, over a directory of 10,000 services
# (the demo's Leicester directory generator), release build, wrk on loopback, SQLite and
# PostgreSQL. Each request picks one of 12 real Leicester postcodes, 6 categories and 3 age
# ranges (wrk Lua script), so no single answer is repeated. See bench/README.md.
#
#   bench/directory.sh
#
# Settings (environment):
#   SERVICES=10000       services in the directory
#   DURATION=20          seconds of each measured wrk run
#   RUNS=3               measured runs per setting; medians are reported
#   CONNECTIONS="8 64"   wrk connections, one setting after another
#   THREADS=2            wrk threads
#   WARMUP=5             seconds of warm-up
#   DATABASES="sqlite postgres"
#   EVERYCHILD_BENCH_POSTGRES   PostgreSQL URL (default postgres://postgres@127.0.0.1:5432/test);
#                        a fresh schema is made in it and dropped afterwards
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SERVICES=${SERVICES:-10000}
DURATION=${DURATION:-20}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-"8 64"}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5}
DATABASES=${DATABASES:-"sqlite postgres"}
PG_BASE=${EVERYCHILD_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
FLOOR_P99_MS=10

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

WORK=$(mktemp -d /tmp/everychild-bench-dir.XXXXXX)
SERVER_PID=""
PG_SCHEMA=""

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
drop_schema() {
  if [[ -n $PG_SCHEMA ]]; then
    PGCONNECT_TIMEOUT=5 psql "$PG_BASE" -Xq -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1 || true
    PG_SCHEMA=""
  fi
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  drop_schema
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! have wrk; then
  say "Installing wrk from Debian..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
have curl || die "curl is needed"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
have cargo || die "Rust is not installed: install a current stable toolchain with rustup (https://rustup.rs)"
say "Building everychild (release)..."
cargo build --release -q -p everychild
BIN=$PWD/target/release/everychild

free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port found"
}
to_ms() {
  awk -v v="$1" 'BEGIN { n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") f = 0.001; else if (u == "ms") f = 1; else if (u == "s") f = 1000; else exit 1
    printf "%.3f", n * f }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {
  if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Requests: 12 real Leicester postcodes × 6 of the demo directory's categories (their ids are
# fixed in crates/synth/src/directory/templates.rs) × 3 age ranges, within 3 km.
cat >"$WORK/queries.lua" <<'LUA'
local postcodes = {"LE2%208TJ", "LE3%201QG", "LE2%201DF", "LE5%206RD", "LE3%209TE", "LE4%205FF",
  "LE2%203WB", "LE2%200GR", "LE1%206WP", "LE1%202ND", "LE4%200DE", "LE4%209JR"}
local terms = {"9c45e5c5-d256-4144-975a-a89911cbf4e9", "f052a809-5ad9-4d76-a5db-e33d86bfff55",
  "44efddcd-f725-46c6-9587-192eced6ac5c", "7c1094e0-c921-440d-96f9-bf342215d0ad",
  "30ff67fc-1090-414e-9c2b-92e17369f3cf", "59538963-a155-4bcd-84f3-fafead6bb1aa"}
local ages = {"minimum_age=0&maximum_age=5", "minimum_age=0&maximum_age=19", "minimum_age=5"}
local n = 0
request = function()
  n = n + 1
  local path = "/api/openreferral/service_at_locations?postcode=" .. postcodes[n % #postcodes + 1]
    .. "&proximity=3000&" .. ages[n % #ages + 1] .. "&taxonomy_term_id=" .. terms[n % #terms + 1]
  return wrk.format("GET", path)
end
LUA

summary=()
for db in $DATABASES; do
  case $db in
    sqlite) url="sqlite:$WORK/bench.db" ;;
    postgres)
      PG_SCHEMA="bench_dir_$$"
      psql "$PG_BASE" -Xq -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null || die "cannot reach PostgreSQL at $PG_BASE"
      sep='?'; [[ $PG_BASE == *\?* ]] && sep='&'
      url="${PG_BASE}${sep}options=-c%20search_path%3D${PG_SCHEMA}" ;;
    *) die "unknown database $db" ;;
  esac
  say "Building the demo with $SERVICES services on $db..."
  start=$(date +%s.%N)
  EVERYCHILD_LOG=warn "$BIN" demo --no-serve --population 0 --directory "$SERVICES" --database "$url" >"$WORK/$db-demo.log" 2>&1 ||
    { cat "$WORK/$db-demo.log" >&2; die "the demo was not built ($db)"; }
  build_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  port=$(free_port)
  EVERYCHILD_LOG=warn "$BIN" serve --database "$url" --listen "127.0.0.1:$port" >"$WORK/$db-server.log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$db-server.log" >&2; die "the server stopped ($db)"; }
    [[ $i == 300 ]] && die "the server was not ready after 30 s ($db)"
    sleep 0.1
  done
  base="http://127.0.0.1:$port"
  total=$(curl -fs "$base/api/openreferral/services?per_page=1" | sed -n 's/.*"total_items":\([0-9]*\).*/\1/p')
  [[ $total -ge $SERVICES*9/10 ]] || die "the directory has $total services, not about $SERVICES ($db)"
  sample=$(curl -fs "$base/api/openreferral/service_at_locations?postcode=LE1%206WP&proximity=3000&minimum_age=0&maximum_age=19&taxonomy_term_id=30ff67fc-1090-414e-9c2b-92e17369f3cf" |
    sed -n 's/.*"total_items":\([0-9]*\).*/\1/p')
  say "$db: $total services published (demo built in ${build_s} s); a sample query finds $sample services at locations."
  wrk -t"$THREADS" -c8 -d"${WARMUP}s" -s "$WORK/queries.lua" "$base" >/dev/null
  for c in $CONNECTIONS; do
    rps_l=(); p50_l=(); p99_l=()
    for r in $(seq "$RUNS"); do
      out=$WORK/$db-$c-$r.txt
      wrk -t"$THREADS" -c"$c" -d"${DURATION}s" --latency -s "$WORK/queries.lua" "$base" >"$out"
      grep -q "Non-2xx" "$out" && { cat "$out" >&2; die "some answers were not 200 ($db)"; }
      rps=$(awk '/Requests\/sec/ {print $2}' "$out")
      p50=$(to_ms "$(awk '/Latency Distribution/ {f = 1; next} f && $1 == "50%" {print $2; exit}' "$out")")
      p99=$(to_ms "$(awk '/Latency Distribution/ {f = 1; next} f && $1 == "99%" {print $2; exit}' "$out")")
      say "  $db, $c connections, run $r: $rps req/s, p50 $p50 ms, p99 $p99 ms (load $(cut -d' ' -f1 /proc/loadavg))"
      rps_l+=("$rps"); p50_l+=("$p50"); p99_l+=("$p99")
    done
    m99=$(median "${p99_l[@]}")
    verdict=$(awk -v p="$m99" -v f="$FLOOR_P99_MS" 'BEGIN {print (p <= f) ? "PASS" : "FAIL"}')
    summary+=("$(printf '| %-8s | %3s | %9s | %8s | %8s | %s |' "$db" "$c" "$(median "${rps_l[@]}")" "$(median "${p50_l[@]}")" "$m99" "$verdict")")
  done
  stop_server
  drop_schema
done

echo
echo "GET /api/openreferral/service_at_locations (postcode + proximity 3 km + age + taxonomy term)"
echo "over $SERVICES services; wrk -t$THREADS -d${DURATION}s, medians of $RUNS runs; floor p99 <= ${FLOOR_P99_MS} ms"
echo
echo "| database | connections | req/s | p50 ms | p99 ms | floor |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
