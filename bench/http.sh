#!/usr/bin/env bash
# HTTP benchmark of an audited read, signed in as a practitioner (with the second factor every
# practitioner has), on SQLite and on PostgreSQL (served, as in production, by a role that
# cannot change the schema). TARGET=staff (default) measures GET /staff/{id} (read a record,
# ask the access policy, write a keyed audit event); TARGET=child measures GET /children/{id}
# as the child's lead professional (the basis check, the record's parts, the audit event).
# See bench/README.md.
#
#   bench/http.sh
#
# Settings (environment):
#   DURATION=20          seconds of each measured wrk run
#   RUNS=3               measured runs per database; the medians are reported
#   CONNECTIONS=64       wrk connections (the floor is defined at 64)
#   THREADS=2            wrk threads
#   WARMUP=5             seconds of warm-up before the first measured run
#   DATABASES="sqlite postgres"
#   TARGET=staff         staff (GET /staff/{id}) or child (GET /children/{id})
#   DB_MAX_CONNECTIONS   if set, passed to `serve --database-max-connections` (default 8)
#   EVERYCHILD_BENCH_POSTGRES   PostgreSQL URL (default postgres://postgres@127.0.0.1:5432/test);
#                        a fresh schema is made in it and dropped afterwards
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-20}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5}
DATABASES=${DATABASES:-"sqlite postgres"}
DB_MAX_CONNECTIONS=${DB_MAX_CONNECTIONS:-}
TARGET=${TARGET:-staff}
[[ $TARGET == staff || $TARGET == child ]] || { echo "TARGET must be staff or child" >&2; exit 2; }
# Every command of one run seals the audit chain with the same key, held outside the database.
EVERYCHILD_AUDIT_KEYS="bench audit key $(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export EVERYCHILD_AUDIT_KEYS
PG_BASE=${EVERYCHILD_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
PASSWORD=demo-password-2026
USERNAME=health.visitor
FLOOR_RPS=3000
FLOOR_P99_MS=25

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- state and cleanup -------------------------------------------------------------------
WORK=$(mktemp -d /tmp/everychild-bench.XXXXXX)
SERVER_PID=""
PG_SCHEMA=""
PG_ROLE=""

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      kill -TERM "$SERVER_PID" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

drop_schema() {
  if [[ -n $PG_SCHEMA ]]; then
    PGCONNECT_TIMEOUT=5 psql "$PG_BASE" -Xq -v ON_ERROR_STOP=1 \
      -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1 ||
      say "warning: could not drop the PostgreSQL schema $PG_SCHEMA"
    PG_SCHEMA=""
  fi
  if [[ -n $PG_ROLE ]]; then
    PGCONNECT_TIMEOUT=5 psql "$PG_BASE" -Xq -c "DROP OWNED BY $PG_ROLE" -c "DROP ROLE $PG_ROLE" \
      >/dev/null 2>&1 || say "warning: could not drop the PostgreSQL role $PG_ROLE"
    PG_ROLE=""
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

# ---- tools -------------------------------------------------------------------------------
if ! have wrk; then
  say "Installing wrk from Debian..."
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
fi
have curl || die "curl is needed"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
have cargo || die "Rust is not installed: install a current stable toolchain with rustup (https://rustup.rs)"

say "Building everychild (release; this takes several minutes the first time)..."
cargo build --release -q -p everychild
BIN=$PWD/target/release/everychild
[[ -x $BIN ]] || die "$BIN was not built"

# ---- helpers -----------------------------------------------------------------------------
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port found"
}

# wrk time ("850.12us", "9.06ms", "1.20s", "1.00m") to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") f = 0.001; else if (u == "ms") f = 1; else if (u == "s") f = 1000
    else if (u == "m") f = 60000; else if (u == "h") f = 3600000; else exit 1
    printf "%.3f", n * f }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {
  if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# CPU ticks (user + system) used so far by a process.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

audit_count() { # prints the number of events; fails loudly if the chain is not intact
  local url=$1 out
  out=$("$BIN" audit verify --database "$url" 2>&1) || { say "$out"; die "audit verify failed"; }
  [[ $out == *"audit chain intact"* ]] || { say "$out"; die "audit chain not intact"; }
  sed -n 's/.*audit chain intact: \([0-9]*\) events.*/\1/p' <<<"$out"
}

fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, v }'; }

# ---- one database ------------------------------------------------------------------------
declare -A MED_RPS MED_P50 MED_P99 RUNS_JSON STATUS NOTE
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

bench_db() {
  local db=$1 url=$2 port base log jar page csrf code session id out i
  port=$(free_port)
  base=http://127.0.0.1:$port
  log=$WORK/$db-server.log
  say ""
  say "== $db =="
  say "Building the demo authority..."
  if ! EVERYCHILD_LOG=warn "$BIN" demo --no-serve --database "$url" >"$WORK/$db-demo.log" 2>&1; then
    cat "$WORK/$db-demo.log" >&2; die "demo set-up failed on $db"
  fi

  # PostgreSQL: the owner built the demo; a role that cannot change the schema serves it.
  local serve_url=$url
  if [[ $db == postgres ]]; then
    PG_ROLE=bench_app_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
    psql "$PG_BASE" -Xq -v ON_ERROR_STOP=1 -c "CREATE ROLE $PG_ROLE LOGIN" >/dev/null
    EVERYCHILD_LOG=warn "$BIN" migrate --database "$url" --grant-runtime-role "$PG_ROLE" >/dev/null ||
      die "could not grant the runtime role"
    serve_url=$(sed "s|^postgres://[^@/]*@|postgres://$PG_ROLE@|" <<<"$url")
  fi

  # Who signs in, and what they read: a practitioner and a colleague's profile, or the lead
  # professional of an open request and that child's record.
  local user=$USERNAME child=""
  if [[ $TARGET == child ]]; then
    local q="SELECT u.username || ' ' || r.child_id FROM support_requests r JOIN users u ON u.id = r.lead_professional_id WHERE r.status <> 'closed' AND u.role = 'practitioner' ORDER BY r.id LIMIT 1"
    local row
    if [[ $db == postgres ]]; then
      row=$(psql "$url" -XqAt -c "$q")
    else
      row=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "${url#sqlite:}" "$q")
    fi
    [[ -n $row ]] || die "no open request with a practitioner as lead professional ($db)"
    user=${row% *} child=${row#* }
  fi

  local extra=()
  [[ -n $DB_MAX_CONNECTIONS ]] && extra+=(--database-max-connections "$DB_MAX_CONNECTIONS")
  EVERYCHILD_LOG=warn "$BIN" serve --database "$serve_url" --listen "127.0.0.1:$port" \
    --secure-cookies false --log-format text \
    --secret-key "$(head -c 32 /dev/urandom | base64 | tr -d '\n')" "${extra[@]}" >"$log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 300); do
    curl -fsS -o /dev/null "$base/ready" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; die "the server stopped ($db)"; }
    [[ $i == 300 ]] && { cat "$log" >&2; die "the server was not ready after 30 s ($db)"; }
    sleep 0.1
  done

  # Sign in as a browser would: the form's CSRF token is bound to the pre-session cookie; a
  # practitioner then sets up an authenticator app (the code computed here, RFC 6238).
  jar=$WORK/$db.cookies
  page=$(curl -fsS -c "$jar" -b "$jar" "$base/sign-in")
  csrf=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"$//' || true)
  [[ -n $csrf ]] || die "no csrf_token on /sign-in ($db)"
  local next
  next=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf_token=$csrf" --data-urlencode "username=$user" \
    --data-urlencode "password=$PASSWORD" "$base/sign-in")
  [[ ${next%% *} == 303 ]] || die "sign-in as $user answered ${next%% *}, not 303 ($db)"
  if [[ $next == *set-up-second-factor* ]]; then
    page=$(curl -fsS -c "$jar" -b "$jar" "$base/sign-in/set-up-second-factor")
    local secret tag totp
    csrf=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"$//')
    secret=$(grep -o 'name="secret" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"$//')
    tag=$(grep -o 'name="secret_tag" value="[^"]*"' <<<"$page" | head -n1 | sed 's/.*value="//; s/"$//')
    [[ -n $secret && -n $tag ]] || die "no set-up key on the second-factor page ($db)"
    totp=$(python3 -c 'import base64, hmac, struct, sys, time
k = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
h = hmac.new(k, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))' "$secret")
    code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
      --data-urlencode "csrf_token=$csrf" --data-urlencode "secret=$secret" \
      --data-urlencode "secret_tag=$tag" --data-urlencode "code=$totp" \
      "$base/sign-in/set-up-second-factor")
    [[ $code == 303 ]] || die "setting up the second factor answered $code, not 303 ($db)"
  fi
  session=$(awk -F'\t' '$6 == "everychild_session" {v = $7} END {print v}' "$jar")
  [[ -n $session ]] || die "no everychild_session cookie after sign-in ($db)"
  local cookie="Cookie: everychild_session=$session"

  local target
  if [[ $TARGET == child ]]; then
    target=$base/children/$child
  else
    # The teacher's profile: found through the directory, as a user would.
    id=$(curl -fsS -H "$cookie" "$base/staff?q=special+educational+needs" |
      grep -o 'href="/staff/[0-9]*"' | head -n1 | grep -o '[0-9]*' || true)
    [[ -n $id ]] || id=8
    target=$base/staff/$id
  fi
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "$cookie" "$target")
  [[ $code == 200 ]] || die "GET $target answered $code, not 200 ($db)"
  say "Signed in as $user; target $target"

  say "Warming up for ${WARMUP}s..."
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "$cookie" "$target" >/dev/null

  local before after rps p50 p99 reqs non2xx sockerr t0 t1 cpu load rpss=() p50s=() p99s=() json=()
  before=$(audit_count "$url")
  for i in $(seq "$RUNS"); do
    out=$WORK/$db-run$i.txt
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(cpu_ticks "$SERVER_PID")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$cookie" "$target" >"$out"
    t1=$(cpu_ticks "$SERVER_PID")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(awk '/Latency Distribution/ {f = 1; next} f && $1 == "50%" {print $2; exit}' "$out")
    p99=$(awk '/Latency Distribution/ {f = 1; next} f && $1 == "99%" {print $2; exit}' "$out")
    reqs=$(awk '/ requests in / {print $1; exit}' "$out")
    non2xx=$(awk -F: '/Non-2xx or 3xx responses/ {gsub(/ /, "", $2); print $2}' "$out")
    non2xx=${non2xx:-0}
    sockerr=$(grep -o 'Socket errors:.*' "$out" || true)
    if [[ -z $rps || -z $p50 || -z $p99 || -z $reqs ]]; then
      cat "$out" >&2; die "could not read wrk's output ($db, run $i)"
    fi
    if [[ $non2xx != 0 ]]; then
      cat "$out" >&2; tail -n 20 "$log" >&2
      die "$non2xx responses were not 2xx/3xx ($db, run $i): the figures are not valid"
    fi
    p50=$(to_ms "$p50") p99=$(to_ms "$p99")
    # Every completed request must have written its audit event, and the chain must be intact.
    # (A lost session would answer fast 303 redirects that wrk counts as successes: this
    # catches that too, because a redirect writes no event.)
    after=$(audit_count "$url")
    if ((after - before < reqs)); then
      die "the audit log grew by $((after - before)) events but wrk completed $reqs requests ($db, run $i)"
    fi
    cpu=$(awk -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * t / hz / d }')
    say "  run $i: $(fmt "$rps") req/s, p50 $(fmt "$p50" 2) ms, p99 $(fmt "$p99" 2) ms," \
      "$reqs requests, audit +$((after - before)), server CPU ${cpu}% (of $(nproc)00%), load before $load${sockerr:+, $sockerr}"
    json+=("{\"requests_per_sec\": $rps, \"p50_ms\": $p50, \"p99_ms\": $p99, \"requests\": $reqs, \"audit_events_added\": $((after - before)), \"server_cpu_percent\": $cpu, \"load_1m_before\": $load, \"socket_errors\": \"${sockerr}\"}")
    rpss+=("$rps") p50s+=("$p50") p99s+=("$p99")
    before=$after
  done
  stop_server
  MED_RPS[$db]=$(median "${rpss[@]}")
  MED_P50[$db]=$(median "${p50s[@]}")
  MED_P99[$db]=$(median "${p99s[@]}")
  RUNS_JSON[$db]=$(IFS=,; echo "${json[*]}")
  STATUS[$db]=ok
}

# ---- the databases -----------------------------------------------------------------------
for db in $DATABASES; do
  case $db in
    sqlite)
      mkdir -p "$WORK/sqlite"
      bench_db sqlite "sqlite:$WORK/sqlite/bench.db"
      ;;
    postgres)
      if ! have psql; then
        say ""; say "== postgres =="; say "PostgreSQL skipped: psql is not installed"
        STATUS[postgres]=skipped NOTE[postgres]="psql not installed"; continue
      fi
      if ! PGCONNECT_TIMEOUT=5 psql "$PG_BASE" -XqAt -c 'SELECT 1' >/dev/null 2>&1; then
        say ""; say "== postgres =="; say "PostgreSQL skipped: it does not answer at ${PG_BASE%%\?*}"
        STATUS[postgres]=skipped NOTE[postgres]="no answer"; continue
      fi
      PG_SCHEMA=bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
      psql "$PG_BASE" -Xq -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null
      sep='?'; [[ $PG_BASE == *\?* ]] && sep='&'
      bench_db postgres "${PG_BASE}${sep}options=-c%20search_path%3D${PG_SCHEMA}"
      drop_schema
      ;;
    *) die "unknown database $db (sqlite or postgres)" ;;
  esac
done

# ---- report ------------------------------------------------------------------------------
floor() { # PASS/BELOW against the SQLite floor
  awk -v r="$1" -v p="$2" -v fr="$FLOOR_RPS" -v fp="$FLOOR_P99_MS" \
    'BEGIN { print (r >= fr && p <= fp) ? "PASS" : "BELOW" }'
}
ratio=""
if [[ ${STATUS[sqlite]:-} == ok && ${STATUS[postgres]:-} == ok ]]; then
  ratio=$(awk -v p="${MED_RPS[postgres]}" -v s="${MED_RPS[sqlite]}" 'BEGIN { printf "%.2f", p / s }')
fi

echo
echo "GET /$([[ $TARGET == child ]] && echo "children/{id} as the lead professional" || echo "staff/{id} as $USERNAME"): wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, medians of $RUNS runs;" \
  "$(nproc) CPUs, load average before $LOAD_BEFORE${DB_MAX_CONNECTIONS:+, --database-max-connections $DB_MAX_CONNECTIONS}"
printf '%-10s %12s %10s %10s  %s\n' database "req/s" "p50 ms" "p99 ms" \
  "floor (SQLite: >= $FLOOR_RPS req/s, p99 <= $FLOOR_P99_MS ms, 64 connections)"
for db in $DATABASES; do
  if [[ ${STATUS[$db]:-} != ok ]]; then
    printf '%-10s %12s %10s %10s  %s\n' "$db" - - - "skipped (${NOTE[$db]:-})"
    continue
  fi
  f=-
  if [[ $db == sqlite ]]; then
    f=$(floor "${MED_RPS[$db]}" "${MED_P99[$db]}")
    [[ $CONNECTIONS == 64 ]] || f="$f (at $CONNECTIONS connections: not the floor's setting)"
  fi
  printf '%-10s %12s %10s %10s  %s\n' "$db" "$(fmt "${MED_RPS[$db]}")" \
    "$(fmt "${MED_P50[$db]}" 2)" "$(fmt "${MED_P99[$db]}" 2)" "$f"
done
[[ -n $ratio ]] && echo "PostgreSQL/SQLite throughput ratio: $ratio"

mkdir -p bench/results
stamp=$(date -u +%Y-%m-%dT%H-%M-%SZ)
file=bench/results/http-$TARGET-$stamp.json
{
  printf '{\n  "benchmark": "%s",\n  "date": "%s",\n  "commit": "%s",\n' \
    "$([[ $TARGET == child ]] && echo "GET /children/{id}" || echo "GET /staff/{id}")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf '  "machine": {"cpus": %s, "load_average_before": "%s"},\n' "$(nproc)" "$LOAD_BEFORE"
  printf '  "settings": {"duration_s": %s, "runs": %s, "connections": %s, "threads": %s, "warmup_s": %s, "database_max_connections": %s},\n' \
    "$DURATION" "$RUNS" "$CONNECTIONS" "$THREADS" "$WARMUP" "${DB_MAX_CONNECTIONS:-null}"
  printf '  "floor": {"database": "sqlite", "min_requests_per_sec": %s, "max_p99_ms": %s, "connections": 64},\n' \
    "$FLOOR_RPS" "$FLOOR_P99_MS"
  printf '  "databases": {'
  first=1
  for db in $DATABASES; do
    [[ $first == 1 ]] || printf ','
    first=0
    if [[ ${STATUS[$db]:-} == ok ]]; then
      f=null
      [[ $db == sqlite ]] && f="\"$(floor "${MED_RPS[$db]}" "${MED_P99[$db]}")\""
      printf '\n    "%s": {"status": "ok", "median_requests_per_sec": %s, "median_p50_ms": %s, "median_p99_ms": %s, "floor_check": %s,\n      "runs": [%s]}' \
        "$db" "${MED_RPS[$db]}" "${MED_P50[$db]}" "${MED_P99[$db]}" "$f" "${RUNS_JSON[$db]}"
    else
      printf '\n    "%s": {"status": "skipped", "reason": "%s"}' "$db" "${NOTE[$db]:-}"
    fi
  done
  printf '\n  },\n  "postgres_sqlite_throughput_ratio": %s\n}\n' "${ratio:-null}"
} >"$file"
echo "Results written to $file"
