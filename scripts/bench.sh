#!/usr/bin/env bash
# `npm run bench [-- NAME ...]`: install what is missing (nats-server, redis-server for the BullMQ
# comparison), build the services, and print the benchmark tables.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash scripts/ensure-deps.sh redis-server
npx nx run-many -t build --outputStyle=static >/dev/null
exec node -r @swc-node/register bench/run.ts "$@"
