#!/usr/bin/env bash
# The shipped inference-service measured next to its essential parts, in one run (issue #10).
#
#   inference-service/bench/run.sh [--quick] [--out DIR] [--port 19192] [--http-port 18091]
#                                  [--service-opts "JVM options and -D settings for the service"]
#                                  [--service-env "VAR=value ..."] [--phase-seconds 30] [--soak SECONDS]
#                                  [--provider cpu|cuda] [--jfr] [--drain-only]
#
# What runs, each in its own JVM: a KRaft broker (endostream-local broker), the packaged service
# (target/quarkus-app/quarkus-run.jar with its real application.properties and the committed fixture model), the
# load (endostream-local loadgen, from outside), and the parts alone (bench.ServiceBench: ONNX Runtime at the
# service's session settings, decode / preprocess / postprocess / 1-bit PNG, a plain Kafka relay's client CPU).
# Phases: parts alone (720x576, 1920x1080) -> drain of a backlog in lossless mode (throughput, 720x576 and
# 1920x1080) -> a fresh service: the first frames after ready (4 streams x 25 fps) -> relay floor and service at 1,
# 4, 8 streams x 25 fps -> overload at 50 %, 120 %, 200 % of the measured capacity -> (--soak S) 8 streams for S s.
# The service's CPU (/proc/PID/stat) and RSS (/proc/PID/status, every second) are read during every phase; around
# every service phase its /q/metrics (per-stage timers) and its threads' CPU (/proc/PID/task/*/stat) are snapshotted,
# so the table says where a frame's latency and the service's CPU went. --jfr records the lossless service with Java
# Flight Recorder (profile settings) and adds its hottest methods by thread group to the report.
# Prints one table with the issue's ratios and writes DIR/bench.json (compare two runs with bench/compare.py).
# Default ~10 minutes; --quick ~4 minutes (shorter phases, smaller backlogs); --drain-only stops after the drains.
#
# It builds nothing. Build first (no install; the reactor hands modules over):
#   ./mvnw -B -q -DskipTests package -pl inference-service,deploy/local -am
#   ./mvnw -B -q -DskipTests -pl inference-service -am package dependency:build-classpath -Dmdep.includeScope=test \
#          -Dmdep.outputFile=target/bench-classpath.txt
#   deploy/local/bin/endostream-local --help
# (the second writes inference-service/target/bench-classpath.txt, the harness' test classpath; the third writes
#  deploy/local/target/runtime-classpath.txt, the broker's and loadgen's classpath)
set -euo pipefail
root="${BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"  # BENCH_ROOT: run a copy of this script against a checkout
svc="$root/inference-service"
quick=false provider=cpu out="$svc/target/bench/$(date -u +%Y%m%dT%H%M%SZ)" port=19192 http=18091 phase_seconds="" soak=0 jfr=false drain_only=false
# The memory and thread settings the README documents (section "Memory and threads"); override to compare.
service_opts="${BENCH_SERVICE_OPTS--Xmx384m -XX:MaxDirectMemorySize=128m -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=192m -XX:TieredStopAtLevel=1}"
service_env="${BENCH_SERVICE_ENV-MALLOC_ARENA_MAX=2}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=true; shift ;;
    --out) out="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --http-port) http="$2"; shift 2 ;;
    --service-opts) service_opts="$2"; shift 2 ;;
    --service-env) service_env="$2"; shift 2 ;;
    --phase-seconds) phase_seconds="$2"; shift 2 ;;
    --soak) soak="$2"; shift 2 ;;
    --provider) provider="$2"; shift 2 ;;
    --jfr) jfr=true; shift ;;
    --drain-only) drain_only=true; shift ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if $quick; then
  phase=${phase_seconds:-12} warm=2 drain720=1200 drain1080=300 relay_frames=400
else
  phase=${phase_seconds:-30} warm=5 drain720=3000 drain1080=800 relay_frames=800
fi

app="$svc/target/quarkus-app/quarkus-run.jar"
bench_cp="$svc/target/bench-classpath.txt"
local_cp="$root/deploy/local/target/runtime-classpath.txt"
model="$svc/src/test/resources/models/polyp-fixture"
missing=()
[[ -f "$app" ]] || missing+=("$app")
[[ -f "$svc/target/test-classes/io/endostream/inference/bench/ServiceBench.class" ]] || missing+=("inference-service test classes")
[[ -f "$bench_cp" ]] || missing+=("$bench_cp")
[[ -f "$local_cp" && -d "$root/deploy/local/target/classes" ]] || missing+=("$local_cp")
if ((${#missing[@]})); then
  echo "bench: missing ${missing[*]}" >&2
  sed -n '23,29p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
for p in "$port" $((port + 1)) "$http"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use" >&2; exit 2; fi
done

mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/endostream-bench.XXXXXX")"
pids=() service_pid="" sampler_pid=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # Ctrl-C reaches every child (same process group); the EXIT trap then stops what is left
log() { echo "[bench $(date -u +%T)] $*"; }
harness() { java -Xss16m -cp "$svc/target/test-classes:$svc/target/classes:$(cat "$bench_cp")" \
                io.endostream.inference.bench.ServiceBench "$@"; }
cli() { java -cp "$root/deploy/local/target/classes:$(cat "$local_cp")" io.endostream.local.cli.LocalCli "$@"; }
# for `cli_exec ... &`: the background subshell becomes the JVM, so $! is the broker itself and cleanup's kill and
# wait reach it (a plain function in the background left the broker running, holding the port, after the bench)
cli_exec() { exec java -cp "$root/deploy/local/target/classes:$(cat "$local_cp")" io.endostream.local.cli.LocalCli "$@"; }
# snapshot NAME: the service's metrics, its threads' CPU ticks, the machine's and the broker's CPU
snapshot() {
  mkdir -p "$out/snap"
  curl -fs "http://127.0.0.1:$http/q/metrics" > "$out/snap/$1.metrics" 2>/dev/null || true
  for t in /proc/"$service_pid"/task/*; do
    [[ -r "$t/stat" ]] || continue
    printf '%s\t%s\t%s\n' "${t##*/}" "$(tr -d '\n' < "$t/comm" 2>/dev/null)" "$(stat_ticks "$t/stat" 2>/dev/null)"
  done > "$out/snap/$1.threads"
  # the whole machine (busy and idle jiffies of all cores) and the broker's CPU: is the machine saturated?
  { head -1 /proc/stat; echo "broker $(ticks "$broker_pid" 2>/dev/null || echo 0)"; } > "$out/snap/$1.machine"
}
# utime + stime of a /proc stat file (a process's or a thread's); the name may hold spaces: fields after the last ')'
stat_ticks() { awk '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "$1"; }
ticks() { stat_ticks "/proc/$1/stat"; }

{
  echo "started $(date -u +%FT%TZ)"
  echo "uptime $(uptime)"
  echo "cores $(nproc)"
  echo "java $(java -version 2>&1 | head -1)"
  echo "service_opts $service_opts"
  echo "service_env $service_env"
  echo "quick $quick phase_seconds $phase provider $provider"
  echo "git $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet 2>/dev/null || echo -dirty)"
} > "$out/run.txt"
printf 'phase\tstart\tend\tcpu_ticks_start\tcpu_ticks_end\tmasks_file\n' > "$out/phases.tsv"
: > "$out/rss.tsv"
log "writing to $out; $(uptime)"

log "frames: 720x576 and 1920x1080 simulated JPEGs"
harness frames --size 720x576 --count 25 --out "$work/frames-720x576" > /dev/null
harness frames --size 1920x1080 --count 25 --out "$work/frames-1920x1080" > /dev/null

log "broker (own JVM) on 127.0.0.1:$port"
cli_exec broker --data-dir "$work/kafka" --port "$port" --controller-port $((port + 1)) --partitions 8 > "$work/broker.log" 2>&1 &
pids+=($!); broker_pid=$!
for ((i = 0; i < 120; i++)); do
  grep -q 'Kafka broker ready' "$work/broker.log" 2>/dev/null && break
  kill -0 "$broker_pid" 2>/dev/null || { tail -20 "$work/broker.log" >&2; exit 1; }
  sleep 0.5
done
bootstrap="127.0.0.1:$port"

log "parts alone: ONNX Runtime at the service's settings, codec stages, relay Kafka clients (720x576)"
harness parts --model "$model" --frames "$work/frames-720x576" --bootstrap "$bootstrap" --relay-frames "$relay_frames" \
  --provider "$provider" --out "$out/parts-720x576.json" > /dev/null
log "parts alone (1920x1080)"
harness parts --model "$model" --frames "$work/frames-1920x1080" --bootstrap "$bootstrap" --relay-frames "$relay_frames" \
  --ort false --out "$out/parts-1920x1080.json" > /dev/null

start_service() { # name extra-options...
  local name="$1"; shift
  env $service_env java $service_opts "$@" -Dkafka.bootstrap.servers="$bootstrap" -Dquarkus.http.host=127.0.0.1 \
      -Dquarkus.http.port="$http" -Dendostream.inference.model.dir="$model" \
      -Dendostream.inference.onnx-runtime.provider="$provider" -jar "$app" > "$work/$name.log" 2>&1 &
  service_pid=$!; pids+=("$service_pid")
  local t0; t0=$(date +%s.%N)
  for ((i = 0; i < 480; i++)); do
    curl -fs "http://127.0.0.1:$http/q/health/ready" > /dev/null 2>&1 && break
    kill -0 "$service_pid" 2>/dev/null || { echo "service died; see its log:" >&2; tail -30 "$work/$name.log" >&2; exit 1; }
    sleep 0.25
  done
  echo "$name ready_seconds $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" >> "$out/run.txt"
  (while kill -0 "$service_pid" 2>/dev/null; do
     echo "$(date +%s.%N) $(awk '/VmRSS/ {print $2}' "/proc/$service_pid/status" 2>/dev/null)"; sleep 1
   done) >> "$out/rss.tsv" 2>/dev/null &
  sampler_pid=$!; pids+=("$sampler_pid")
}
stop_service() {
  kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true
  kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true
}
loadgen() { # phase-name target streams seconds warmup
  local name="$1" target="$2" n="$3" secs="$4" wu="$5" t0 c0=0 c1=0
  t0=$(date +%s.%N); [[ "$target" == *service ]] && { snapshot "$name-before"; c0=$(ticks "$service_pid"); }
  cli loadgen --bootstrap "$bootstrap" --streams "$n" --fps 25 --seconds "$secs" --warmup "$wu" --grace 3 \
      --repeats 1 --targets "$target" --images "$work/frames-720x576" --distinct-frames 25 \
      --service-metrics "http://127.0.0.1:$http/q/metrics" --out "$out/lg-$name" > "$work/lg-$name.log" 2>&1 \
    || { echo "loadgen $name failed:" >&2; tail -20 "$work/lg-$name.log" >&2; exit 1; }
  [[ "$target" == *service ]] && { c1=$(ticks "$service_pid"); snapshot "$name-after"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$t0" "$(date +%s.%N)" "$c0" "$c1" "lg-$name/report.json" >> "$out/phases.tsv"
  log "  $name: $(python3 -c "import json,sys; p=json.load(open(sys.argv[1]))['phases'][-1]; print(f\"{p['delivered']}/{p['sent']} answered, skips {p.get('serviceSkips')}, p50 {float(p['p50Ms']):.1f} p99 {float(p['p99Ms']):.1f} ms\")" "$out/lg-$name/report.json")"
}

log "throughput: lossless service draining backlogs (8 streams)"
jfr_opts=()
$jfr && jfr_opts=(-XX:StartFlightRecording=filename="$out/lossless.jfr",settings=profile,dumponexit=true)
start_service lossless "${jfr_opts[@]}" -Dendostream.inference.stream.lossless=true
for size in 720x576 1920x1080; do
  count=$drain720; [[ $size == 1920x1080 ]] && count=$drain1080
  t0=$(date +%s.%N); snapshot "drain-$size-before"
  harness drain --bootstrap "$bootstrap" --frames "$work/frames-$size" --count "$count" --streams 8 \
    --pid "$service_pid" --broker-pid "$broker_pid" --out "$out/drain-$size.json" > /dev/null
  snapshot "drain-$size-after"
  printf '%s\t%s\t%s\t0\t0\t\n' "drain-$size" "$t0" "$(date +%s.%N)" >> "$out/phases.tsv"
  log "  drain $size: $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"{d['framesPerSecond']:.1f} frames/s, {d['serviceCpuMsPerFrame']:.2f} ms CPU per frame, machine {100 * d.get('machineBusyShare', 0):.0f} % busy\")" "$out/drain-$size.json")"
done
stop_service
if $jfr && [[ -f "$out/lossless.jfr" ]]; then
  jfr print --json --stack-depth 4 --events jdk.ExecutionSample,jdk.NativeMethodSample "$out/lossless.jfr" \
    > "$work/jfr-samples.json" && python3 "$svc/bench/jfr_hot.py" "$work/jfr-samples.json" > "$out/jfr-hot.json" \
    || log "  jfr: could not summarise $out/lossless.jfr"
fi
if $drain_only; then # parts and drains only: a quick look at throughput and overhead after a change
  echo "finished $(date -u +%FT%TZ)" >> "$out/run.txt"; echo "uptime_end $(uptime)" >> "$out/run.txt"
  cp "$work"/*.log "$out/" 2>/dev/null || true
  python3 "$svc/bench/report.py" "$out"; exit 0
fi
capacity=$(python3 -c "import json; print(json.load(open('$out/drain-720x576.json'))['framesPerSecond'])")

log "real-time service (default: latest-frame-wins), fresh start"
start_service realtime
log "first frames after ready: 4 streams x 25 fps, 1000 frames, no warm-up excluded (load generator warmed on the relay)"
# the load generator's own JVM warms up on the relay first (same process, ~10 s), so its JIT and first fetches are
# not counted as the service's; the service, ready and idle meanwhile, then gets its first frames
loadgen cold relay,service 4 10 0
for n in 1 4 8; do
  log "$n stream(s) x 25 fps: relay floor, then the service"
  loadgen "relay-$n" relay "$n" "$phase" "$warm"
  loadgen "service-$n" service "$n" "$phase" "$warm"
done
for pct in 50 120 200; do
  n=$(python3 -c "print(max(1, round($capacity * $pct / 100 / 25)))")
  log "overload $pct % of capacity ($capacity frames/s): $n streams x 25 fps"
  loadgen "load-$pct" service "$n" "$phase" "$warm"
done
if ((soak > 0)); then
  log "soak: 8 streams x 25 fps for $soak s"
  loadgen soak service 8 "$soak" 30
fi
stop_service
echo "finished $(date -u +%FT%TZ)" >> "$out/run.txt"
echo "uptime_end $(uptime)" >> "$out/run.txt"
cp "$work"/*.log "$out/" 2>/dev/null || true
python3 "$svc/bench/report.py" "$out"
