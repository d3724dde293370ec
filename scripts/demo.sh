#!/usr/bin/env bash
# Build everychild and run the demo authority on an in-memory SQLite database, served on
# http://127.0.0.1:8080. Installs the Debian packages the build needs if they are missing.
#   scripts/demo.sh [demo options]     e.g. --listen 127.0.0.1:9000, --seed 7, --database sqlite:demo.db
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

missing=()
have cc || missing+=(build-essential pkg-config)
have node || missing+=(nodejs)
have npm || missing+=(npm)
if [[ ${#missing[@]} -gt 0 ]]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
have cargo || [[ -x ${CARGO_HOME:-$HOME/.cargo}/bin/cargo ]] || {
  echo "error: Rust is not installed: install a current stable toolchain with rustup (https://rustup.rs), then run this again" >&2
  exit 1
}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
[[ -d crates/web/assets/node_modules ]] || (cd crates/web/assets && npm ci --no-audit --no-fund)
exec cargo run --locked -p everychild -- demo "$@"
