#!/usr/bin/env bash
# The CI performance job (npm run perf:ci; .github/workflows/perf.yml runs the same): a small sweep
# with the built CLI into results/ci-run, then `bsbr regress` of it against the committed baseline.
# The markdown report is printed and kept as results/ci-run/regress.md; the exit code is regress's
# (0 clean, 1 regression, 2 bad input, 3 inconclusive: the noise bars exceed the threshold).
#   npm run perf:ci -- --update-baseline   runs the same sweep and makes it the new baseline instead.
# BSBR_CI_OUT and BSBR_CI_BASELINE override the output folder and the baseline file.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${BSBR_CI_OUT:-results/ci-run}"
baseline="${BSBR_CI_BASELINE:-results/baseline/results.json}"
update=false
for arg in "$@"; do
  case "$arg" in
    --update-baseline) update=true ;;
    *) echo "ci_regress.sh: unknown argument '$arg' (valid: --update-baseline)" >&2; exit 2 ;;
  esac
done

# Backend and threads pinned (regress refuses runs on different backends or thread counts); sizes chosen so a case takes
# milliseconds to a few hundred, the whole sweep well under two minutes on two cores. Forward mode
# only: single-token decode steps take a few ms with a bimodal spread here (1-20 ms), too noisy to
# gate a build on; evals/presets/decode.args measures decode.
rm -rf "$out"
node bin/bsbr.js compare --backend wasm --threads 2 \
  --models BSBR Standard Linear --seq-lengths 512 1024 --mode forward \
  --hidden-dim 128 --num-heads 2 --num-layers 2 --ff-dim 256 \
  --warmup 10 --repeats 21 --out "$out"

if [ "$update" = true ]; then
  exec node bin/bsbr.js regress --baseline "$baseline" --current "$out/results.json" --update-baseline
fi
status=0
node bin/bsbr.js regress --baseline "$baseline" --current "$out/results.json" --format markdown > "$out/regress.md" || status=$?
cat "$out/regress.md"
exit "$status"
