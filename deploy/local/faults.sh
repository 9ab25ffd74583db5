#!/usr/bin/env bash
# Fault runs against the shipped inference-service (the packaged Quarkus app, its own JVM) and a real KRaft broker in
# its own JVM, with simulated endoscopes streaming in lossless mode. Each scenario gets a fresh broker, then
# `endostream-local audit` accounts for every frame from the topics alone: frames in = masks + dead letters
# (+ counted skips: none in lossless mode), duplicates counted separately.
#
#   deploy/local/faults.sh [--scenarios kill9,sigterm-restart,broker-restart,instance-kill,scale,fuzz] [--streams 4] [--fps 25]
#                          [--seconds 40] [--size 320x256] [--port 19092] [--out DIR]
#
# Writes DIR/<scenario>.json (the audit) and DIR/faults.md (the table). Needs the packaged service:
#   ./mvnw -B -DskipTests package -pl inference-service,deploy/local -am
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scenarios="kill9,sigterm-restart,broker-restart,instance-kill,scale,fuzz" streams=4 fps=25 seconds=40 size=320x256 port=19092
out="$root/deploy/local/target/faults"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scenarios) scenarios="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --fps) fps="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "faults.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
app="$root/inference-service/target/quarkus-app/quarkus-run.jar"
[[ -f "$app" ]] || { echo "faults.sh: $app missing; build it first (see --help)" >&2; exit 2; }
model="$root/inference-service/src/test/resources/models/polyp-fixture"
cli="$root/deploy/local/bin/endostream-local"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/endostream-faults.XXXXXX")"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

log() { echo "[faults $(date +%T)] $*"; }
now_ms() { date +%s%3N; }

start_broker() { # data dir
  "$cli" broker --data-dir "$1" --port "$port" --controller-port $((port + 1)) --partitions 8 >> "$work/broker.log" 2>&1 &
  broker_pid=$!; pids+=("$broker_pid")
  for ((i = 0; i < 120; i++)); do
    grep -q 'Kafka broker ready' "$work/broker.log" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$broker_pid" 2>/dev/null || { echo "broker died; see $work/broker.log" >&2; tail -20 "$work/broker.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "broker not ready in 60 s" >&2; exit 1
}

start_service() { # name http-port
  java -Xmx512m -Dkafka.bootstrap.servers="127.0.0.1:$port" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$2" \
       -Dendostream.inference.model.dir="$model" -Dendostream.inference.stream.lossless=true \
       -jar "$app" > "$work/$1.log" 2>&1 &
  local pid=$!; pids+=("$pid"); eval "${1}_pid=$pid"
  for ((i = 0; i < 240; i++)); do
    curl -fs "http://127.0.0.1:$2/q/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "service $1 died; see $work/$1.log" >&2; tail -20 "$work/$1.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "service $1 not ready in 120 s" >&2; exit 1
}

skips() { # http-port: stale-frame skips the service counted (0 in lossless mode)
  { curl -fs "http://127.0.0.1:$1/q/metrics" 2>/dev/null || true; } \
    | awk '/^endostream_frames_skipped_total/ {s += $2} END {print s + 0}'
}

stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}

run_scenario() {
  local name="$1" data="$work/$1-kafka"
  log "$name: fresh broker on 127.0.0.1:$port"
  : > "$work/broker.log"
  start_broker "$data"
  start_service a 18081
  local since; since=$(now_ms)
  log "$name: $streams stream(s) x $fps fps x ${seconds}s ($size, lossless)"
  "$cli" simulate stream --bootstrap "127.0.0.1:$port" --streams "$streams" --fps "$fps" --size "$size" \
      --seconds "$seconds" > "$work/$name-sim.log" 2>&1 &
  local sim=$!; pids+=("$sim")
  local skipped=0
  case "$name" in
    kill9)
      sleep $((seconds / 3)); log "kill -9 the service"; kill -9 "$a_pid"; wait "$a_pid" 2>/dev/null || true
      start_service a 18081; log "restarted" ;;
    sigterm-restart)
      sleep $((seconds / 3)); log "SIGTERM the service (a deploy)"; kill "$a_pid"; wait "$a_pid" 2>/dev/null || true
      start_service a 18081; log "restarted" ;;
    broker-restart)
      sleep $((seconds / 4)); log "stopping the broker for 30 s"; kill "$broker_pid"; wait "$broker_pid" 2>/dev/null || true
      sleep 30; start_broker "$data"; log "broker back" ;;
    instance-kill)
      start_service b 18082; sleep $((seconds / 3)); log "kill -9 instance b"; kill -9 "$b_pid"; wait "$b_pid" 2>/dev/null || true ;;
    scale)
      sleep $((seconds * 3 / 10)); log "instance b joins"; start_service b 18082
      sleep $((seconds * 4 / 10)); skipped=$(skips 18081); log "instance a leaves (SIGTERM)"; kill "$a_pid"
      wait "$a_pid" 2>/dev/null || true ;;
    fuzz)
      "$cli" fuzz --bootstrap "127.0.0.1:$port" --count 1000 --fps 50 --stream fuzz-1 > "$work/fuzz.log" 2>&1 ;;
  esac
  wait "$sim" || true
  local until; until=$(now_ms)
  log "$name: load done; auditing"
  "$cli" audit --bootstrap "127.0.0.1:$port" --since "$since" --until "$until" --settle 20 \
      --json "$out/$name.json" | tee "$out/$name.txt" || true
  for p in 18081 18082; do skipped=$((skipped + $(skips $p))); done
  echo "$skipped" > "$out/$name.skips"
  if grep -qE 'ERROR|Exception in thread' "$work"/a.log "$work"/b.log 2>/dev/null; then
    grep -hE 'ERROR|Exception in thread' "$work"/a.log "$work"/b.log 2>/dev/null | head -5 > "$out/$name.errors"
  else
    : > "$out/$name.errors"
  fi
  stop_all
  rm -f "$work"/a.log "$work"/b.log
}

IFS=',' read -ra list <<< "$scenarios"
for s in "${list[@]}"; do run_scenario "$s"; done

python3 - "$out" "${list[@]}" <<'PY'
import json, sys, os
out, names = sys.argv[1], sys.argv[2:]
rows = ["| fault | frames sent | masks | dead letters | skips | duplicates | unaccounted | out of order | longest gap ms | errors logged |",
        "|---|---|---|---|---|---|---|---|---|---|"]
for n in names:
    r = json.load(open(os.path.join(out, n + ".json")))
    skips = open(os.path.join(out, n + ".skips")).read().strip()
    errors = sum(1 for _ in open(os.path.join(out, n + ".errors")))
    rows.append(f"| {n} | {r['frames']} | {r['masked']} | {r['deadLettered']} | {skips} | "
                f"{r['duplicateMasks'] + r['duplicateDeadLetters']} | {r['unaccounted']} | {r['outOfOrder']} | "
                f"{r['longestGapMs']} | {errors} |")
open(os.path.join(out, "faults.md"), "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
