#!/usr/bin/env bash
# npm run up: dependencies, .env, PostgreSQL+PostGIS and Redis, migrations, demo data, then the
# API and the worker in the foreground. Ctrl-C stops both.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ensure_dependencies
ensure_services
say "migrating"
npx ts-node --transpile-only scripts/migrate.ts
say "seeding demo data"
npx ts-node --transpile-only scripts/seed.ts
say "building"
npx nest build >/dev/null

pids=()
stop() {
  trap - INT TERM
  say "stopping API and worker"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  exit 0
}
trap stop INT TERM
node dist/src/main.js & pids+=($!)
node dist/src/worker.js & pids+=($!)
say "API on http://localhost:${PORT:-3000} (docs at /docs); worker running. Ctrl-C stops both."
wait -n "${pids[@]}" || true
stop
