"""Benchmarks the PyTorch peer (evals/peer/models.py) with the options of `bsbr compare`, so that the
same sweep runs on both: forward (one pass over n tokens), decode (one single-token step after an
untimed prefill of n tokens) and train (forward, next-token loss through the tied head, backward
for every weight; no optimizer update). float32, TF32 off, eager. Prints one JSON line per case:
model, n, mode, median_ms, min_ms, peak_bytes (CUDA's max_memory_allocated over the warm-up and
timed calls; null on the CPU), base_bytes (what was allocated before them: weights, inputs, a
prefilled decode state), and the config, device and versions.

  python3 evals/peer/bench.py --preset gpu --device cuda          # the sweep of evals/presets/gpu.args
  python3 evals/peer/bench.py --device cpu --threads 2 --models BSBR Linear --seq-lengths 4096 --mode forward train
  python3 evals/peer/bench.py --preset gpu --device cuda --fla    # Linear and DeltaNet through flash-linear-attention
"""
import argparse
import json
import os
import shlex
import statistics
import sys
import time

import torch

from models import CausalLM, Config, MODEL_NAMES

PRESETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'presets')
# bsbr compare's model defaults (src/options/model_options.ts: DEFAULT_CONFIG with compression factor 2).
DEFAULTS = Config(compression_factor=2)
MODES = ('forward', 'decode', 'train')


def words(values):
    """`--models BSBR,Linear GAU` -> ['BSBR', 'Linear', 'GAU'] (spaces or commas, as bsbr compare)."""
    return [w for v in values for w in v.split(',') if w]


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument('--preset', help='read the sweep from evals/presets/NAME.args (its --backend and --case-timeout are ours and ignored); options given here override it')
    ap.add_argument('--models', nargs='+', default=list(MODEL_NAMES))
    ap.add_argument('--mode', nargs='+', default=['forward'])
    ap.add_argument('--seq-lengths', nargs='+', default=['64', '128', '256', '512', '1024'])
    ap.add_argument('--batch-size', type=int, default=1)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--time-limit', type=float, help='a case whose median exceeds this many seconds is the last length run for its model and mode')
    for field in ('vocab_size', 'hidden_dim', 'num_layers', 'num_heads', 'ff_dim', 'chunk_size', 'window_size', 'update_steps', 'expansion_factor', 'compression_factor'):
        ap.add_argument('--' + field.replace('_', '-'), type=int, default=getattr(DEFAULTS, field))
    for field in ('beta', 'temperature', 'dropout'):
        ap.add_argument('--' + field, type=float, default=getattr(DEFAULTS, field))
    ap.add_argument('--learned-beta', action='store_true')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--device', default='cpu', help='cpu or cuda')
    ap.add_argument('--threads', type=int, help='torch.set_num_threads (CPU); default: torch\'s own')
    ap.add_argument('--fla', action='store_true', help="Linear and DeltaNet's forward and train through flash-linear-attention's chunk kernels (the package must be importable)")
    ap.add_argument('--backend', help=argparse.SUPPRESS)
    ap.add_argument('--case-timeout', help=argparse.SUPPRESS)
    preset = []
    if '--preset' in argv:
        name = argv[argv.index('--preset') + 1]
        with open(os.path.join(PRESETS, name + '.args')) as f:
            preset = shlex.split(f.read())
    args = ap.parse_args(preset + argv)
    args.models = words(args.models)
    args.mode = words(args.mode)
    args.seq_lengths = [int(n) for n in words(args.seq_lengths)]
    for name in args.models:
        if name not in MODEL_NAMES:
            matches = [m for m in MODEL_NAMES if m.lower() == name.lower()]
            if not matches:
                ap.error(f"unknown model '{name}' (valid: {', '.join(MODEL_NAMES)})")
    args.models = [next(m for m in MODEL_NAMES if m.lower() == name.lower()) for name in args.models]
    for mode in args.mode:
        if mode not in MODES:
            ap.error(f"unknown mode '{mode}' (valid: {', '.join(MODES)})")
    return args


def config_of(args) -> Config:
    return Config(vocab_size=args.vocab_size, hidden_dim=args.hidden_dim, num_layers=args.num_layers, num_heads=args.num_heads,
                  ff_dim=args.ff_dim, dropout=args.dropout, chunk_size=args.chunk_size, window_size=args.window_size,
                  beta=args.beta, learned_beta=args.learned_beta, temperature=args.temperature, update_steps=args.update_steps,
                  expansion_factor=args.expansion_factor, compression_factor=args.compression_factor or None)


def timed_calls(call, warmup, repeats, sync):
    """warmup untimed calls, then the wall time of each of `repeats` calls (each waits for the device)."""
    for _ in range(warmup):
        call()
        sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        sync()
        times.append(time.perf_counter() - start)
    return times


def case_call(model, mode, ids, vocab, generator_device):
    """The call that one timed repeat makes (prefill, for decode, done here untimed)."""
    if mode == 'forward':
        def forward():
            with torch.no_grad():
                model(ids)
        return forward
    if mode == 'decode':
        with torch.no_grad():
            _, state = model.prefill(ids)
        token = torch.randint(0, vocab, (ids.shape[0], 1), device=generator_device)

        def step():
            with torch.no_grad():
                model.step(state, token)
        return step

    def train_step():
        model.zero_grad(set_to_none=True)
        model.loss(ids).backward()
    return train_step


def main(argv) -> int:
    args = parse_args(argv)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    cuda = device.type == 'cuda'
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    cfg = config_of(args)
    if args.fla:
        from fla_attention import use_fla
        use_fla()
    env = dict(device=args.device, device_name=torch.cuda.get_device_name(device) if cuda else None, torch=torch.__version__,
               threads=torch.get_num_threads(), dtype='float32', tf32=False)
    config = dict(hidden_dim=cfg.hidden_dim, num_heads=cfg.num_heads, num_layers=cfg.num_layers, ff_dim=cfg.ff_dim,
                  chunk_size=cfg.chunk_size, window_size=cfg.window_size, compression_factor=cfg.compression_factor,
                  vocab_size=cfg.vocab_size, batch_size=args.batch_size)
    for name in args.models:
        torch.manual_seed(args.seed)
        model = CausalLM(name, cfg).to(device)
        for mode in args.mode:
            impl = 'fla' if args.fla and name in ('Linear', 'DeltaNet') and mode != 'decode' else 'eager'
            model.train(mode == 'train')
            for n in args.seq_lengths:
                row = dict(model=name, n=n, mode=mode, impl=impl, **config, **env)
                ids = torch.randint(0, cfg.vocab_size, (args.batch_size, n), device=device)
                try:
                    call = case_call(model, mode, ids, cfg.vocab_size, device)
                    sync()
                    if cuda:
                        torch.cuda.reset_peak_memory_stats(device)
                    base = torch.cuda.memory_allocated(device) if cuda else None
                    times = timed_calls(call, args.warmup, args.repeats, sync)
                except (RuntimeError, MemoryError) as err:    # CUDA's out of memory is a RuntimeError
                    row['error'] = str(err).split('\n')[0][:300]
                    print(json.dumps(row), flush=True)
                    if cuda:
                        torch.cuda.empty_cache()
                    break
                finally:
                    call = None
                figures = dict(median_ms=1e3 * statistics.median(times), min_ms=1e3 * min(times), repeats=len(times),
                               peak_bytes=torch.cuda.max_memory_allocated(device) if cuda else None, base_bytes=base)
                print(json.dumps(dict(list(row.items())[:4] + list(figures.items()) + list(row.items())[4:])), flush=True)
                if cuda:
                    torch.cuda.empty_cache()
                if args.time_limit is not None and statistics.median(times) > args.time_limit:
                    break
        del model
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
