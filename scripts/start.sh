#!/usr/bin/env bash
# `npm start`: install what is missing, build, then run nats-server (JetStream, data under .data/)
# and the five services until Ctrl-C. Logs (JSON, one file per process) go to .data/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

bash scripts/ensure-deps.sh
echo "==> build"
npx nx run-many -t build --outputStyle=static >/dev/null

NATS_PORT="${NATS_PORT:-4222}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:$NATS_PORT}"
export ORCHESTRATOR_PORTS="${ORCHESTRATOR_PORTS:-6030}"
HTTP_PORT="${ORCHESTRATOR_PORTS%%;*}"
DATA_DIR="${JOBSTREAM_DATA_DIR:-.data}"
mkdir -p "$DATA_DIR/nats" "$DATA_DIR/logs"
export PROJECTOR_DB="${PROJECTOR_DB:-$DATA_DIR/projector.sqlite}"

# Authentication (docs/security.md): the secret services sign their NATS requests with, and the
# bootstrap admin key, both generated on the first start and kept (mode 600) in the data dir.
new_secret() { (umask 077; node -e "process.stdout.write('$2'+require('crypto').randomBytes(32).toString('base64url'))" >"$1"); }
[ -s "$DATA_DIR/service-secret" ] || new_secret "$DATA_DIR/service-secret" ""
export JOBSTREAM_SERVICE_SECRET="${JOBSTREAM_SERVICE_SECRET:-$(cat "$DATA_DIR/service-secret")}"
ADMIN_KEY_SOURCE="JOBSTREAM_ADMIN_KEY"
if [ -z "${JOBSTREAM_ADMIN_KEY:-}" ]; then
  [ -s "$DATA_DIR/admin-key" ] || new_secret "$DATA_DIR/admin-key" "jsk_admin_"
  export JOBSTREAM_ADMIN_KEY="$(cat "$DATA_DIR/admin-key")"
  ADMIN_KEY_SOURCE="$DATA_DIR/admin-key"
fi

pids=()
nats_pid=""
stop() {
  echo
  echo "==> stopping (SIGTERM: services drain their NATS connections and finish in-flight work)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # nats-server goes last so the services can drain into it.
  if [ -n "$nats_pid" ]; then kill -TERM "$nats_pid" 2>/dev/null || true; wait "$nats_pid" 2>/dev/null || true; fi
  exit 0
}
trap stop INT TERM

if [ "${START_NATS:-1}" = 1 ]; then
  echo "==> nats-server with JetStream on $NATS_URL (store: $DATA_DIR/nats)"
  nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$DATA_DIR/nats" >"$DATA_DIR/logs/nats-server.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null && break; sleep 0.1; done
fi

# NATS-only services serve /metrics on their own port (the gateway serves it on its HTTP port).
METRICS_BASE_PORT="${METRICS_BASE_PORT:-9464}"
declare -A METRICS_PORTS=([projector]=$METRICS_BASE_PORT [lock-manager]=$((METRICS_BASE_PORT + 1)) [scheduler]=$((METRICS_BASE_PORT + 2)) [executor]=$((METRICS_BASE_PORT + 3)))
for service in projector lock-manager scheduler executor gateway; do
  METRICS_PORT="${METRICS_PORTS[$service]:-}" node "services/$service/dist/main.js" >"$DATA_DIR/logs/$service.log" 2>&1 &
  pids+=($!)
  echo "    started $service (pid $!, log $DATA_DIR/logs/$service.log)"
done

echo "==> waiting for http://localhost:$HTTP_PORT/health"
for _ in $(seq 1 300); do
  if node -e "fetch('http://127.0.0.1:$HTTP_PORT/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    echo
    echo "jobstream is up."
    echo "  gateway:   http://localhost:$HTTP_PORT"
    echo "  health:    http://localhost:$HTTP_PORT/health"
    echo "  admin key: $JOBSTREAM_ADMIN_KEY   (from $ADMIN_KEY_SOURCE; AUTH=${AUTH:-on}; unless rotated since)"
    echo "             e.g. JOBSTREAM_API_KEY=<admin key> npx jobstream keys create --name me --tenant default --right sys.admin"
    echo "  dashboard: http://localhost:$HTTP_PORT/dashboard    API docs: http://localhost:$HTTP_PORT/api/docs"
    echo "  metrics:   http://localhost:$HTTP_PORT/metrics/all (every service; each also on :$METRICS_BASE_PORT-$((METRICS_BASE_PORT + 3))/metrics)"
    echo "  logs:      $DATA_DIR/logs/*.log   (readable: npx pino-pretty < $DATA_DIR/logs/gateway.log)"
    echo "Press Ctrl-C to stop."
    wait
    exit 0
  fi
  for pid in $nats_pid "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a process exited during start-up; see $DATA_DIR/logs/"; tail -n 5 "$DATA_DIR"/logs/*.log; stop; }
  done
  sleep 0.2
done
echo "gateway did not become healthy in 60 s; see $DATA_DIR/logs/"
stop
