#!/usr/bin/env bash
# `npm run bench -- [name] [--concurrency N] [--seconds S] [--rate N]`: the benchmarks as compiled
# JavaScript, as production runs (`node dist/src/main.js`), not under ts-node: ts-node loads
# Node's `repl`, which loads `domain`, and a loaded `domain` slows every EventEmitter and nextTick.
# dist-bench/ is built fresh (a stale compiled migration would otherwise still be run) and removed
# afterwards (`eslint .` would otherwise lint the compiled files).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rm -rf dist-bench
trap 'rm -rf dist-bench' EXIT
node_modules/.bin/tsc -p tsconfig.bench.json
node --expose-gc dist-bench/bench/run.js "$@"
