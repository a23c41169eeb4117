#!/usr/bin/env bash
# The CPU-threads benchmark behind docs/performance.md ("The wasm backend on every core"):
# BSBR, Linear, DeltaNet and GAU forward at 16,384 tokens (hidden 256, 4 heads, 2 layers, ff 512,
# chunk 128) on the wasm backend on every core and on one, and the PyTorch peer on every core, in
# alternating runs (ours threaded, peer, ours single, then again), with the load average before and
# after each. Writes results/cpu-threads/ and prints the table (evals/cpu_threads_table.ts).
#   npm run bench:cpu-threads
# The peer is evals/peer/bench.py with the same options. BSBR_ROUNDS: rounds (default 3);
# BSBR_LENGTH: tokens (default 16384); BSBR_MODELS: models (default "BSBR Linear DeltaNet GAU");
# BSBR_PYTHON: the peer's Python (default /usr/bin/python3, e.g. Debian's python3-torch with
# libopenblas0-pthread: without it torch falls back to the reference BLAS, about 100x slower).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${BSBR_ROUNDS:-3}"
length="${BSBR_LENGTH:-16384}"
python="${BSBR_PYTHON:-/usr/bin/python3}"
threads="$(nproc)"
out=results/cpu-threads
read -r -a models <<< "${BSBR_MODELS:-BSBR Linear DeltaNet GAU}"
rm -rf "$out"
mkdir -p "$out"

load() { echo "$1 $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"; }

ours() { # ours THREADS NAME
  load "$2 before"
  node bin/bsbr.js compare --backend wasm --threads "$1" --models "${models[@]}" --seq-lengths "$length" --mode forward \
    --hidden-dim 256 --num-heads 4 --num-layers 2 --ff-dim 512 --chunk-size 128 --warmup 1 --repeats 3 \
    --out "$out/$2" > /dev/null
  load "$2 after"
}

peer() { # peer NAME
  load "$1 before"
  "$python" evals/peer/bench.py --device cpu --threads "$threads" --models "${models[@]}" --seq-lengths "$length" --mode forward \
    --hidden-dim 256 --num-heads 4 --num-layers 2 --ff-dim 512 --chunk-size 128 --warmup 1 --repeats 3 > "$out/$1.jsonl"
  load "$1 after"
}

for round in $(seq 1 "$rounds"); do
  ours "$threads" "round$round-ours-threaded"
  peer "round$round-peer"
  ours 1 "round$round-ours-single"
done
node dist/evals/cpu_threads_table.js "$out"
