#!/usr/bin/env bash
# Whole-process wall time: `astran analyse <4 Crab runs> --json --no-plots --no-flux` against gammapy 1.0 doing the same
# work (no flux: the gammapy script computes none)
# (bench/analysis_gammapy.py), both cold processes, alternating, best and median of N runs each; prints the ratio.
# With BEFORE=<another checkout> (built) its `astran analyse` is timed too, in the same rounds, for a before/after.
# Usage: bench/analysis-vs-gammapy.sh [N=5]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}
D=test/fixtures/hess-dl3-dr1
FILES=()
for id in 23523 23526 23559 23592; do FILES+=("$D/data/hess_dl3_dr1_obs_id_0$id.fits.gz"); done

# The shipped entry: bin/astran.js runs the bundle that `npm install` builds (dist/), when it is newer than the sources.
npm run -s build >/dev/null
NODE_CMD=(node bin/astran.js analyse)
echo "astran command: ${NODE_CMD[*]} <4 files> --source crab --json --no-plots --no-flux"

now() { date +%s.%N; }
# One untimed round of each first: file caches warm, and the cache of the source list (node_modules/.cache/astran,
# rebuilt whenever config/sources.yaml changes) written, as it is on any machine after the first `--source` use.
"${NODE_CMD[@]}" "${FILES[@]}" --source crab --json --no-plots --no-flux >/dev/null
/usr/bin/python3 bench/analysis_gammapy.py "$D" 23523 23526 23559 23592 >/dev/null 2>&1
node_times=(); py_times=(); before_times=()
BEFORE_FLAGS=(--source crab --json --no-plots)
# An older checkout without the flux has no --no-flux (and computes no flux).
if [ -n "${BEFORE:-}" ] && node "$BEFORE/bin/astran.js" analyse --help | grep -q -- --no-flux; then BEFORE_FLAGS+=(--no-flux); fi
for i in $(seq 1 "$N"); do
  t0=$(now); "${NODE_CMD[@]}" "${FILES[@]}" --source crab --json --no-plots --no-flux >/tmp/astran-bench-node.json; t1=$(now)
  /usr/bin/python3 bench/analysis_gammapy.py "$D" 23523 23526 23559 23592 >/tmp/astran-bench-py.json 2>/dev/null; t2=$(now)
  node_times+=("$(echo "$t1 - $t0" | bc -l)"); py_times+=("$(echo "$t2 - $t1" | bc -l)")
  if [ -n "${BEFORE:-}" ]; then
    t3=$(now); node "$BEFORE/bin/astran.js" analyse "${FILES[@]}" "${BEFORE_FLAGS[@]}" >/tmp/astran-bench-before.json; t4=$(now)
    before_times+=("$(echo "$t4 - $t3" | bc -l)")
  fi
done

# Same answer from both (stacked N_on and significance).
node -e '
const a = JSON.parse(require("fs").readFileSync("/tmp/astran-bench-node.json", "utf8"));
const b = JSON.parse(require("fs").readFileSync("/tmp/astran-bench-py.json", "utf8"));
const same = a.runs.every((r, i) => r.n_on === b.runs[i].n_on && r.n_off === b.runs[i].n_off) && Math.abs(a.total.significance - b.significance) < 1e-6 * b.significance && JSON.stringify(a.theta2.on) === JSON.stringify(b.theta2_on) && a.counts_map.sum === b.map_sum;
console.log("results agree:", same);'

stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f %.3f", a[1], a[int((NR+1)/2)]}'; }
read -r nb nm <<<"$(stats "${node_times[@]}")"
read -r pb pm <<<"$(stats "${py_times[@]}")"
echo "astran : best ${nb}s median ${nm}s"
echo "gammapy: best ${pb}s median ${pm}s"
echo "ratio gammapy/astran (median): $(echo "$pm / $nm" | bc -l | xargs printf '%.1f')x   (best: $(echo "$pb / $nb" | bc -l | xargs printf '%.1f')x; goal ≥ 10x)"
if [ -n "${BEFORE:-}" ]; then
  read -r bb bm <<<"$(stats "${before_times[@]}")"
  same=$(node -e '
const [a, b] = [process.argv[1], process.argv[2]].map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
const key = (d) => JSON.stringify([d.runs.map((r) => [r.obs_id, r.n_on, r.n_off, r.significance]), d.total.significance, d.theta2.on, d.counts_map.sum]);
console.log(key(a) === key(b) ? "the same numbers" : "DIFFERENT numbers");' /tmp/astran-bench-node.json /tmp/astran-bench-before.json)
  echo "before ($BEFORE): best ${bb}s median ${bm}s, ${same}; ratio gammapy/before (median): $(echo "$pm / $bm" | bc -l | xargs printf '%.1f')x; before/after (median): $(echo "$bm / $nm" | bc -l | xargs printf '%.2f')x"
fi
