#!/usr/bin/env bash
# One command for the whole system on this machine: a real KRaft broker (its own JVM, data kept in a folder),
# inference-service with the committed fixture model, and simulated endoscopes streaming frames.
# Ctrl-C stops everything; so does any component that dies (named, with the end of its log).
# Needs only JDK 17: the first run builds what it starts, later runs rebuild when a source is newer than the build.
#
#   deploy/local/up.sh [--data-dir DIR] [--port 9092] [--streams 2] [--fps 10] [--size 720x576]
#                      [--seconds 3600] [--model-dir DIR] [--http-port 8081] [--listen 127.0.0.1]
#                      [--retention-minutes 60] [--retention-mb 256]
#
# Data (broker storage, logs) goes to --data-dir, default ${ENDOSTREAM_HOME:-~/.endostream}/local: outside the
# build's target/, kept across runs and `mvn clean`; delete the folder to start afresh. --streams 0 starts no
# simulator (e.g. to drive the stack with `endostream-local loadgen`). Everything listens on 127.0.0.1 unless
# --listen 0.0.0.0 opens the broker to the network (no authentication: only on a network you trust).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data_dir="${ENDOSTREAM_HOME:-$HOME/.endostream}/local"
port=9092 streams=2 fps=10 size=720x576 seconds=3600 http_port=8081 listen=127.0.0.1
retention_minutes=60 retention_mb=256
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
    --listen) listen="$2"; shift 2 ;;
    --retention-minutes) retention_minutes="$2"; shift 2 ;;
    --retention-mb) retention_mb="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "up.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -f "$model_dir/manifest.json" ]] || { echo "up.sh: --model-dir $model_dir has no manifest.json" >&2; exit 2; }

# Fail fast on a port clash instead of waiting for a component that cannot start.
for p in "$port" "$((port + 1))" "$http_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "up.sh: port $p is already in use (another EndoStream stack?); choose others with --port / --http-port" >&2
    exit 2
  fi
done

mkdir -p "$data_dir"
logs="$data_dir/logs"; mkdir -p "$logs"

# Rebuild when missing or when any source or pom is newer than the packaged service (a pull, an edit).
app="$root/inference-service/target/quarkus-app/quarkus-run.jar"
# (deploy/local is not in the list: the service uses it in tests only, and bin/endostream-local rebuilds it itself.)
if [[ ! -f "$app" || -n "$(find "$root/pom.xml" "$root/contracts" "$root/inference-service" \
      \( -path '*/target' -prune \) -o \( -type f \( -path '*/src/main/*' -o -name pom.xml \) -newer "$app" -print \) \
      2>/dev/null | head -1)" ]]; then
  echo "[up] building inference-service (sources changed or first run) ..."
  # package, not install: nothing goes into ~/.m2; the reactor hands contracts and deploy/local over directly.
  (cd "$root" && ./mvnw -B -q -ntp -DskipTests package -pl inference-service -am)
fi

names=() pids=()
cleanup() {
  trap - EXIT INT TERM
  [[ ${#pids[@]} -gt 0 ]] || return 0
  echo; echo "[up] stopping ..."
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for ((i=${#pids[@]}-1; i>=0; i--)); do wait "${pids[$i]}" 2>/dev/null || true; done
  echo "[up] stopped (data kept in $data_dir)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # name, log, command...
  local name="$1" log="$2"; shift 2
  "$@" > "$log" 2>&1 &
  pids+=($!) names+=("$name")
}

died() { # name, pid, log
  local code=0
  wait "$2" 2>/dev/null || code=$?
  echo "[up] $1 exited (status $code); the end of $3:" >&2
  tail -n 15 "$3" | sed 's/^/    /' >&2
  exit 1
}

wait_for() { # what, seconds, pid, log, command...
  local what="$1" limit="$2" pid="$3" log="$4"; shift 4
  for ((s=0; s<limit; s++)); do
    kill -0 "$pid" 2>/dev/null || died "$what" "$pid" "$log"
    "$@" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "[up] $what did not come up within ${limit}s; log: $log" >&2; exit 1
}

echo "[up] broker on $listen:$port (data in $data_dir/kafka, log $logs/broker.log)"
start broker "$logs/broker.log" "$root/deploy/local/bin/endostream-local" broker --data-dir "$data_dir/kafka" \
  --port "$port" --listen "$listen" --host "$([[ $listen == 0.0.0.0 ]] && hostname -f || echo "$listen")" \
  --retention-minutes "$retention_minutes" --retention-mb "$retention_mb"
wait_for "the broker" 180 "${pids[0]}" "$logs/broker.log" grep -q 'Kafka broker ready' "$logs/broker.log"

echo "[up] inference-service on http://127.0.0.1:$http_port (model $model_dir, log $logs/inference.log)"
start inference-service "$logs/inference.log" java -Dkafka.bootstrap.servers="127.0.0.1:$port" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$http_port" \
  -Dendostream.inference.model.dir="$model_dir" -jar "$app"
wait_for "inference-service" 180 "${pids[1]}" "$logs/inference.log" curl -fs "http://127.0.0.1:$http_port/q/health/ready"

if [[ "$streams" -gt 0 ]]; then
  echo "[up] $streams simulated endoscope(s) at $fps fps, $size, for ${seconds}s (log $logs/simulator.log)"
  start simulator "$logs/simulator.log" "$root/deploy/local/bin/endostream-local" simulate stream \
    --bootstrap "127.0.0.1:$port" --streams "$streams" --fps "$fps" --size "$size" --seconds "$seconds"
fi

cat <<MSG

EndoStream is running. Try:
  kcat -C -b 127.0.0.1:$port -t endoscopy.masks -f '%k %h\n'          # one line per mask: stream id + headers
  curl -s 127.0.0.1:$http_port/q/metrics | grep endostream_
  kcat -P -b 127.0.0.1:$port -t endoscopy.frames -k room-3 your-frame.jpg     # your own image
  deploy/local/bin/endostream-local loadgen --bootstrap 127.0.0.1:$port --streams 1 --fps 25 --seconds 40
Ctrl-C stops everything.
MSG

# Until Ctrl-C, or until any component ends: a simulator that finished its --seconds, or anything that died.
while true; do
  code=0
  wait -n -p ended "${pids[@]}" || code=$?
  for i in "${!pids[@]}"; do
    if [[ "${pids[$i]}" == "${ended:-}" ]]; then
      if [[ "${names[$i]}" == simulator && $code -eq 0 ]]; then
        echo "[up] the simulated streams finished (--seconds $seconds); stopping."
        exit 0
      fi
      echo "[up] ${names[$i]} exited (status $code); the end of its log:" >&2
      tail -n 15 "$logs/${names[$i]%%-*}.log" | sed 's/^/    /' >&2
      exit 1
    fi
  done
done
