#!/usr/bin/env bash
# Issue #8's rollout figures through the shipped services: packages inference-service and the gateway, then runs
# io.endostream.gateway.bench.RolloutFigures (test sources), which starts the broker in its own JVM
# (deploy/local/bin/endostream-local broker), the packaged gateway and two packaged inference instances, streams at
# 25 fps, promotes and rolls back under traffic, and prints frames lost, p99 during each swap vs steady, and the time
# until every instance follows each plan change. Every process it starts is stopped at the end (or killed with it).
# Usage: gateway/bench/rollout-figures.sh [streams] [steady-seconds] [warm-up-seconds]     (defaults 4, 15, 20)
#        SKIP_BUILD=1 reuses what is packaged; SHADOW=1 measures the same with a shadow running (the candidate
#        also shadows every stream it does not serve).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  # one reactor run: packages inference-service and the gateway (quarkus-app), compiles the test classes, and writes
  # gateway's test classpath (reactor modules as their target/classes)
  nice ./mvnw -B -q -ntp -o package dependency:build-classpath -pl gateway -am -DskipTests \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
  # the broker command's own classpath (built once by the script itself)
  deploy/local/bin/endostream-local --help > /dev/null
fi
cd gateway
exec java -Xmx512m -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.endostream.gateway.bench.RolloutFigures "$@"
