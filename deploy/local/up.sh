#!/usr/bin/env bash
# One command for the whole system on this machine: a real KRaft broker (its own JVM, data kept in a folder),
# inference-service with the committed fixture model, and simulated endoscopes streaming frames.
# Ctrl-C stops everything. Needs only JDK 17: the first run builds the modules it starts.
#
#   deploy/local/up.sh [--data-dir DIR] [--port 9092] [--streams 2] [--fps 10] [--size 720x576]
#                      [--seconds 3600] [--model-dir DIR] [--http-port 8081]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data_dir="$root/deploy/local/target/local-data"
port=9092 streams=2 fps=10 size=720x576 seconds=3600 http_port=8081
model_dir="$root/inference-service/src/test/resources/models/polyp-fixture"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) data_dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --fps) fps="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --model-dir) model_dir="$2"; shift 2 ;;
    --http-port) http_port="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "up.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -f "$model_dir/manifest.json" ]] || { echo "up.sh: --model-dir $model_dir has no manifest.json" >&2; exit 2; }
mkdir -p "$data_dir"
logs="$data_dir/logs"; mkdir -p "$logs"

app="$root/inference-service/target/quarkus-app/quarkus-run.jar"
if [[ ! -f "$app" ]]; then
  echo "[up] building inference-service and deploy/local (first run only) ..."
  (cd "$root" && ./mvnw -B -q -ntp -DskipTests install -pl inference-service,deploy/local -am)
fi

pids=()
cleanup() {
  echo; echo "[up] stopping ..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # what, seconds, command...
  local what="$1" limit="$2"; shift 2
  for ((s=0; s<limit; s++)); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "[up] $what did not come up within ${limit}s; logs in $logs" >&2; exit 1
}

echo "[up] broker on localhost:$port (data in $data_dir/kafka, log $logs/broker.log)"
"$root/deploy/local/bin/endostream-local" broker --data-dir "$data_dir/kafka" --port "$port" > "$logs/broker.log" 2>&1 &
pids+=($!)
wait_for "the broker" 120 bash -c "grep -q 'Kafka broker ready' '$logs/broker.log' && exec 3<>/dev/tcp/localhost/$port"

echo "[up] inference-service on http://localhost:$http_port (model $model_dir, log $logs/inference.log)"
java -Dkafka.bootstrap.servers="localhost:$port" -Dquarkus.http.port="$http_port" \
     -Dendostream.inference.model.dir="$model_dir" -jar "$app" > "$logs/inference.log" 2>&1 &
pids+=($!)
wait_for "inference-service" 180 curl -fs "http://localhost:$http_port/q/health/ready"

echo "[up] $streams simulated endoscope(s) at $fps fps, $size, for ${seconds}s (log $logs/simulator.log)"
"$root/deploy/local/bin/endostream-local" simulate stream --bootstrap "localhost:$port" --streams "$streams" \
  --fps "$fps" --size "$size" --seconds "$seconds" > "$logs/simulator.log" 2>&1 &
pids+=($!)

cat <<MSG

EndoStream is running. Try:
  kcat -C -b localhost:$port -t endoscopy.masks -f '%k %h\n'          # one line per mask: stream id + headers
  curl -s localhost:$http_port/q/metrics | grep endostream_
  kcat -P -b localhost:$port -t endoscopy.frames -k room-3 your-frame.jpg     # your own image
Ctrl-C stops everything.
MSG
wait "${pids[2]}" || true
