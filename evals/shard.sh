#!/usr/bin/env bash
# Runs one shard of a sweep, or finishes it: `bash evals/shard.sh SHARD OUT [compare options]`, SHARD as
# bsbr compare --shard takes it (i/n, or auto from the job engine's environment). A first run creates OUT;
# a rerun of the same task (a retried or requeued job) resumes OUT, running only the cases it lacks.
# The Slurm array script and the GitHub workflow run each shard through this; bsbr merge joins them.
set -euo pipefail
shard="${1:?usage: evals/shard.sh SHARD OUT [compare options]}"
out="${2:?usage: evals/shard.sh SHARD OUT [compare options]}"
shift 2
bsbr="$(cd "$(dirname "$0")/.." && pwd)/bin/bsbr.js"
resume=()
[ -f "$out/results.json" ] && resume=(--resume "$out")
exec node "$bsbr" compare "$@" --shard "$shard" --out "$out" "${resume[@]}"
