#!/usr/bin/env bash
# Run every check and test of everychild: rustfmt, clippy, the whole suite on
# SQLite, then the integration-test binaries again on PostgreSQL.
#   scripts/test.sh [--quick]   --quick skips clippy and the PostgreSQL pass
# Missing prerequisites are installed with apt-get (as root, or through sudo).
#   EVERYCHILD_TEST_POSTGRES  PostgreSQL URL; if unset, postgres@127.0.0.1:5432/test
#                             is tried, else a throw-away cluster runs on port 55432
#   EVERYCHILD_CHROMEDRIVER   default /usr/bin/chromedriver (browser tests)
#   EVERYCHILD_CHROMIUM       default /usr/bin/chromium     (browser tests)
#   EVERYCHILD_TEST_OIDC      URL of an OpenID provider; if unset, oidc-provider-mock
#                             (PyPI, pinned) is installed in target/oidc-venv and
#                             started on a free loopback port
#   CI                        if set: no colours, nextest profile "ci"
set -euo pipefail

SYSTEM_PG_URL=postgres://postgres@127.0.0.1:5432/test
PG_PORT=55432   # port of the throw-away cluster
PG_TMP=""       # its directory (data, socket, log); removed on exit
PG_BIN=""       # directory holding initdb, pg_ctl, createdb
PG_AS=()        # command prefix that runs the cluster as user postgres
APT_PKGS=()     # Debian packages still to install
OIDC_PID=""     # the loopback OpenID provider, stopped on exit
OIDC_MOCK=oidc-provider-mock==0.3.4

step() { printf '\n== %s ==\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif ! have sudo; then die "not root and sudo is missing; cannot run: $*"
  elif [[ -t 0 ]]; then sudo "$@"
  else sudo -n "$@"; fi
}

# Newest PostgreSQL server binaries: Debian's /usr/lib/postgresql/N/bin, else PATH.
pg_bindir() {
  local initdb
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)
  [[ -x $initdb ]] || initdb=$(command -v initdb) || return 1
  dirname "$initdb"
}

pg_answers() { have psql && PGCONNECT_TIMEOUT=5 psql "$1" -qAtc 'select 1' >/dev/null 2>&1; }

# Decide what is missing and queue it; $1 = 1 for --quick.
check_prereqs() {
  have cc || APT_PKGS+=(build-essential pkg-config)
  have node || APT_PKGS+=(nodejs)
  have npm || APT_PKGS+=(npm)   # not via dpkg: NodeSource's nodejs bundles npm
  if [[ -z ${EVERYCHILD_TEST_OIDC:-} ]]; then
    have python3 || APT_PKGS+=(python3)
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || APT_PKGS+=(python3-venv)
  fi
  [[ -x $EVERYCHILD_CHROMIUM ]] || APT_PKGS+=(chromium)
  [[ -x $EVERYCHILD_CHROMEDRIVER ]] || APT_PKGS+=(chromium-driver)
  if [[ $1 -eq 0 && -z ${EVERYCHILD_TEST_POSTGRES:-} ]]; then
    if pg_answers "$SYSTEM_PG_URL"; then
      export EVERYCHILD_TEST_POSTGRES=$SYSTEM_PG_URL
    elif ! pg_bindir >/dev/null; then
      APT_PKGS+=(postgresql)
    fi
  fi
}

install_pkgs() {
  [[ ${#APT_PKGS[@]} -gt 0 ]] || return 0
  step "apt-get install ${APT_PKGS[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}"
}

# Rust with rustfmt and clippy (rustup if there is no cargo), and cargo-nextest.
ensure_rust() {
  local cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
  [[ :$PATH: == *":$cargo_bin:"* ]] || export PATH="$cargo_bin:$PATH"
  have cargo || die "Rust is not installed: install a current stable toolchain with rustup (https://rustup.rs), then run this again"
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    have rustup || die "cargo fmt / cargo clippy missing and rustup not found"
    rustup component add rustfmt clippy
  fi
  if ! cargo nextest --version >/dev/null 2>&1; then
    step "cargo install cargo-nextest"
    cargo install cargo-nextest --locked
  fi
}

# Run a PostgreSQL binary from $PG_BIN as the cluster owner, from $PG_TMP.
pg() { (cd "$PG_TMP" && "${PG_AS[@]}" "$PG_BIN/$1" "${@:2}"); }

start_throwaway_pg() {
  step "throw-away PostgreSQL on 127.0.0.1:$PG_PORT"
  PG_BIN=$(pg_bindir) || die "initdb not found"
  PG_TMP=$(mktemp -d /tmp/everychild-pg.XXXXXX)   # short: the socket lives here
  if [[ $EUID -eq 0 ]]; then   # the server refuses to run as root
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres: "$PG_TMP"
    PG_AS=(runuser -u postgres --)
  fi
  pg initdb -D "$PG_TMP/data" -U postgres --auth=trust -E UTF8 --no-locale \
    >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }
  pg pg_ctl -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
    -o "-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1" start >/dev/null ||
    { cat "$PG_TMP/server.log" >&2; die "pg_ctl start failed (port $PG_PORT busy?)"; }
  pg createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres test
  export EVERYCHILD_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PG_PORT/test"
}

# The OpenID provider the sign-in tests talk to: a real one (PyPI oidc-provider-mock, in its
# own virtual environment under target/), on a free loopback port, nonce required.
start_oidc_provider() {
  local venv=target/oidc-venv port i
  if [[ ! -x $venv/bin/oidc-provider-mock ]]; then
    step "pip install $OIDC_MOCK (target/oidc-venv)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "$OIDC_MOCK"
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  step "OpenID provider on 127.0.0.1:$port"
  "$venv/bin/oidc-provider-mock" --host 127.0.0.1 --port "$port" --require-nonce true \
    >target/oidc-provider.log 2>&1 &
  OIDC_PID=$!
  for i in $(seq 1 100); do
    if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/.well-known/openid-configuration', timeout=1)" 2>/dev/null; then
      export EVERYCHILD_TEST_OIDC="http://127.0.0.1:$port"
      return 0
    fi
    kill -0 "$OIDC_PID" 2>/dev/null || break
    sleep 0.2
  done
  cat target/oidc-provider.log >&2
  die "the OpenID provider did not start"
}

cleanup() {
  if [[ -n $OIDC_PID ]]; then kill "$OIDC_PID" 2>/dev/null || true; OIDC_PID=""; fi
  stop_throwaway_pg
}

stop_throwaway_pg() {
  [[ -n $PG_TMP && -d $PG_TMP ]] || return 0
  pg pg_ctl -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_TMP"
  PG_TMP=""
}

main() {
  local quick=0 arg
  for arg in "$@"; do
    case $arg in
      --quick) quick=1 ;;
      -h | --help) sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; return 0 ;;
      *) die "unknown argument: $arg (try --help)" ;;
    esac
  done
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  trap 'exit 130' INT; trap 'exit 143' TERM   # so the EXIT trap cleans up
  export EVERYCHILD_CHROMEDRIVER=${EVERYCHILD_CHROMEDRIVER:-/usr/bin/chromedriver}
  export EVERYCHILD_CHROMIUM=${EVERYCHILD_CHROMIUM:-/usr/bin/chromium}
  local nextest=(cargo nextest run --workspace --no-fail-fast) locked=()
  if [[ -n ${CI:-} ]]; then
    export CARGO_TERM_COLOR=never
    nextest+=(--profile ci)
  fi
  if [[ -f Cargo.lock ]]; then locked=(--locked); fi

  step "prerequisites"
  check_prereqs "$quick"
  install_pkgs
  ensure_rust
  if [[ ! -d crates/web/assets/node_modules ]]; then
    step "npm ci (crates/web/assets)"
    (cd crates/web/assets && npm ci --no-audit --no-fund)
  fi
  trap cleanup EXIT
  if [[ $quick -eq 0 && -z ${EVERYCHILD_TEST_POSTGRES:-} ]]; then start_throwaway_pg; fi
  mkdir -p target
  if [[ -z ${EVERYCHILD_TEST_OIDC:-} ]]; then start_oidc_provider; fi

  step "cargo fmt --check"
  cargo fmt --all -- --check
  if [[ $quick -eq 0 ]]; then
    step "cargo clippy"
    cargo clippy --workspace --all-targets "${locked[@]}" -- -D warnings
  fi
  step "tests on SQLite"
  EVERYCHILD_TEST_DATABASE=sqlite "${nextest[@]}"
  if [[ $quick -eq 0 ]]; then
    step "integration tests on PostgreSQL ($EVERYCHILD_TEST_POSTGRES)"
    EVERYCHILD_TEST_DATABASE=$EVERYCHILD_TEST_POSTGRES "${nextest[@]}" -E 'kind(test)'
  fi
  step "all passed$([[ $quick -eq 1 ]] && echo ' (quick: no clippy, no PostgreSQL)')"
}

# Run only when executed, so the functions can be sourced for testing.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
