#!/usr/bin/env bash
# The GPU benchmark (docs/gpu.md): our presets on the webgpu backend, then the PyTorch peer
# (evals/peer/bench.py) on CUDA with the same sweep, in one invocation on one machine, so that each
# ratio comes from one run. Each run folder keeps the peer's JSON lines as peer.jsonl beside its
# results.json; summary.md joins them (evals/peer_summary.ts: model, n, mode, ours, peer, ratio).
#
#   bash evals/gpu_bench.sh PHASE [OUT]        (npm run bench:gpu-with-peer -- PHASE [OUT])
#
# PHASE, each a preset of evals/presets/ and the peer on the same preset:
#   forward  gpu: the five sub-quadratic models, 1,024 to 1,048,576 tokens
#   long     gpu-long: the five sub-quadratic models at 262,144 and 1,048,576 tokens (with seven: every length of forward)
#   seven    gpu-seven: all seven models, 1,024 to 65,536 tokens (the shipped GPU example)
#   quadratic gpu-quadratic: Standard and Hopfield, 1,024 to 65,536 tokens
#   decode   gpu-decode: one single-token step after a prefill of 1,024 to 262,144 tokens
#   train    gpu-train: one training step (forward, loss, backward) at 16,384 and 65,536 tokens
#   profile  per-kernel GPU time of one forward per model (evals/profile.ts), ours only
#   peer     the peer's half of forward, seven, decode and train, alone (a machine without Node)
# OUT: the output folder (default: $BSBR_BENCH_OUT, else results/gpu-bench). It receives at most 8
# files: log.txt, summary.md, and one tarball per run folder.
#
# Needs: this repository built (npm install && npm run build) with Node 20, a Vulkan driver for the
# GPU (Dawn, inside the `webgpu` package, finds it), and python3 with a CUDA build of PyTorch.
# BSBR_PEER_FLA=1 also runs the peer's Linear and DeltaNet through flash-linear-attention (the
# package `flash-linear-attention` must be importable). BSBR_BENCH_LIMIT (seconds, default 420)
# stops a step that runs longer; what it finished is kept. BSBR_PYTHON: the peer's Python (default python3).
set -uo pipefail
cd "$(dirname "$0")/.."
phase="${1:?usage: evals/gpu_bench.sh forward|long|seven|quadratic|decode|train|profile|peer [OUT]}"
out="${2:-${BSBR_BENCH_OUT:-results/gpu-bench}}"
limit="${BSBR_BENCH_LIMIT:-420}"
python="${BSBR_PYTHON:-python3}"
mkdir -p "$out"
log="$out/log.txt"
step() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$log"; }

# peer PRESET: the peer on the preset's sweep (and through flash-linear-attention when asked), into the run folder.
peer() {
  mkdir -p "$out/$1"
  step "peer $1"
  timeout "$limit" "$python" evals/peer/bench.py --preset "$1" --device cuda > "$out/$1/peer.jsonl" 2>> "$log"
  if [ "${BSBR_PEER_FLA:-0}" = 1 ] && [ "$1" != gpu-decode ]; then   # decode steps are the peer's own either way
    step "peer $1 (flash-linear-attention)"
    timeout "$limit" "$python" evals/peer/bench.py --preset "$1" --device cuda --models Linear DeltaNet --fla > "$out/$1/peer-fla.jsonl" 2>> "$log"
  fi
}

# ours PRESET: bsbr compare on the preset, into the same run folder.
ours() {
  step "ours $1"
  timeout "$limit" node bin/bsbr.js compare --preset "$1" --out "$out/$1" >> "$log" 2>&1
}

# pack PRESET: the summary of the run folder, then the folder as one tarball.
pack() {
  [ -f "$out/$1/results.json" ] && node dist/evals/peer_summary.js "$out/$1" >> "$out/summary.md" 2>> "$log" && echo >> "$out/summary.md"
  tar -C "$out" -czf "$out/$1.tgz" "$1" && rm -rf "${out:?}/$1"
}

both() { ours "$1"; peer "$1"; pack "$1"; }

{ nvidia-smi -L; "$python" -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name())'; node --version; } >> "$log" 2>&1
case "$phase" in
  forward) both gpu ;;
  long) both gpu-long ;;
  seven) both gpu-seven ;;
  quadratic) both gpu-quadratic ;;
  decode) both gpu-decode ;;
  train) both gpu-train ;;
  peer) for preset in gpu gpu-long gpu-seven gpu-decode gpu-train; do peer "$preset"; pack "$preset"; done ;;
  profile)
    for spec in "BSBR 65536" "BSBR 262144" "Linear 262144" "DeltaNet 262144" "GAU 262144" "SlidingWindow 65536" "Standard 16384" "Hopfield 16384"; do
      set -- $spec
      step "profile $1 $2"
      timeout 90 node dist/evals/profile.js --backend webgpu --model "$1" --seq-len "$2" --chunk-size 128 --compression-factor 2 2>> "$log" | head -16 >> "$out/profile.txt"
    done
    ;;
  *) echo "unknown phase '$phase' (valid: forward, long, seven, quadratic, decode, train, profile, peer)" >&2; exit 2 ;;
esac
step done
