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
npx tsc -p ui
npx tsc -p bench

echo "== UI build + budgets (vite build, scripts/check-ui-budget.mjs) =="
(cd ui && npx vite build --logLevel warn)
node scripts/check-ui-budget.mjs

echo "== tests (vitest, real PostgreSQL) =="
npx vitest run
