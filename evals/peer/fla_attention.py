"""Linear and DeltaNet attention through flash-linear-attention's Triton chunk kernels
(https://github.com/fla-org/flash-linear-attention, `pip install flash-linear-attention`): what a
researcher who takes the field's GPU kernels gets for the same models. Imported by bench.py only
with --fla. The decode step stays the peer's own (a one-token recurrence)."""
import torch
import torch.nn.functional as F
from fla.ops.delta_rule import chunk_delta_rule
from fla.ops.linear_attn import chunk_linear_attn

from models import DeltaNetAttention, LinearAttention, merge_heads


def linear_forward(self, x, want_state=False):
    if want_state:
        return LinearAttention.eager_forward(self, x, True)
    q, k, v = self.qkv(x, self.h)
    o, _ = chunk_linear_attn(*(t.transpose(1, 2).contiguous() for t in (F.elu(q) + 1, F.elu(k) + 1, v)), scale=1.0, normalize=True)
    return self.out_proj(merge_heads(o.transpose(1, 2))), None


def deltanet_forward(self, x, want_state=False):
    if want_state:
        return DeltaNetAttention.eager_forward(self, x, True)
    q, k, v, beta = self.project(x)
    o, _ = chunk_delta_rule(*(t.transpose(1, 2).contiguous() for t in (q, k, v)), beta.transpose(1, 2).contiguous(), scale=1.0)
    return self.out_proj(merge_heads(o.transpose(1, 2))), None


def use_fla() -> None:
    """Replaces the two attentions' forward (not their prefill or step) with the kernels'."""
    for cls, forward in ((LinearAttention, linear_forward), (DeltaNetAttention, deltanet_forward)):
        cls.eager_forward = cls.forward
        cls.forward = forward
