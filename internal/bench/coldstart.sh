#!/usr/bin/env bash
# Cold start of the serialguard binary: wall time from exec to exit of
# one process that reads one event and decides it, the path a Lambda
# cold start or a CLI call in a pipeline pays. DESIGN.md's target is
# tens of milliseconds. `version` is the floor: the runtime and every
# package init, no work.
#
# Uses hyperfine when it is on PATH (apt-get install hyperfine), else a
# bash loop timed with date +%s%N. Prints mean and min per command, ms.
#
#   bash internal/bench/coldstart.sh
#   RUNS=50 INPUT=examples/events/disablement.json bash internal/bench/coldstart.sh
#   GODEBUG=inittrace=1 serialguard version 2>&1 >/dev/null | sort -k5 -n
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-20}
INPUT=${INPUT:-examples/events/eventbridge-enablement.json}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -trimpath -o "$dir/serialguard" ./cmd/serialguard
sg="$dir/serialguard"

# The commands to time, name then command line. Exit 1 (something needs
# action) is a result, not a failure.
names=(version "policy eval" detect)
cmds=(
  "$sg version"
  "$sg policy eval --input $INPUT -o json"
  "$sg detect $INPUT -o json"
)

# check runs each command once, so that a broken one fails the script
# instead of being timed.
check() {
  local c
  for c in "${cmds[@]}"; do
    $c >/dev/null || [ $? -eq 1 ] || { echo "failed: $c" >&2; exit 2; }
  done
}

# with_hyperfine prints "name mean_ms min_ms" lines from hyperfine's CSV.
with_hyperfine() {
  local args=() i
  for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  hyperfine -N -i --warmup 3 --runs "$RUNS" --style none \
    --export-csv "$dir/times.csv" "${args[@]}" >/dev/null \
    2>"$dir/hyperfine.log" || { cat "$dir/hyperfine.log" >&2; exit 2; }
  awk -F, 'NR > 1 { printf "%s\t%.1f\t%.1f\n", $1, $2 * 1000, $7 * 1000 }' \
    "$dir/times.csv"
}

# with_loop prints the same lines, timing RUNS runs of each command.
with_loop() {
  local i n start end took sum min
  for i in "${!cmds[@]}"; do
    sum=0 min=0
    for n in $(seq "$RUNS"); do
      start=$(date +%s%N)
      ${cmds[$i]} >/dev/null 2>&1 || true
      end=$(date +%s%N)
      took=$((end - start))
      sum=$((sum + took))
      if [ "$n" -eq 1 ] || [ "$took" -lt "$min" ]; then min=$took; fi
    done
    awk -v n="${names[$i]}" -v s="$sum" -v m="$min" -v r="$RUNS" \
      'BEGIN { printf "%s\t%.1f\t%.1f\n", n, s / r / 1e6, m / 1e6 }'
  done
}

check
tool=loop
if command -v hyperfine >/dev/null; then tool=hyperfine; fi
echo "== cold start, $RUNS runs each ($tool), input $INPUT"
echo "binary: $(du -h "$sg" | cut -f1)"
printf '%-14s %10s %10s\n' command "mean ms" "min ms"
"with_$tool" | while IFS=$'\t' read -r name mean min; do
  printf '%-14s %10s %10s\n' "$name" "$mean" "$min"
done
