#!/usr/bin/env bash
# compose.yaml's topology as plain processes, where Docker is not at hand: two
# `relaydesk run` on one PostgreSQL database and one Redis, behind relaydesk/proxy.py
# (round-robin). Telegram and Slack stay off unless their settings are in the environment
# (the panel and the API serve regardless).
#   deploy/run-two.sh            # serve until Ctrl-C
#   deploy/run-two.sh --smoke    # start, check /healthz through the proxy reaches both, stop
# Settings: RELAYDESK_DATABASE_URL (a PostgreSQL URL; default: a new database on
# 127.0.0.1:5432, dropped after --smoke), RELAYDESK_REDIS_URL (default redis://127.0.0.1:6379/0),
# PORT (the proxy's, default 8080; the replicas take PORT+1 and PORT+2), PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(realpath -s "$(command -v "${PYTHON:-python3}")")
port=${PORT:-8080}
smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
work=$(mktemp -d)
pids=()
created_db=""

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$created_db" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$created_db\" WITH (FORCE)" >/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${RELAYDESK_DATABASE_URL:-}" ]; then
  created_db="relaydesk_two_$$"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$created_db\"" >/dev/null
  export RELAYDESK_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$created_db"
fi
export RELAYDESK_REDIS_URL=${RELAYDESK_REDIS_URL:-redis://127.0.0.1:6379/0}

"$python" -m relaydesk migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }
for i in 1 2; do
  (cd "$work" && RELAYDESK_HTTP_PORT=$((port + i)) RELAYDESK_AUTO_MIGRATE=false \
    exec "$python" -m relaydesk run >"$work/relaydesk-$i.log" 2>&1) &
  pids+=($!)
done
"$python" -m relaydesk.proxy --listen "127.0.0.1:$port" \
  "127.0.0.1:$((port + 1))" "127.0.0.1:$((port + 2))" >"$work/proxy.log" 2>&1 &
pids+=($!)

# Both replicas answer /healthz through the proxy (it names the one that answered).
seen=""
for _ in $(seq 1 120); do
  backend=$(curl -s -o /dev/null -D - "http://127.0.0.1:$port/healthz" 2>/dev/null \
    | tr -d '\r' | sed -n 's/^X-Relaydesk-Backend: //Ip' || true)
  [ -n "$backend" ] && case " $seen " in *" $backend "*) ;; *) seen="$seen $backend" ;; esac
  [ "$(wc -w <<<"$seen")" -ge 2 ] && break
  sleep 0.25
done
if [ "$(wc -w <<<"$seen")" -lt 2 ]; then
  echo "run-two: not both replicas answered through the proxy (seen:$seen)" >&2
  tail -n 20 "$work"/*.log >&2
  exit 1
fi
echo "run-two: both replicas answer /healthz through http://127.0.0.1:$port ($seen )"
$smoke && exit 0
echo "run-two: serving; logs in $work; Ctrl-C stops"
wait
