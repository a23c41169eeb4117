#!/usr/bin/env bash
# Where more wasm threads start to pay: every model forward at 64-2048 tokens at the default config,
# on one thread and on every core, in alternating runs close in time (per length: one thread, every
# core, then again), with the load average before and after each run. Prints, per case, its FLOPs and the medians over rounds of
# both timings and of their ratio (evals/thread_crossover_table.ts). docs/measurement.md ("Threads")
# gives the figures behind bsbr compare's default thread rule.
#   bash evals/thread_crossover.sh            (after npm run build)
# BSBR_ROUNDS: rounds (default 3); BSBR_LENGTHS: lengths (default "64 128 256 512 1024 2048").
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${BSBR_ROUNDS:-3}"
read -r -a lengths <<< "${BSBR_LENGTHS:-64 128 256 512 1024 2048}"
cores="$(nproc)"
out=results/thread-crossover
rm -rf "$out"
mkdir -p "$out"

run() { # run THREADS LENGTH NAME
  echo "$3 before $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
  node bin/bsbr.js compare --backend wasm --threads "$1" --models all --seq-lengths "$2" --mode forward \
    --warmup 2 --repeats 7 --quiet --out "$out/$3" > /dev/null
  echo "$3 after $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
}

for n in "${lengths[@]}"; do
  for round in $(seq 1 "$rounds"); do
    run 1 "$n" "n$n-round$round-single"
    run "$cores" "$n" "n$n-round$round-cores"
  done
done
node dist/evals/thread_crossover_table.js "$out"
