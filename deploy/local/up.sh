#!/usr/bin/env bash
# One command for the whole system on this machine: a real KRaft broker (its own JVM), the gateway (model registry,
# rollouts, dashboard and live viewer), inference-service following the gateway's rollout plans, trainer-service
# (job API on simulator data) and simulated endoscopes for a few procedure rooms. It registers the committed fixture
# model through the gateway's REST API, makes it the stable version, and prints the dashboard URL and how to sign in.
# Ctrl-C stops everything; so does any component that dies (named, with the end of its log).
# Needs only JDK 17: the first run builds what it starts, later runs rebuild when a source is newer than the build.
#
#   deploy/local/up.sh [--data-dir DIR] [--port 9092] [--http-port 8081] [--gateway-port 8082] [--trainer-port 8083]
#                      [--streams 3] [--fps 8] [--size 720x576] [--seconds 3600] [--model-dir DIR] [--no-trainer]
#                      [--listen 127.0.0.1] [--retention-minutes 60] [--retention-mb 256]
#
# Data (broker storage, registry artifacts, the stack's JWT key pair, simulator datasets, training runs, logs) goes
# to --data-dir, default ${ENDOSTREAM_HOME:-~/.endostream}/local: outside the build's target/, kept across runs and
# `mvn clean`; delete the folder to start afresh. --streams 0 starts no simulator (e.g. to drive the stack with
# `endostream-local loadgen`). Every HTTP port listens on 127.0.0.1 only; --listen 0.0.0.0 opens the broker alone
# to the network (no authentication: only on a network you trust).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data_dir="${ENDOSTREAM_HOME:-$HOME/.endostream}/local"
port=9092 streams=3 fps=8 size=720x576 seconds=3600 listen=127.0.0.1
http_port=8081 gateway_port=8082 trainer_port=8083 trainer=1
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
    --gateway-port) gateway_port="$2"; shift 2 ;;
    --trainer-port) trainer_port="$2"; shift 2 ;;
    --no-trainer) trainer=0; shift ;;
    --listen) listen="$2"; shift 2 ;;
    --retention-minutes) retention_minutes="$2"; shift 2 ;;
    --retention-mb) retention_mb="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "up.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -f "$model_dir/manifest.json" && -f "$model_dir/model.onnx" ]] \
  || { echo "up.sh: --model-dir $model_dir needs manifest.json and model.onnx" >&2; exit 2; }

# Fail fast on a port clash instead of waiting for a component that cannot start.
ports=("$port" "$((port + 1))" "$http_port" "$gateway_port")
[[ $trainer == 1 ]] && ports+=("$trainer_port")
for p in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "up.sh: port $p is already in use (another EndoStream stack?); choose others with --port / --http-port /" \
      "--gateway-port / --trainer-port" >&2
    exit 2
  fi
done

mkdir -p "$data_dir"
logs="$data_dir/logs"; mkdir -p "$logs"

# ---- build what is missing or stale: one `package` (never install: nothing goes into ~/.m2) for every service whose
# packaged app is older than a src/main file or pom of itself or of contracts (after a pull or an edit).
stale=()
for module in inference-service gateway trainer-service; do
  [[ $module == trainer-service && $trainer == 0 ]] && continue
  app="$root/$module/target/quarkus-app/quarkus-run.jar"
  if [[ ! -f "$app" || -n "$(find "$root/pom.xml" "$root/contracts" "$root/$module" \
        \( -path '*/target' -prune \) -o \( -type f \( -path '*/src/main/*' -o -name pom.xml \) -newer "$app" -print \) \
        2>/dev/null | head -1)" ]]; then
    stale+=("$module")
  fi
done
if [[ ${#stale[@]} -gt 0 ]]; then
  list="$(IFS=,; echo "${stale[*]}")"
  echo "[up] building $list (sources changed or first run; a few minutes the first time) ..."
  # the reactor hands contracts and deploy/local over directly (-am)
  (cd "$root" && ./mvnw -B -q -ntp -DskipTests package -pl "$list" -am)
fi

# ---- the stack's own JWT key pair, generated once into the data folder (owner-only). The gateway and the trainer
# verify tokens with its public half; the gateway's /dev/token signs with the private half, for loopback callers only.
keys="$data_dir/jwt"
java "$root/deploy/local/bin/LocalJwtKeys.java" "$keys"

# ---- a small simulator dataset for the trainer, generated once (into a temporary folder, renamed when complete)
sim_data="$data_dir/sim-data"
if [[ $trainer == 1 && ! -d "$sim_data/sim-seg" ]]; then
  echo "[up] generating a small simulator dataset for training into $sim_data (once) ..."
  rm -rf "$sim_data.partial"; mkdir -p "$sim_data.partial"
  "$root/deploy/local/bin/endostream-local" simulate dataset --out "$sim_data.partial/sim-seg" --count 240 --seed 1 \
    --size 128x128 > "$logs/sim-data.log" 2>&1
  "$root/deploy/local/bin/endostream-local" simulate unlabelled --out "$sim_data.partial/sim-unlabelled" --count 400 \
    --seed 2 --size 128x128 >> "$logs/sim-data.log" 2>&1
  rm -rf "$sim_data"; mv "$sim_data.partial" "$sim_data"
fi

names=() pids=()
cleanup() {
  trap - EXIT INT TERM
  [[ ${#pids[@]} -gt 0 ]] || return 0
  echo; echo "[up] stopping ..."
  # One at a time, newest first, the broker last: a service stopped after the broker would wait out its Kafka
  # clients' timeouts (inference-service took 70 s that way).
  local i t0
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    t0=$SECONDS
    kill "${pids[$i]}" 2>/dev/null || true
    while kill -0 "${pids[$i]}" 2>/dev/null && ((SECONDS - t0 < 60)); do sleep 0.2; done
    if kill -0 "${pids[$i]}" 2>/dev/null; then  # stuck: do not leave it behind
      echo "[up] ${names[$i]} did not stop within 60 s of SIGTERM: killing it" >&2
      kill -9 "${pids[$i]}" 2>/dev/null || true
    fi
    wait "${pids[$i]}" 2>/dev/null || true
    echo "[up] ${names[$i]} stopped ($((SECONDS - t0)) s)"
  done
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

gw="http://127.0.0.1:$gateway_port"
tr="http://127.0.0.1:$trainer_port"

echo "[up] broker on $listen:$port (data in $data_dir/kafka, log $logs/broker.log)"
start broker "$logs/broker.log" "$root/deploy/local/bin/endostream-local" broker --data-dir "$data_dir/kafka" \
  --port "$port" --listen "$listen" --host "$([[ $listen == 0.0.0.0 ]] && hostname -f || echo "$listen")" \
  --retention-minutes "$retention_minutes" --retention-mb "$retention_mb"
wait_for "the broker" 180 "${pids[-1]}" "$logs/broker.log" grep -q 'Kafka broker ready' "$logs/broker.log"

# The job the dashboard proposes: the whole pipeline on the simulator dataset, small enough for a laptop CPU.
# Paths are relative to the trainer's data root (the trainer confines every path to it and to its run root).
job_template='{"type":"pipeline","options":{"dataset":"sim-seg","unlabelled":"sim-unlabelled","input-size":64,"pretrain-iterations":10,"finetune-iterations":30,"eval-every":10}}'

echo "[up] gateway on $gw (registry in $data_dir/gateway, log $logs/gateway.log)"
gateway_args=(-Dkafka.bootstrap.servers="127.0.0.1:$port" -Dquarkus.http.host=127.0.0.1
  -Dquarkus.http.port="$gateway_port" -Dendostream.gateway.store.dir="$data_dir/gateway/artifacts"
  -Dmp.jwt.verify.publickey.location="$keys/public.pem" -Dmp.jwt.verify.issuer=endostream
  -Dendostream.dashboard.dev-token.enabled=true -Dendostream.dashboard.dev-token.private-key-location="$keys/private.pem")
[[ $trainer == 1 ]] && gateway_args+=(-Dendostream.gateway.trainer-url="$tr"
  -Dendostream.gateway.trainer-job-template="$job_template")
start gateway "$logs/gateway.log" java -Xmx512m "${gateway_args[@]}" -jar "$root/gateway/target/quarkus-app/quarkus-run.jar"
wait_for "the gateway" 180 "${pids[-1]}" "$logs/gateway.log" curl -fs "$gw/q/health/ready"

# Tokens for this script and the inference service, from the gateway's loopback-only token endpoint.
token() { curl -fsS "$gw/dev/token?user=$1&role=$2"; }
operator_token="$(token up.sh operator)"
inference_token="$(token inference-service viewer)"

# Register the committed fixture through the REST API (a second run finds it registered: 409) ...
model_ref="$(sed -n 's/^ *"name" *: *"\([^"]*\)".*/\1/p' "$model_dir/manifest.json" | head -1):$(sed -n \
  's/^ *"version" *: *"\([^"]*\)".*/\1/p' "$model_dir/manifest.json" | head -1)"
code="$(curl -s -o "$logs/register.json" -w '%{http_code}' -H "Authorization: Bearer $operator_token" \
  -F manifest=@"$model_dir/manifest.json" -F model=@"$model_dir/model.onnx" "$gw/api/models")"
case "$code" in
  201) echo "[up] registered the committed fixture model $model_ref ($model_dir) through POST $gw/api/models" ;;
  409) echo "[up] the fixture model $model_ref is already registered (kept from an earlier run)" ;;
  *) echo "[up] registering $model_ref failed ($code): $(cat "$logs/register.json")" >&2; exit 1 ;;
esac
# ... and make it the stable version of deployment "default" unless the deployment exists (a later run keeps
# whatever an operator promoted since).
if [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $operator_token" \
      "$gw/api/deployments/default")" == 404 ]]; then
  curl -fsS -o /dev/null -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' -X PUT \
    "$gw/api/deployments/default/stable" -d "{\"model\":\"$model_ref\",\"reason\":\"first release (up.sh)\"}"
  echo "[up] deployment default: stable = $model_ref"
else
  echo "[up] deployment default exists: kept as it is"
fi

echo "[up] inference-service on http://127.0.0.1:$http_port following the gateway's plan for 'default'" \
  "(log $logs/inference.log)"
# The memory and JIT settings inference-service/README.md documents (bounded heap and native arenas, C1 only).
start inference-service "$logs/inference.log" env MALLOC_ARENA_MAX=2 java -Xmx384m -XX:MaxDirectMemorySize=128m \
  -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=192m -XX:TieredStopAtLevel=1 -Dkafka.bootstrap.servers="127.0.0.1:$port" \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$http_port" -Dendostream.inference.model.dir="$model_dir" \
  -Dendostream.control-plane.enabled=true -Dendostream.control-plane.gateway-url="$gw" \
  -Dendostream.control-plane.token="$inference_token" \
  -Dendostream.control-plane.cache-dir="$data_dir/inference-cache" \
  -jar "$root/inference-service/target/quarkus-app/quarkus-run.jar"
wait_for "inference-service" 180 "${pids[-1]}" "$logs/inference.log" curl -fs "http://127.0.0.1:$http_port/q/health/ready"

if [[ $trainer == 1 ]]; then
  echo "[up] trainer-service on $tr (runs in $data_dir/trainer/runs, log $logs/trainer.log)"
  # one OpenMP thread that sleeps when idle: several JVMs share this machine's cores (trainer README)
  mkdir -p "$data_dir/trainer/runs"
  start trainer-service "$logs/trainer.log" env OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE java \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$trainer_port" \
    -Dendostream.trainer.data-roots="$sim_data" -Dendostream.trainer.run-root="$data_dir/trainer/runs" \
    -Dmp.jwt.verify.publickey.location="$keys/public.pem" -Dmp.jwt.verify.issuer=endostream \
    -jar "$root/trainer-service/target/quarkus-app/quarkus-run.jar"
  wait_for "trainer-service" 180 "${pids[-1]}" "$logs/trainer.log" curl -fs "$tr/q/health/ready"
fi

if [[ "$streams" -gt 0 ]]; then
  echo "[up] $streams simulated endoscope(s) sim-1..sim-$streams at $fps fps, $size, for ${seconds}s (log $logs/simulator.log)"
  start simulator "$logs/simulator.log" "$root/deploy/local/bin/endostream-local" simulate stream \
    --bootstrap "127.0.0.1:$port" --streams "$streams" --fps "$fps" --size "$size" --seconds "$seconds"
fi

cat <<MSG

EndoStream is running.
  Dashboard:    $gw/dashboard/index.html     (models, deployments, rollouts, training, audit)
  Live viewer:  $gw/dashboard/viewer.html    (pick a stream: frames with their masks)
  Sign in: press "local operator token" (or "local viewer token") in the login box; the gateway hands tokens only
  to this machine. For curl:  OP="Authorization: Bearer \$(curl -s '$gw/dev/token?user=me&role=operator')"
  The lifecycle from the shell (train, register, shadow, canary, promote): deploy/local/lifecycle.sh --gateway $gw
  Also: kcat -C -b 127.0.0.1:$port -t endoscopy.masks -f '%k %h\n'   |   curl -s 127.0.0.1:$http_port/q/metrics | grep endostream_
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
