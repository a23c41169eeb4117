"""Checks the peer's own decode: for every model, a prefill of p tokens followed by single-token
steps gives the hidden states of one forward over the whole sequence (relative error, max |diff| /
max |forward|, under 1e-4), for prefills of one token and ones that end inside a chunk and on a
chunk boundary.
Exit status 1 when any case fails.
usage: python3 evals/peer/decode_check.py [--device cpu|cuda]
"""
import argparse
import json
import sys

import torch

from models import CausalLM, Config, MODEL_NAMES

# Small configs that cross several chunks and windows; the variants exercise the optional knobs.
BASE = dict(vocab_size=50, hidden_dim=16, num_layers=2, num_heads=2, ff_dim=24, chunk_size=4, window_size=3)
VARIANTS = [(name, {}) for name in MODEL_NAMES] + [
    ('BSBR', dict(compression_factor=2)),
    ('DeltaNet', dict(learned_beta=True)),
    ('Hopfield', dict(update_steps=3, temperature=0.5)),
]
LENGTH = 19
PREFILLS = (1, 3, 4, 7, 12)  # chunk 4, window 3: inside a chunk, on a boundary, past it


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cpu')
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    failed = 0
    for name, knobs in VARIANTS:
        torch.manual_seed(0)
        model = CausalLM(name, Config(**BASE, **knobs)).to(args.device).eval()
        ids = torch.randint(0, BASE['vocab_size'], (2, LENGTH), device=args.device)
        with torch.no_grad():
            expected = model(ids)
            for p in PREFILLS:
                hidden, state = model.prefill(ids[:, :p])
                outputs = [hidden]
                for t in range(p, LENGTH):
                    outputs.append(model.step(state, ids[:, t:t + 1]))
                err = relative_error(torch.cat(outputs, 1), expected)
                ok = err < 1e-4
                failed += not ok
                print(json.dumps(dict(model=name, knobs=knobs, prefill=p, relative_error=err, ok=ok)), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
