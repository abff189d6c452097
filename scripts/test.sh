#!/usr/bin/env bash
# The test command (`npm test`): typecheck, start the real services the integration tests need, run every test.
# A service that cannot start fails the run; integration tests never skip.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc --noEmit -p tsconfig.json
echo "== services"
for s in scripts/services/*.sh; do
  bash "$s" up
done
cleanup() {
  if [ "${ASTRAN_KEEP_SERVICES:-}" != "1" ]; then
    for s in scripts/services/*.sh; do bash "$s" down >/dev/null 2>&1 || true; done
  fi
}
trap cleanup EXIT
echo "== tests"
node scripts/run-tests.js "${@:-test}"
