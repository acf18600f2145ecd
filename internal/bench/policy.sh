#!/usr/bin/env bash
# Decision cost of serialguard's embedded, prepared policy engine side by
# side with the OPA CLI (one `opa eval` process per event) and an OPA
# server's HTTP decision API (POST /v1/data/serialguard/decision over a
# kept-alive loopback connection), on the same policy, data and input:
# the default policy, examples/approvals.yaml, an approved enablement.
#
#   bash internal/bench/policy.sh            # or: task bench
#   EVALS=50 DECISIONS=5000 bash internal/bench/policy.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

EVALS=${EVALS:-20}            # opa eval and serialguard processes to time
DECISIONS=${DECISIONS:-2000}  # HTTP decisions to request
BENCHTIME=${BENCHTIME:-2000x}
PORT=${PORT:-18181}
export PATH="$(go env GOPATH)/bin:$PATH"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The input the Go benchmark decides: policies/testdata/findings.ndjson,
# line 1, in its account, at the benchmark's decision time.
cat > "$work/input.json" <<'JSON'
{"finding": {"kind": "enablement", "rule_id": "e9fe3645-f588-43d6-99f5-437b3ef56f25", "event_id": "3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a01", "event_name": "EnableSerialConsoleAccess", "time": "2026-03-02T14:05:00Z", "account": "444455556666", "region": "eu-west-1", "actor": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/BreakGlass/alice", "principal_arn": "arn:aws:iam::111122223333:role/BreakGlass", "account": "111122223333", "access_key_id": "ASIAEXAMPLEKEY000001", "session_name": "alice", "user_name": "BreakGlass", "invoked_by": ""}, "source_ip": "203.0.113.10", "user_agent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64", "error_code": "", "error_message": "", "source": "enable-approved.json"},
 "account": {"id": "444455556666", "name": "payments-prod", "ou_path": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/", "tags": {}},
 "now": "2026-03-02T16:00:00Z"}
JSON

# mean_us prints the mean wall time of running "$@" EVALS times, in us.
# Exit 1 (a decision to remediate) is a result, not a failure.
mean_us() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$EVALS"); do "$@" >/dev/null || [ $? -eq 1 ]; done
  end=$(date +%s%N)
  echo $(( (end - start) / EVALS / 1000 ))
}

echo "== serialguard: prepared query (go test -bench BenchmarkDecide/approved)"
go build -o "$work/serialguard" ./cmd/serialguard
engine_ns=$(go test -run '^$' -bench 'BenchmarkDecide/approved$' -benchmem \
  -benchtime "$BENCHTIME" ./policies/ | tee /dev/stderr |
  awk '/BenchmarkDecide\/approved/ {print int($3)}')
"$work/serialguard" policy bundle -o "$work/bundle.tar.gz" \
  --data examples/approvals.yaml 2>/dev/null

echo "== serialguard policy eval, one process per run (cold start, 5 findings)"
sg_us=$(mean_us "$work/serialguard" policy eval -o json \
  --input cmd/serialguard/testdata/policy/events.json \
  --data examples/approvals.yaml --now 2026-03-02T16:00:00Z)
echo "per process: $((sg_us / 1000)) ms"

if ! command -v opa >/dev/null; then
  echo "no opa on PATH: go install github.com/open-policy-agent/opa@v1.22.4" >&2
  echo "engine: ${engine_ns} ns/decision"
  exit 0
fi

echo "== opa eval, one process per event ($EVALS runs)"
opa_us=$(mean_us opa eval --bundle "$work/bundle.tar.gz" --input "$work/input.json" \
  data.serialguard.decision)
echo "per event: $((opa_us / 1000)) ms"

echo "== OPA server, POST /v1/data/serialguard/decision ($DECISIONS decisions)"
opa run --server --addr "127.0.0.1:$PORT" --log-level error \
  "$work/bundle.tar.gz" 2>"$work/opa.log" &
server=$!
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$PORT/health?bundles" >/dev/null 2>&1 && break
  sleep 0.1
done
http=$(go run ./internal/bench/cmd/decisionclient -n "$DECISIONS" \
  -input "$work/input.json" \
  -url "http://127.0.0.1:$PORT/v1/data/serialguard/decision")
echo "$http"
http_us=$(echo "$http" | sed -n 's/.*mean_us=\([0-9.]*\).*/\1/p')

echo
echo "== per decision"
awk -v e="$engine_ns" -v h="$http_us" -v o="$opa_us" 'BEGIN {
  printf "%-40s %12.1f us\n", "serialguard engine (prepared)", e / 1000
  printf "%-40s %12.1f us  (%.0fx the engine)\n", "OPA server HTTP API (keep-alive)", h, h * 1000 / e
  printf "%-40s %12.1f us  (%.0fx the engine)\n", "opa eval, one process per event", o, o * 1000 / e
}'
