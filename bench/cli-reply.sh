#!/usr/bin/env bash
# Whole-process `astran run "<bad command>"` (answered before the bot starts) against `astran run "jobs"` (a reply
# that needs the bot: config, store, orchestrator, adapters), both cold processes, alternating; best and median of
# N runs each, and the ratio. With BEFORE=<another checkout> the bad command is also timed there (same config and an
# empty store), e.g. a worktree of the commit before the change, for a before/after figure in the same run.
# Usage: bench/cli-reply.sh [N=9]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-9}
npm run -s build >/dev/null
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
BAD='lanch source=Crab date=20041204'
now() { date +%s.%N; }
bad=(); bot=(); before=()
for i in $(seq 1 "$N"); do
  t0=$(now); node bin/astran.js run "$BAD" --db "$TMP/a.sqlite" >"$TMP/bad.out" || test $? -eq 2; t1=$(now)
  node bin/astran.js run "jobs" --db "$TMP/b.sqlite" >"$TMP/jobs.out"; t2=$(now)
  bad+=("$(echo "$t1 - $t0" | bc -l)"); bot+=("$(echo "$t2 - $t1" | bc -l)")
  if [ -n "${BEFORE:-}" ]; then
    t3=$(now); (cd "$BEFORE" && node bin/astran.js run "$BAD" --db "$TMP/c.sqlite" >"$TMP/before.out" || test $? -eq 2); t4=$(now)
    before+=("$(echo "$t4 - $t3" | bc -l)")
  fi
done
grep -q "I don't know the command" "$TMP/bad.out" || { echo "unexpected reply to the bad command:"; cat "$TMP/bad.out"; exit 1; }
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }
read -r ab am <<<"$(stats "${bad[@]}")"
read -r bb bm <<<"$(stats "${bot[@]}")"
echo "run \"<bad command>\": best ${ab}s median ${am}s   (reply: $(head -c 60 "$TMP/bad.out")…)"
echo "run \"jobs\" (bot)   : best ${bb}s median ${bm}s"
echo "ratio bot/bad (median): $(echo "$bm / $am" | bc -l | xargs printf '%.1f')x"
if [ -n "${BEFORE:-}" ]; then
  read -r cb cm <<<"$(stats "${before[@]}")"
  cmp -s "$TMP/bad.out" "$TMP/before.out" && same=identical || same=DIFFERENT
  echo "before ($BEFORE): best ${cb}s median ${cm}s; reply ${same}; before/after (median): $(echo "$cm / $am" | bc -l | xargs printf '%.1f')x"
fi
