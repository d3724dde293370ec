#!/usr/bin/env bash
# Side-by-side record-linkage benchmark: everychild's engine against Splink 5 on FEBRL3
# (dedupe), FEBRL4 (link two files), fake_1000 and historical_50k (dedupe), plus a synthetic
# dedupe of 1,000,000 records from our generator. One evaluator scores both engines' pairs.
#   bench/linkage.sh
# Settings (environment):
#   RUNS=3            timed runs per engine and set; the table shows medians
#   SETS="febrl3 febrl4 fake_1000 historical_50k"
#   SYNTH_COUNT=1000000  records in the synthetic set (0 to skip it)
#   SYNTH_RUNS=1
#   LINKAGE_DATA=../shared/data/linkage (relative to the repository root)
#   SPLINK_VENV=bench/.venv   throw-away Python environment (created if missing)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
RUNS=${RUNS:-3}
SETS=${SETS:-"febrl3 febrl4 fake_1000 historical_50k"}
SYNTH_COUNT=${SYNTH_COUNT:-1000000}
SYNTH_RUNS=${SYNTH_RUNS:-1}
DATA=${LINKAGE_DATA:-$ROOT/../shared/data/linkage}
VENV=${SPLINK_VENV:-$ROOT/bench/.venv}
HERE=$ROOT/bench/linkage
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/everychild

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
step() { printf '\n== %s ==\n' "$*" >&2; }

[[ -d $DATA/febrl && -d $DATA/splink ]] || die "no linkage data at $DATA (set LINKAGE_DATA)"
[[ -x /usr/bin/time ]] || { step "apt-get install time"; apt-get install -y -qq time >/dev/null; }
command -v python3 >/dev/null || die "python3 is needed for Splink"

step "release build"
cargo build --release -p everychild >&2

if ! "$VENV/bin/python" -c 'import splink, duckdb, sys; sys.exit(0 if (splink.__version__, duckdb.__version__) == ("5.0.0", "1.5.6") else 1)' 2>/dev/null; then
  step "Python environment for Splink in $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check splink==5.0.0 duckdb==1.5.6 >&2
fi
PY=$VENV/bin/python

WORK=$(mktemp -d /tmp/everychild-linkage.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$PY" "$HERE/prepare.py" "$DATA" "$WORK/data"
RESULTS=$WORK/results.jsonl
: > "$RESULTS"

FEBRL_FIELDS=(--field given_name=given_name --field family_name=surname --field dob=date_of_birth
  --field identifier=soc_sec_id --field house_number=street_number --field postcode=postcode
  --field address=address_1 --field town=suburb)

# What each set needs: our command line, the id and truth columns, and the data files.
ours_args() {
  case $1 in
    febrl3) echo dedupe "$WORK/data/febrl3.csv" --id rec_id --truth truth "${FEBRL_FIELDS[@]}" ;;
    febrl4) echo pair "$WORK/data/febrl4a.csv" "$WORK/data/febrl4b.csv" --id rec_id --truth truth "${FEBRL_FIELDS[@]}" ;;
    fake_1000) echo dedupe "$WORK/data/fake_1000.csv" --id unique_id --truth cluster \
      --field given_name=first_name --field family_name=surname --field dob=dob \
      --field town=city --field email=email ;;
    historical_50k) echo dedupe "$WORK/data/historical_50k.csv" --id unique_id --truth cluster \
      --field given_name=first_name --field family_name=surname --field dob=dob \
      --field postcode=postcode_fake --field sex=gender \
      --field attribute=birth_place --field attribute=occupation ;;
    synthetic) echo dedupe "$WORK/data/synthetic.csv" --id record_id --truth person_id \
      --field given_name=given_name --field middle_name=middle_name --field family_name=family_name \
      --field dob=dob --field sex=sex --field postcode=postcode --field address=address \
      --field nhs_number=nhs_number ;;
  esac
}
eval_args() {
  case $1 in
    febrl3) echo rec_id truth "$WORK/data/febrl3.csv" ;;
    febrl4) echo rec_id truth "$WORK/data/febrl4a.csv" "$WORK/data/febrl4b.csv" ;;
    fake_1000) echo unique_id cluster "$WORK/data/fake_1000.csv" ;;
    historical_50k) echo unique_id cluster "$WORK/data/historical_50k.csv" ;;
    synthetic) echo record_id person_id "$WORK/data/synthetic.csv" ;;
  esac
}

# run ENGINE SET RUN: time one run, evaluate its pairs, append a JSON line to $RESULTS.
run() {
  local engine=$1 set=$2 n=$3 pairs=$WORK/$1-$2-$3.csv timing=$WORK/$1-$2-$3.time
  if [[ $engine == ours ]]; then
    # shellcheck disable=SC2046 # word splitting of the argument list is intended
    /usr/bin/time -v -o "$timing" "$BIN" link $(ours_args "$set") --pairs "$pairs" --json > "$WORK/ours.json"
  else
    /usr/bin/time -v -o "$timing" "$PY" "$HERE/splink_run.py" "$set" "$WORK/data" "$pairs" > "$WORK/splink.log" 2>&1 ||
      { cat "$WORK/splink.log" >&2; die "Splink failed on $set"; }
  fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$timing")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timing")
  # shellcheck disable=SC2046
  "$PY" "$HERE/evaluate.py" "$pairs" $(eval_args "$set") |
    "$PY" -c 'import json,sys; d=json.load(sys.stdin); w=sys.argv[4].split(":"); s=sum(float(x)*60**i for i,x in enumerate(reversed(w))); d.update(engine=sys.argv[1], set=sys.argv[2], run=int(sys.argv[3]), wall_s=s, peak_mb=int(sys.argv[5])/1024); print(json.dumps(d))' \
      "$engine" "$set" "$n" "$wall" "$rss" >> "$RESULTS"
  rm -f "$pairs"
  printf '%s %s run %s: %s s, %s MB\n' "$engine" "$set" "$n" "$wall" "$((rss / 1024))" >&2
}

for set in $SETS; do
  step "$set"
  for n in $(seq 1 "$RUNS"); do
    run ours "$set" "$n"
    run splink "$set" "$n"
  done
done

if [[ $SYNTH_COUNT -gt 0 ]]; then
  step "synthetic: $SYNTH_COUNT records"
  "$BIN" synth people --count "$SYNTH_COUNT" --seed 7 --duplicates 0.25 --out "$WORK/data/synthetic.csv" >&2
  for n in $(seq 1 "$SYNTH_RUNS"); do run ours synthetic "$n"; done
fi

mkdir -p "$ROOT/bench/results"
OUT=$ROOT/bench/results/linkage-$(date -u +%Y%m%dT%H%M%SZ).json
"$PY" "$HERE/table.py" "$RESULTS" "$OUT" "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
