#!/usr/bin/env bash
# Runs one sweep preset: `bash evals/run.sh NAME [extra compare options]` is
# `bsbr compare --preset NAME --out results/NAME`, which reads evals/presets/NAME.args and writes
# results/NAME/ (results, charts, report.html). npm scripts bench:NAME call this.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: evals/run.sh PRESET [options]}"
shift
exec node bin/bsbr.js compare --preset "$name" --out "results/$name" "$@"
