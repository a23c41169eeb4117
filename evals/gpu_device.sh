#!/usr/bin/env bash
# What a call on the lent GPU machine runs (docs/performance.md, "On the GPU"). `forward`: the
# bench:gpu sweep (to a million tokens) and bench:gpu-seven (all seven models to 65,536: the shipped
# GPU example data) and the PyTorch peer on the same GPU in the same call
# (so each ratio comes from one run); `decode`: the bench:gpu-decode sweep, the webgpu smoke check against the CPU backends,
# and kernel profiles; `profile`: per-kernel GPU time of each model's forward at the lengths that
# miss their targets; `rest`: the forward sweep's GAU and SlidingWindow with their peers, then the
# decode sweep (for when `forward` ran out of time after DeltaNet); `seven`: bench:gpu-seven and its
# peers alone. Outputs land in $OUT; at most 8 files come back, so the run folder is packed.
#   bash .device/on-device.sh bash evals/gpu_device.sh forward|decode|profile|rest|seven
set -uo pipefail
phase="${1:?usage: evals/gpu_device.sh forward|decode|profile|rest|seven}"
out="${OUT:?run on the device machine}"
log="$out/log.txt"
step() { echo "== $*" | tee -a "$log"; }
peer() { timeout "$1" python3 .device/peer_torch.py --device cuda "${@:2}" 2>>"$log" | tee -a "$out/peer.jsonl"; }
# preset SECONDS NAME [MODELS...]: the preset's sweep (with MODELS, only those of its models), packed.
preset() {
  local args; args=$(cat "evals/presets/$2.args")
  local name=$2
  if [ $# -gt 2 ]; then args=$(sed -E "s/--models [A-Za-z ]+ --mode/--models ${*:3} --mode/" <<<"$args"); name="$2-$(tr ' ' '-' <<<"${*:3}")"; fi
  timeout "$1" node bin/bsbr.js compare $args --out "$out/$name" >>"$log" 2>&1; tar -C "$out" -czf "$out/$name.tgz" "$name" && rm -rf "${out:?}/$name"
}
nvidia-smi -L >>"$log" 2>&1
case "$phase" in
  forward)
    step peer; peer 60 --models BSBR,Linear,DeltaNet,GAU --lengths 1024,4096,16384,65536,262144,1048576
    peer 25 --models Standard,SlidingWindow --lengths 1024,4096,16384,65536
    step gpu; preset 180 gpu
    step gpu-seven; preset 180 gpu-seven
    ;;
  decode)
    step gpu-decode; preset 280 gpu-decode
    step smoke; timeout 120 node dist/evals/gpu_smoke.js --short 512 --long 4096 --out "$out/smoke.json" 2>>"$log" | tee -a "$log"
    step profile BSBR; timeout 40 node dist/evals/profile.js --backend webgpu --model BSBR --seq-len 262144 --chunk-size 128 --compression-factor 2 2>>"$log" | head -16 | tee -a "$out/profile.txt"
    ;;
  seven)
    step peer; peer 60 --models BSBR,Standard,Linear,DeltaNet,SlidingWindow,GAU --lengths 1024,4096,16384,65536
    step gpu-seven; preset 240 gpu-seven
    ;;
  rest)
    step peer; peer 40 --models GAU --lengths 1024,4096,16384,65536,262144,1048576
    peer 30 --models SlidingWindow --lengths 1024,4096,16384,65536
    step gpu GAU SlidingWindow; preset 200 gpu GAU SlidingWindow
    step gpu-decode; preset 280 gpu-decode
    ;;
  profile)
    for spec in "BSBR 65536" "BSBR 262144" "Linear 262144" "DeltaNet 262144" "GAU 65536" "GAU 262144" "SlidingWindow 65536" "Standard 16384" "Standard 65536" "Hopfield 16384"; do
      set -- $spec
      step profile "$1" "$2"
      timeout 90 node dist/evals/profile.js --backend webgpu --model "$1" --seq-len "$2" --chunk-size 128 --compression-factor 2 2>>"$log" | head -14 | tee -a "$out/profile.txt"
    done
    ;;
esac
