"""The peer's forward on given weights and token ids, for the agreement test with the TypeScript
models (evals/peer/peer.test.ts). Reads a JSON list of cases
  [{"model": "BSBR", "config": {camelCase ModelConfig}, "weights": "file.safetensors", "ids": [[...]]}]
and prints one JSON line per case: {"model", "hidden": [b][n][D], "loss"} (float32 forward and the
next-token loss through the tied head, dropout inactive, on the CPU).
usage: python3 evals/peer/agree.py CASES.json
"""
import json
import sys

import torch

from config import config_from_camel
from models import CausalLM
from weights import read_safetensors

IGNORED = ('pos_encoding.pe',)


def main(path: str) -> None:
    with open(path) as f:
        cases = json.load(f)
    for case in cases:
        model = CausalLM(case['model'], config_from_camel(case['config'])).eval()
        weights = {k: v for k, v in read_safetensors(case['weights']).items() if k not in IGNORED}
        model.load_state_dict(weights, strict=True)
        ids = torch.tensor(case['ids'], dtype=torch.long)
        with torch.no_grad():
            hidden, loss = model(ids), model.loss(ids)
        print(json.dumps(dict(model=case['model'], hidden=hidden.tolist(), loss=loss.item())), flush=True)


if __name__ == '__main__':
    main(sys.argv[1])
