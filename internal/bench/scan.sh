#!/usr/bin/env bash
# scan.sh compares `serialguard detect` with zcat and jq on a synthetic
# CloudTrail corpus: zcat > /dev/null is the floor (decompression alone),
# zcat | jq applies Elastic's rule the way a shell user would.
#
#   internal/bench/scan.sh            # 512 MiB of JSON
#   MB=1024 internal/bench/scan.sh    # a larger corpus
#
# The corpus is generated once into $SERIALGUARD_BENCH_DIR (default
# ~/.cache/serialguard-bench) and reused. It also writes one log file of
# the whole size, to show that memory does not grow with file size.
# Times are the best of $RUNS runs (3; jq runs once), peak RSS the largest.
set -euo pipefail

MB=${MB:-512}
SMALL_MB=64
CACHE=${SERIALGUARD_BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/serialguard-bench}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JQ_RULE='.Records[] | select(.eventSource == "ec2.amazonaws.com" and
  .eventName == "EnableSerialConsoleAccess" and (.errorCode // "") == "" and
  (.errorMessage // "") == "")'

if ! command -v jq >/dev/null; then
	echo "scan.sh: jq is missing; install it: apt-get install -y jq" >&2
	exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
	echo "scan.sh: /usr/bin/time is missing; apt-get install -y time" >&2
	exit 2
fi

# corpus DIR MB [-single] generates a corpus unless it is there already.
corpus() {
	local dir=$1 mb=$2
	shift 2
	if [[ ! -f $dir.summary ]]; then
		echo "generating $mb MiB in $dir ..." >&2
		rm -rf "$dir"
		(cd "$ROOT" && go run ./internal/bench/cmd/gencorpus -dir "$dir" \
			-mb "$mb" "$@") >"$dir.summary.tmp"
		mv "$dir.summary.tmp" "$dir.summary"
	fi
}

field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" "$1.summary"; }

many=$CACHE/corpus-${MB}mb
one=$CACHE/single-${MB}mb
small=$CACHE/single-${SMALL_MB}mb
mkdir -p "$CACHE"
corpus "$many" "$MB"
corpus "$one" "$MB" -single
corpus "$small" "$SMALL_MB" -single

bin=$CACHE/serialguard
(cd "$ROOT" && go build -o "$bin" ./cmd/serialguard)

raw=$(field "$many" raw_bytes)
gz=$(field "$many" gzip_bytes)
want=$(field "$many" enablements)
out=$(mktemp)
trap 'rm -f "$out" "$out.time"' EXIT

# run LABEL BYTES COMMAND VAR [RUNS]: time a shell command, keeping the
# best of RUNS runs (default $RUNS), and print a row.
RUNS=${RUNS:-3}
run() {
	local label=$1 bytes=$2 cmd=$3 runs=${5:-$RUNS} secs="" rss=0 s m i
	for ((i = 0; i < runs; i++)); do
		/usr/bin/time -f "%e %M" -o "$out.time" bash -c "$cmd" >"$out" || true
		read -r s m < <(tail -n 1 "$out.time")
		if [[ -z $secs ]] || awk -v a="$s" -v b="$secs" 'BEGIN { exit !(a < b) }'; then
			secs=$s
		fi
		((m > rss)) && rss=$m
	done
	found=$(wc -l <"$out")
	mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", b / 1048576 / s }')
	printf '%-34s %8.2f %8s %10s %7s\n' "$label" "$secs" "$mbps" \
		"$((rss / 1024)) MiB" "$found"
	eval "secs_$4=$secs"
}

files="find '$many' -name '*.json.gz' -print0 | xargs -0"
printf 'corpus: %s MiB of JSON in %s files (%s MiB gzip), %s enablements; %s CPUs\n\n' \
	"$((raw / 1048576))" "$(field "$many" files)" "$((gz / 1048576))" "$want" "$(nproc)"
printf '%-34s %8s %8s %10s %7s\n' "" seconds "MiB/s" "peak RSS" found
run "zcat > /dev/null (floor)" "$raw" "$files zcat > /dev/null" zcat
run "zcat | jq (the rule)" "$raw" "$files zcat | jq -c '$JQ_RULE'" jq 1
run "serialguard detect -o ndjson" "$raw" \
	"'$bin' detect -o ndjson '$many'" sg
echo
run "serialguard, one ${SMALL_MB} MiB file" "$(field "$small" raw_bytes)" \
	"'$bin' detect -o ndjson '$small'" small
run "serialguard, one ${MB} MiB file" "$(field "$one" raw_bytes)" \
	"'$bin' detect -o ndjson '$one'" one
echo
awk -v z="$secs_zcat" -v j="$secs_jq" -v s="$secs_sg" 'BEGIN {
	printf "serialguard is %.1fx the speed of zcat and %.1fx that of zcat | jq\n",
		z / s, j / s }'
