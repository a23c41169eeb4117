#!/usr/bin/env bash
# The CPU training benchmark behind docs/performance.md ("Training"): one training step (forward,
# the tied head's next-token loss, backward to every weight) and one forward pass of the
# sub-quadratic models at 4,096 tokens (hidden 256, 4 heads, 2 layers, ff 512, chunk 128, compression
# factor 2) on the wasm backend on every core, and the PyTorch peer's same two calls on every core,
# in alternating runs (ours, peer, then again), with the load average before and after each. Writes
# results/cpu-train/ and prints the table (evals/cpu_train_table.ts).
#   npm run bench:cpu-train
# BSBR_ROUNDS: rounds (default 3); BSBR_LENGTH: tokens (default 4096); BSBR_MODELS: models (default
# "BSBR Linear DeltaNet SlidingWindow GAU"); BSBR_PYTHON: the peer's Python (default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${BSBR_ROUNDS:-3}"
length="${BSBR_LENGTH:-4096}"
python="${BSBR_PYTHON:-/usr/bin/python3}"
threads="$(nproc)"
out=results/cpu-train
read -r -a models <<< "${BSBR_MODELS:-BSBR Linear DeltaNet SlidingWindow GAU}"
common=(--models "${models[@]}" --seq-lengths "$length" --mode forward train --hidden-dim 256 --num-heads 4 --num-layers 2
  --ff-dim 512 --chunk-size 128 --compression-factor 2 --warmup 1 --repeats 3)
rm -rf "$out"
mkdir -p "$out"

load() { echo "$1 $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"; }

for round in $(seq 1 "$rounds"); do
  load "round$round-ours before"
  node bin/bsbr.js compare --backend wasm --threads "$threads" "${common[@]}" --out "$out/round$round-ours" > /dev/null
  load "round$round-ours after"
  load "round$round-peer before"
  "$python" evals/peer/bench.py --device cpu --threads "$threads" "${common[@]}" > "$out/round$round-peer.jsonl"
  load "round$round-peer after"
done
node dist/evals/cpu_train_table.js "$out"
