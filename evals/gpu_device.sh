#!/usr/bin/env bash
# What one call on the lent GPU machine runs (docs/performance.md, "On the GPU"): the webgpu smoke
# check against the CPU backends, a bsbr compare sweep on webgpu, the PyTorch peer on the same GPU
# in the same call (so each ratio comes from one run), and kernel profiles. Every output lands in
# $OUT (at most 8 files come back, so the sweep folder is packed).
#   bash .device/on-device.sh bash evals/gpu_device.sh smoke|sweep [sweep options...]
set -uo pipefail
phase="${1:?usage: evals/gpu_device.sh smoke|sweep [compare options]}"
shift
out="${OUT:?run on the device machine}"
log="$out/log.txt"
step() { echo "== $*" | tee -a "$log"; }
peer() { python3 .device/peer_torch.py --device cuda "$@" 2>>"$log" | tee -a "$out/peer.jsonl"; }
nvidia-smi -L >>"$log" 2>&1
case "$phase" in
  smoke)
    step smoke; timeout 240 node dist/evals/gpu_smoke.js --short 512 --long 4096 --out "$out/smoke.json" 2>>"$log" | tee -a "$log"
    step compare; timeout 200 node bin/bsbr.js compare --backend webgpu --seq-lengths 1024 16384 --mode forward decode \
      --chunk-size 128 --compression-factor 2 --warmup 1 --repeats 3 --time-limit 10 --out "$out/run" "$@" >>"$log" 2>&1
    ;;
  sweep)
    step sweep; timeout 420 node bin/bsbr.js compare --backend webgpu "$@" --out "$out/run" >>"$log" 2>&1
    ;;
esac
tar -C "$out" -czf "$out/run.tgz" run 2>/dev/null && rm -rf "$out/run"
step peer; timeout 120 peer --models BSBR,Linear,DeltaNet,GAU --lengths 1024,4096,16384,65536,262144,1048576
timeout 90 peer --models Standard,SlidingWindow --lengths 1024,4096,16384,65536
for m in BSBR DeltaNet GAU Linear; do
  step profile $m; timeout 60 node dist/evals/profile.js --backend webgpu --model $m --seq-len 65536 --chunk-size 128 --compression-factor 2 2>>"$log" | head -14 | tee -a "$out/profile.txt"
done
step profile Standard; timeout 60 node dist/evals/profile.js --backend webgpu --model Standard --seq-len 16384 2>>"$log" | head -14 | tee -a "$out/profile.txt"
