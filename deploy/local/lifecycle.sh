#!/usr/bin/env bash
# The model lifecycle from the shell, against a running up.sh stack, every step through the gateway's REST API:
# train a new version on simulator data (the trainer's job API via the gateway, progress streamed), register it from
# the job, shadow it, canary it, then promote it or roll it back. Each step prints the curl it makes.
#
#   deploy/local/lifecycle.sh [--gateway http://127.0.0.1:8082] [--deployment default] [--job JSON]
#                             [--steps 25,50,100] [--shadow-percent 50] [--gates JSON] [--then promote|rollback|watch]
#
# --job: the training job (default: the one the gateway proposes, endostream.gateway.trainer-job-template).
# --gates: the rollout's gates, e.g. '{"minShadowDice":0,"minShadowFrames":50,"minFrames":50}' to let a briefly
#   trained model through (the default gates roll a weak candidate back: that is the rollback path, also worth seeing).
# --then: after the shadow starts, promote it by hand, roll it back by hand, or (default) watch the gates decide.
# Needs only curl (jq, when installed, prettifies). Token: $ENDOSTREAM_TOKEN, else the stack's loopback token endpoint.
set -euo pipefail
gw=http://127.0.0.1:8082 deployment=default job="" steps=25,50,100 shadow_percent=50 gates="" then=watch
while [[ $# -gt 0 ]]; do
  case "$1" in
    --gateway) gw="$2"; shift 2 ;;
    --deployment) deployment="$2"; shift 2 ;;
    --job) job="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --shadow-percent) shadow_percent="$2"; shift 2 ;;
    --gates) gates="$2"; shift 2 ;;
    --then) then="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "lifecycle.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $then =~ ^(promote|rollback|watch)$ ]] || { echo "lifecycle.sh: --then must be promote, rollback or watch" >&2; exit 2; }
pretty() { if command -v jq >/dev/null; then jq -c "${1:-.}" 2>/dev/null || cat; else cat; echo; fi; }
field() { sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p" | head -1; }
step() { echo; echo "== $*"; }

token="${ENDOSTREAM_TOKEN:-$(curl -fsS "$gw/dev/token?user=lifecycle&role=operator")}"
AUTH=(-H "Authorization: Bearer $token")
api() { # method path [json]
  local out code
  out="$(mktemp)"
  echo "   curl -X $1 $gw$2${3:+ -d '$3'}" >&2
  code="$(curl -sS -o "$out" -w '%{http_code}' -X "$1" "${AUTH[@]}" ${3:+-H 'Content-Type: application/json' -d "$3"} "$gw$2")"
  cat "$out"; rm -f "$out"
  [[ $code == 2* ]] || { echo; echo "lifecycle.sh: $1 $2 answered $code" >&2; exit 1; }
}

step "1. train: start a job on the trainer (through the gateway, which forwards your token)"
if [[ -z $job ]]; then
  job="$(api GET /api/training | sed -n 's/.*"jobTemplate" *: *\({.*}\) *}$/\1/p')"
  [[ -n $job && $job != null ]] || job='{"type":"pipeline","options":{}}'
fi
started="$(api POST /api/training/jobs "$job")"
echo "$started" | pretty '{id, type, status}'
id="$(echo "$started" | field id)"

step "2. progress, pushed by the trainer as server-sent events until the job ends"
echo "   curl -N $gw/api/training/jobs/$id/events" >&2
curl -sSN "${AUTH[@]}" "$gw/api/training/jobs/$id/events" | while IFS= read -r line; do
  [[ $line == data:* ]] || continue
  json="${line#data:}"
  if command -v jq >/dev/null; then
    echo "$json" | jq -r '"   \(.status) \(.progress.phase // "") \(.progress.done // "")/\(.progress.total // "") \(.progress.metrics // {} | tostring) \(.progress.message // "")"'
  else
    echo "   $(echo "$json" | field status) $(echo "$json" | field phase) $(echo "$json" | field message)"
  fi
done
final="$(api GET "/api/training/jobs/$id")"
status="$(echo "$final" | sed -n 's/.*"status" *: *"\([A-Z]*\)".*/\1/p' | head -1)"
[[ $status == SUCCEEDED ]] || { echo "lifecycle.sh: job $id ended $status: $(echo "$final" | field error)" >&2; exit 1; }
echo "   history:  curl $gw/api/training/jobs/$id/history      sample grid:  curl -o samples.png $gw/api/training/jobs/$id/samples.png"

step "3. register the job's model.onnx + manifest.json in the registry (same checks as an upload)"
record="$(api POST "/api/training/jobs/$id/register")"
echo "$record" | pretty '{model: (.manifest.name + ":" + .manifest.version), sha256: .manifest.onnxSha256, status}'
# the manifest's own name and version (its first two fields; input and output have names too)
candidate="$(echo "$record" | sed -n 's/.*"manifest" *: *{ *"name" *: *"\([^"]*\)" *, *"version" *: *"\([^"]*\)".*/\1:\2/p')"
[[ -n $candidate ]] || { echo "lifecycle.sh: no name:version in the registry's answer: $record" >&2; exit 1; }

step "4. shadow it on $shadow_percent % of the streams of '$deployment', then canary $steps %"
body="{\"candidate\":\"$candidate\",\"steps\":[$steps],\"shadowFirst\":true,\"shadowPercent\":$shadow_percent${gates:+,\"gates\":$gates},\"reason\":\"lifecycle.sh: trained by job $id\"}"
api POST "/api/deployments/$deployment/rollout" "$body" | pretty '{revision, status: .status.phase}'

step "5. $then"
case "$then" in
  promote) sleep 10; api POST "/api/deployments/$deployment/promote" '{"reason":"lifecycle.sh --then promote"}' | pretty '{revision, status: .status.phase}' ;;
  rollback) sleep 10; api POST "/api/deployments/$deployment/abort" '{"reason":"lifecycle.sh --then rollback"}' | pretty '{revision, status: .status.phase}' ;;
  watch)
    last=""
    while true; do
      phase="$(curl -fsS "${AUTH[@]}" "$gw/api/deployments/$deployment" | sed -n 's/.*"phase" *: *"\([a-z-]*\)".*/\1/p' | head -1)"
      [[ $phase != "$last" ]] && echo "   phase: $phase  ($(date +%T))" && last="$phase"
      [[ $phase == promoted || $phase == rolled-back ]] && break
      sleep 5
    done ;;
esac

step "6. the audit log: who or what decided, and why"
curl -fsS "${AUTH[@]}" "$gw/api/audit?deployment=$deployment&limit=8" | pretty '.[] | {at, actor, action, reason}'
