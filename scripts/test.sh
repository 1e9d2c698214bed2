#!/usr/bin/env bash
# Every check the project has, in order: system packages, lint, types, UI build + budgets, all tests.
# Run by `npx -y bun@1.4.5 run test` (after install), by the README, and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh

echo "== lint (biome) =="
npx biome check .

echo "== types (tsc, strict) =="
npx tsc -p shared
npx tsc -p api

echo "== tests (vitest, real PostgreSQL) =="
npx vitest run
