#!/usr/bin/env bash
# Runs one sweep preset: `bash evals/run.sh NAME [extra compare options]` reads evals/presets/NAME.args
# and writes results/NAME/ (results, charts, report.html). npm scripts bench:NAME call this.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: evals/run.sh PRESET [options]}"
shift
args_file="evals/presets/$name.args"
[ -f "$args_file" ] || { echo "no preset $name (see evals/presets/)" >&2; exit 2; }
# shellcheck disable=SC2046
exec node bin/bsbr.js compare $(cat "$args_file") --out "results/$name" "$@"
