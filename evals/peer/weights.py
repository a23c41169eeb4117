"""Reads a safetensors file (https://huggingface.co/docs/safetensors: an 8-byte little-endian header
length, a JSON header of name -> dtype, shape and byte offsets, then the data) into float32 tensors,
such as `bsbr weights save` writes in the models' state-dict names."""
import json
import struct

import numpy as np
import torch

DTYPES = {'F32': np.float32, 'F64': np.float64, 'F16': np.float16}


def read_safetensors(path: str) -> dict:
    """name -> float32 torch tensor, for every tensor of the file (the `__metadata__` entry skipped)."""
    with open(path, 'rb') as f:
        data = f.read()
    (length,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8: 8 + length].decode('utf-8'))
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        if entry['dtype'] not in DTYPES:
            raise ValueError(f"{path}: {name}: dtype {entry['dtype']} is not supported (valid: {', '.join(DTYPES)})")
        start, end = entry['data_offsets']
        array = np.frombuffer(body[start:end], dtype=DTYPES[entry['dtype']]).reshape(entry['shape'])
        tensors[name] = torch.from_numpy(array.astype(np.float32))
    return tensors
