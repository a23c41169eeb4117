"""The seven architectures of docs/architectures.md in PyTorch, written as a PyTorch user writes them:
float32, eager, batched over chunks (no Python loop over tokens; DeltaNet alone loops over chunks,
as its chunkwise form needs), SDPA where it applies. The PyTorch peer every ratio in
docs/performance.md is measured against. Module and parameter names follow the state-dict names of
the TypeScript models (`bsbr weights save`), so their weights load with `load_state_dict`.

Each model has forward(ids) -> hidden [b, n, D], prefill(ids) -> (hidden, state) (the forward that
also returns the decode state after the last token), step(state, ids [b, 1]) -> hidden [b, 1, D]
(updates the state in place) and loss(ids), the next-token cross-entropy through a head tied to the
embedding. No attention mask: every token is real.
"""
import math
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

HAS_SDPA = hasattr(F, 'scaled_dot_product_attention')
MODEL_NAMES = ('BSBR', 'Standard', 'Linear', 'DeltaNet', 'SlidingWindow', 'Hopfield', 'GAU')


@dataclass
class Config:
    """models/config.ts's ModelConfig in snake case (dropout acts in training only)."""
    vocab_size: int = 10000
    hidden_dim: int = 256
    num_layers: int = 2
    num_heads: int = 4
    ff_dim: int = 512
    dropout: float = 0.1
    chunk_size: int = 32
    window_size: int = 32
    beta: float = 0.9
    learned_beta: bool = False
    temperature: float = 1.0
    update_steps: int = 1
    expansion_factor: int = 2
    compression_factor: Optional[int] = None

    @property
    def head_dim(self) -> int:
        return self.hidden_dim // self.num_heads


def sinusoidal_positions(start: int, n: int, dim: int, device) -> torch.Tensor:
    """PE[pos, 2i] = sin(pos w_i), PE[pos, 2i+1] = cos(pos w_i), w_i = 10000^(-2i/D); angles in float64
    (a float32 angle loses precision at millions of positions)."""
    half = (dim + 1) // 2
    pos = torch.arange(start, start + n, device=device, dtype=torch.float64)[:, None]
    w = torch.pow(10000.0, -torch.arange(0, 2 * half, 2, device=device, dtype=torch.float64) / dim)
    angles = pos * w
    return torch.stack([torch.sin(angles), torch.cos(angles)], -1).reshape(n, 2 * half)[:, :dim].float()


def split_heads(x: torch.Tensor, h: int) -> torch.Tensor:
    """[b, n, h*d] -> [b, h, n, d]."""
    b, n, D = x.shape
    return x.view(b, n, h, D // h).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[b, h, n, d] -> [b, n, h*d]."""
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


def chunked(x: torch.Tensor, B: int) -> torch.Tensor:
    """[..., n, f] -> [..., C, B, f], the tail padded with zeros to whole chunks."""
    n = x.shape[-2]
    C = -(-n // B)
    x = F.pad(x, (0, 0, 0, C * B - n))
    return x.view(*x.shape[:-2], C, B, x.shape[-1])


def unchunked(x: torch.Tensor, n: int) -> torch.Tensor:
    """[..., C, B, f] -> [..., n, f]."""
    return x.reshape(*x.shape[:-3], x.shape[-3] * x.shape[-2], x.shape[-1])[..., :n, :]


def softmax_attention(q, k, v, scale: float, causal: bool, mask=None):
    """softmax(scale q k^T [causal or boolean mask, True = allowed]) v over the last two axes.
    SDPA where torch has it (q pre-scaled so that SDPA's own 1/sqrt(d) gives `scale`); on torch 1.x
    the same in blocks of queries, so that no [n, n] score matrix is held at once."""
    d = q.shape[-1]
    if HAS_SDPA:
        q = q * (scale * math.sqrt(d)) if abs(scale * math.sqrt(d) - 1) > 1e-12 else q
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)
    n, m = q.shape[-2], k.shape[-2]
    if not causal:
        s = (q @ k.transpose(-1, -2)) * scale
        if mask is not None:
            s = s.masked_fill(~mask, float('-inf'))
        return torch.softmax(s, -1) @ v
    out = torch.empty_like(q)
    cols = torch.arange(m, device=q.device)
    for s0 in range(0, n, 1024):
        s1 = min(n, s0 + 1024)
        rows = torch.arange(s0, s1, device=q.device) + (m - n)
        s = (q[..., s0:s1, :] @ k[..., : s1 + m - n, :].transpose(-1, -2)) * scale
        s = s.masked_fill(cols[None, : s1 + m - n] > rows[:, None], float('-inf'))
        out[..., s0:s1, :] = torch.softmax(s, -1) @ v[..., : s1 + m - n, :]
    return out


def causal_block_softmax(q, k, v, scale: float):
    """Causal softmax attention inside each chunk: q, k, v [..., C, B, d] (scores [B, B] per chunk)."""
    B = q.shape[-2]
    causal = torch.ones(B, B, dtype=torch.bool, device=q.device).tril()
    s = (q @ k.transpose(-1, -2)) * scale
    return torch.softmax(s.masked_fill(~causal, float('-inf')), -1) @ v


class Buffer:
    """A growing [b, h, length, f] tensor along axis 2 (capacity doubled when full), so appending a
    token to a long cache does not copy it each step."""

    def __init__(self, first: torch.Tensor, spare: int = 1024):
        b, h, n, f = first.shape
        self.data = first.new_empty(b, h, n + spare, f)
        self.data[:, :, :n] = first
        self.length = n

    def append(self, x: torch.Tensor) -> None:
        m = x.shape[2]
        if self.length + m > self.data.shape[2]:
            grown = self.data.new_empty(*self.data.shape[:2], 2 * (self.length + m), self.data.shape[3])
            grown[:, :, : self.length] = self.data[:, :, : self.length]
            self.data = grown
        self.data[:, :, self.length: self.length + m] = x
        self.length += m

    def view(self) -> torch.Tensor:
        return self.data[:, :, : self.length]


class Projections(nn.Module):
    """q_proj, k_proj, v_proj and out_proj, Linear(D, D) each."""

    def __init__(self, D: int):
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(D, D) for _ in range(4))

    def qkv(self, x, h):
        return split_heads(self.q_proj(x), h), split_heads(self.k_proj(x), h), split_heads(self.v_proj(x), h)


class SoftmaxAttention(Projections):
    """Standard (section 1) and Hopfield (section 5): causal softmax attention with inverse
    temperature 1 / (temperature sqrt(d)) after updateSteps - 1 retrievals of the query over the keys.
    Decode state: the keys and values so far."""

    def __init__(self, cfg: Config, temperature: float = 1.0, update_steps: int = 1):
        super().__init__(cfg.hidden_dim)
        self.h = cfg.num_heads
        self.scale = 1.0 / (temperature * math.sqrt(cfg.head_dim))
        self.steps = update_steps

    def attend(self, q, k, v, causal):
        xi = q
        for _ in range(self.steps - 1):
            xi = softmax_attention(xi, k, k, self.scale, causal)
        return softmax_attention(xi, k, v, self.scale, causal)

    def forward(self, x, want_state=False):
        q, k, v = self.qkv(x, self.h)
        out = self.out_proj(merge_heads(self.attend(q, k, v, True)))
        return out, (dict(k=Buffer(k), v=Buffer(v)) if want_state else None)

    def step(self, state, x):
        q, k, v = self.qkv(x, self.h)
        state['k'].append(k)
        state['v'].append(v)
        return self.out_proj(merge_heads(self.attend(q, state['k'].view(), state['v'].view(), False)))


class SlidingWindowAttention(Projections):
    """Section 2: query t sees keys t - w .. t. Queries in blocks of w attend to their own block and
    the previous one under a band mask (O(n w d)). Decode state: the last w keys and values."""

    def __init__(self, cfg: Config):
        super().__init__(cfg.hidden_dim)
        self.h, self.w = cfg.num_heads, cfg.window_size
        self.scale = 1.0 / math.sqrt(cfg.head_dim)

    def forward(self, x, want_state=False):
        b, n, _ = x.shape
        q, k, v = self.qkv(x, self.h)
        w = self.w
        Q, K, V = chunked(q, w), chunked(k, w), chunked(v, w)
        C = Q.shape[2]
        previous = lambda t: torch.cat([torch.zeros_like(t[:, :, :1]), t[:, :, :-1]], 2)
        K2, V2 = torch.cat([previous(K), K], 3), torch.cat([previous(V), V], 3)   # [b, h, C, 2w, d]
        i = torch.arange(w, device=x.device)[:, None]
        j = torch.arange(2 * w, device=x.device)[None, :]
        band = (j <= w + i) & (j >= i)                       # key at (c-1)w + j, query at cw + i
        mask = band.expand(C, w, 2 * w).clone()
        mask[0, :, :w] = False                               # block 0 has no previous block
        hd = Q.shape[-1]
        flat = lambda t: t.reshape(b * self.h, C, t.shape[3], hd)
        o = softmax_attention(flat(Q), flat(K2), flat(V2), self.scale, False, mask)
        o = unchunked(o.view(b, self.h, C, w, hd), n)
        state = dict(k=k[:, :, -w:], v=v[:, :, -w:]) if want_state else None
        return self.out_proj(merge_heads(o)), state

    def step(self, state, x):
        q, k, v = self.qkv(x, self.h)
        keys, values = torch.cat([state['k'], k], 2), torch.cat([state['v'], v], 2)
        o = softmax_attention(q, keys, values, self.scale, False)
        state['k'], state['v'] = keys[:, :, -self.w:], values[:, :, -self.w:]
        return self.out_proj(merge_heads(o))


class LinearAttention(Projections):
    """Section 3: phi = elu + 1; o_t = phi(q_t)^T S_t / (phi(q_t)^T z_t + 1e-6). Chunkwise: inside a
    chunk phi(Q) phi(K)^T masked lower-triangular, across chunks the exclusive prefix sums of the
    chunk states. Decode state: S [b, h, d, d] and z [b, h, d]."""

    def __init__(self, cfg: Config):
        super().__init__(cfg.hidden_dim)
        self.h, self.B = cfg.num_heads, cfg.chunk_size

    def forward(self, x, want_state=False):
        n = x.shape[1]
        q, k, v = self.qkv(x, self.h)
        Q, K, V = chunked(F.elu(q) + 1, self.B), chunked(F.elu(k) + 1, self.B), chunked(v, self.B)   # padding after phi: zero
        B = self.B
        A = (Q @ K.transpose(-1, -2)) * torch.ones(B, B, device=x.device).tril()
        kv = K.transpose(-1, -2) @ V                              # [b, h, C, d, d]
        ksum = K.sum(3)                                           # [b, h, C, d]
        S = torch.cumsum(kv, 2) - kv                              # states before each chunk
        z = torch.cumsum(ksum, 2) - ksum
        num = A @ V + Q @ S
        den = A.sum(-1, keepdim=True) + (Q @ z.unsqueeze(-1))
        o = unchunked(num / (den + 1e-6), n)
        state = dict(S=S[:, :, -1] + kv[:, :, -1], z=z[:, :, -1] + ksum[:, :, -1]) if want_state else None
        return self.out_proj(merge_heads(o)), state

    def step(self, state, x):
        q, k, v = self.qkv(x, self.h)
        q, k = F.elu(q) + 1, F.elu(k) + 1
        state['S'] = state['S'] + k.transpose(-1, -2) @ v
        state['z'] = state['z'] + k[:, :, 0]
        o = (q @ state['S']) / (q @ state['z'].unsqueeze(-1) + 1e-6)
        return self.out_proj(merge_heads(o))


class DeltaNetAttention(Projections):
    """Section 4: S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T, o_t = S_t q_t, q and k
    L2-normalised. Chunkwise WY form: per chunk T = (I + tril(diag(beta) K K^T, -1))^-1 diag(beta)
    (one batched triangular solve for every chunk), W = T K, U = T V; then a loop over chunks:
    Delta = U - W M, O = Q M + tril(Q K^T) Delta, M += K^T Delta (M = S^T). Decode state: M."""

    def __init__(self, cfg: Config):
        super().__init__(cfg.hidden_dim)
        self.h, self.B, self.beta = cfg.num_heads, cfg.chunk_size, cfg.beta
        self.beta_proj = nn.Linear(cfg.hidden_dim, cfg.num_heads) if cfg.learned_beta else None

    def project(self, x):
        q, k, v = self.qkv(x, self.h)
        q, k = F.normalize(q, dim=-1, eps=1e-12), F.normalize(k, dim=-1, eps=1e-12)
        if self.beta_proj is not None:
            beta = torch.sigmoid(self.beta_proj(x)).transpose(1, 2)          # [b, h, n]
        else:
            beta = torch.full(q.shape[:3], self.beta, device=x.device)
        return q, k, v, beta

    def forward(self, x, want_state=False):
        b, n, _ = x.shape
        q, k, v, beta = self.project(x)
        B = self.B
        Q, K, V = chunked(q, B), chunked(k, B), chunked(v, B)               # padded keys are 0: no write
        Bt = chunked(beta.unsqueeze(-1), B)                                  # [b, h, C, B, 1]
        eye = torch.eye(B, device=x.device)
        A = torch.tril(Bt * (K @ K.transpose(-1, -2)), -1)
        T = torch.linalg.solve_triangular(eye + A, Bt * eye, upper=False, unitriangular=True)
        W, U = T @ K, T @ V
        QK = (Q @ K.transpose(-1, -2)) * torch.ones(B, B, device=x.device).tril()
        d = q.shape[-1]
        M = q.new_zeros(b, self.h, d, d)
        out = []
        for c in range(Q.shape[2]):
            delta = U[:, :, c] - W[:, :, c] @ M
            out.append(Q[:, :, c] @ M + QK[:, :, c] @ delta)
            M = M + K[:, :, c].transpose(-1, -2) @ delta
        return self.out_proj(merge_heads(unchunked(torch.stack(out, 2), n))), (dict(M=M) if want_state else None)

    def step(self, state, x):
        q, k, v, beta = self.project(x)
        M = state['M']
        delta = beta.unsqueeze(-1) * (v - k @ M)
        M = M + k.transpose(-1, -2) @ delta
        state['M'] = M
        return self.out_proj(merge_heads(q @ M))


class GAUAttention(nn.Module):
    """Section 6: one head of E = expansionFactor D; o_t = out((local_t + cross_t) sigmoid(g_t)), local
    the causal softmax inside t's chunk, cross_t = q_t^T (sum of k_s v_s^T over earlier chunks) /
    max(1, their token count). Decode state: the sum and count of closed chunks, the open chunk's
    keys and values."""

    def __init__(self, cfg: Config):
        super().__init__()
        D, E = cfg.hidden_dim, cfg.expansion_factor * cfg.hidden_dim
        self.B, self.E = cfg.chunk_size, E
        self.q_proj, self.k_proj, self.v_proj, self.gate_proj = (nn.Linear(D, E) for _ in range(4))
        self.out_proj = nn.Linear(E, D)

    def forward(self, x, want_state=False):
        n = x.shape[1]
        B = self.B
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        Q, K, V = chunked(q, B), chunked(k, B), chunked(v, B)                # [b, C, B, E]
        local = causal_block_softmax(Q, K, V, 1.0 / math.sqrt(self.E))
        kv = K.transpose(-1, -2) @ V                                         # [b, C, E, E]
        before = torch.cumsum(kv, 1) - kv
        count = (torch.arange(Q.shape[1], device=x.device) * B).clamp(min=1).view(1, -1, 1, 1)
        o = unchunked(local + (Q @ before) / count, n)
        out = self.out_proj(o * torch.sigmoid(self.gate_proj(x)))
        if not want_state:
            return out, None
        closed = n // B
        state = dict(sum=kv[:, :closed].sum(1), count=closed * B, k=k[:, closed * B:], v=v[:, closed * B:])
        return out, state

    def step(self, state, x):
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        state['k'], state['v'] = torch.cat([state['k'], k], 1), torch.cat([state['v'], v], 1)
        local = softmax_attention(q, state['k'], state['v'], 1.0 / math.sqrt(self.E), False)
        o = local + (q @ state['sum']) / max(1, state['count'])
        if state['k'].shape[1] == self.B:                                    # the chunk is full: close it
            state['sum'] = state['sum'] + state['k'].transpose(-1, -2) @ state['v']
            state['count'] += self.B
            state['k'], state['v'] = state['k'][:, :0], state['v'][:, :0]
        return self.out_proj(o * torch.sigmoid(self.gate_proj(x)))


class BSBRAttention(Projections):
    """Section 7: local causal softmax inside each chunk plus q_t^T G_c, G_c the softmax mixture (meta
    query r_c = R(x) at the token before chunk c against meta keys h_j = H(x) at the last token of
    each earlier chunk j) of the chunk states F_j = K_j^T V_j, compressed by compress_proj and mapped
    back by decompress_proj when compressionFactor is set; G_0 = 0. Decode state: the open chunk's
    keys and values, every closed chunk's (compressed) state and meta key, and the open chunk's G."""

    def __init__(self, cfg: Config):
        super().__init__(cfg.hidden_dim)
        D, d = cfg.hidden_dim, cfg.head_dim
        self.h, self.B, self.d = cfg.num_heads, cfg.chunk_size, d
        self.meta_r_proj, self.meta_h_proj = nn.Linear(D, D), nn.Linear(D, D)
        cf = cfg.compression_factor
        self.compress_proj = nn.Linear(d * d, D // cf) if cf else None
        self.decompress_proj = nn.Linear(D // cf, d * d) if cf else None

    def compress(self, flat):
        return self.compress_proj(flat) if self.compress_proj is not None else flat

    def decompress(self, mixed):
        return self.decompress_proj(mixed) if self.decompress_proj is not None else mixed

    def forward(self, x, want_state=False):
        b, n, D = x.shape
        B, d, h = self.B, self.d, self.h
        q, k, v = self.qkv(x, h)
        Q, K, V = chunked(q, B), chunked(k, B), chunked(v, B)                # padded keys, values 0
        C = Q.shape[2]
        local = causal_block_softmax(Q, K, V, 1.0 / math.sqrt(d))
        states = self.compress((K.transpose(-1, -2) @ V).reshape(b, h, C, d * d))
        ends = torch.arange(B - 1, C * B, B, device=x.device).clamp(max=n - 1)   # last token of each chunk
        xe = x[:, ends]                                                      # [b, C, D]
        hk = split_heads(self.meta_h_proj(xe), h)                           # meta key of chunk j
        r = split_heads(self.meta_r_proj(xe), h)                            # r at chunk j's end: query of chunk j+1
        rq = torch.cat([torch.zeros_like(r[:, :, :1]), r[:, :, :-1]], 2)
        earlier = torch.ones(C, C, dtype=torch.bool, device=x.device).tril(-1)
        a = ((rq @ hk.transpose(-1, -2)) / math.sqrt(d)).masked_fill(~earlier, float('-inf'))
        a = torch.softmax(a, -1).nan_to_num(0.0)                            # chunk 0: an all -inf row
        G = self.decompress(a @ states) * earlier.any(-1).view(1, 1, C, 1)    # G_0 = 0 exactly
        out = unchunked(local + Q @ G.view(b, h, C, d, d), n)
        out = self.out_proj(merge_heads(out))
        if not want_state:
            return out, None
        closed = n // B
        state = dict(states=Buffer(states[:, :, :closed], 64), keys=Buffer(hk[:, :, :closed], 64),
                     k=k[:, :, closed * B:], v=v[:, :, closed * B:], G=None)
        if closed == C:
            state['G'] = self.retrieve(state, r[:, :, -1:]) if closed > 0 else None
        else:
            state['G'] = G[:, :, closed: closed + 1].reshape(b, h, d, d) if closed > 0 else None
        return out, state

    def retrieve(self, state, r):
        """G for the chunk whose meta query is r [b, h, 1, d], over every closed chunk."""
        b = r.shape[0]
        a = torch.softmax((r @ state['keys'].view().transpose(-1, -2)) / math.sqrt(self.d), -1)
        return self.decompress(a @ state['states'].view()).reshape(b, self.h, self.d, self.d)

    def step(self, state, x):
        q, k, v = self.qkv(x, self.h)
        state['k'], state['v'] = torch.cat([state['k'], k], 2), torch.cat([state['v'], v], 2)
        o = softmax_attention(q, state['k'], state['v'], 1.0 / math.sqrt(self.d), False)
        if state['G'] is not None:
            o = o + q @ state['G']
        if state['k'].shape[2] == self.B:                                    # the chunk is full: close it
            b = x.shape[0]
            F_j = (state['k'].transpose(-1, -2) @ state['v']).reshape(b, self.h, 1, self.d * self.d)
            state['states'].append(self.compress(F_j))
            state['keys'].append(split_heads(self.meta_h_proj(x), self.h))
            state['G'] = self.retrieve(state, split_heads(self.meta_r_proj(x), self.h))
            state['k'], state['v'] = state['k'][:, :, :0], state['v'][:, :, :0]
        return self.out_proj(merge_heads(o))


def make_attention(name: str, cfg: Config) -> nn.Module:
    if name == 'Standard':
        return SoftmaxAttention(cfg)
    if name == 'Hopfield':
        return SoftmaxAttention(cfg, cfg.temperature, cfg.update_steps)
    return dict(SlidingWindow=SlidingWindowAttention, Linear=LinearAttention, DeltaNet=DeltaNetAttention,
                GAU=GAUAttention, BSBR=BSBRAttention)[name](cfg)


class Layer(nn.Module):
    """Pre-LayerNorm block: x + Attention(LN1(x)), then x + FF(LN2(x)); FF = Linear, GELU (exact),
    dropout, Linear (named ff.0 and ff.3); dropout also on each residual branch when training."""

    def __init__(self, name: str, cfg: Config):
        super().__init__()
        D = cfg.hidden_dim
        self.layer_norm1 = nn.LayerNorm(D, eps=1e-5)
        self.attention = make_attention(name, cfg)
        self.layer_norm2 = nn.LayerNorm(D, eps=1e-5)
        self.ff = nn.Sequential(nn.Linear(D, cfg.ff_dim), nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(cfg.ff_dim, D))
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, want_state=False):
        a, state = self.attention(self.layer_norm1(x), want_state)
        x = x + self.dropout(a)
        return x + self.dropout(self.ff(self.layer_norm2(x))), state

    def step(self, state, x):
        x = x + self.attention.step(state, self.layer_norm1(x))
        return x + self.ff(self.layer_norm2(x))


class CausalLM(nn.Module):
    """The shared skeleton: embedding + sinusoidal positions, pre-LN layers, a final LayerNorm."""

    def __init__(self, name: str, cfg: Config):
        super().__init__()
        if name not in MODEL_NAMES:
            raise ValueError(f"unknown model '{name}' (valid: {', '.join(MODEL_NAMES)})")
        self.name, self.cfg = name, cfg
        self.embedding = nn.Embedding(cfg.vocab_size, cfg.hidden_dim)
        self.layers = nn.ModuleList(Layer(name, cfg) for _ in range(cfg.num_layers))
        self.layer_norm = nn.LayerNorm(cfg.hidden_dim, eps=1e-5)

    def embed(self, ids, start):
        return self.embedding(ids) + sinusoidal_positions(start, ids.shape[1], self.cfg.hidden_dim, ids.device)

    def forward(self, ids):
        x = self.embed(ids, 0)
        for layer in self.layers:
            x, _ = layer(x)
        return self.layer_norm(x)

    def prefill(self, ids):
        """The forward over ids, and the decode state after its last token."""
        x = self.embed(ids, 0)
        states = []
        for layer in self.layers:
            x, state = layer(x, True)
            states.append(state)
        return self.layer_norm(x), dict(position=ids.shape[1], layers=states)

    def step(self, state, ids):
        """One token per sequence, ids [b, 1] -> hidden [b, 1, D]; the state is updated in place."""
        x = self.embed(ids, state['position'])
        for layer, layer_state in zip(self.layers, state['layers']):
            x = layer.step(layer_state, x)
        state['position'] += ids.shape[1]
        return self.layer_norm(x)

    def loss(self, ids):
        """Mean next-token cross-entropy over positions 0 .. n-2, logits from the tied embedding."""
        hidden = self.forward(ids)[:, :-1]
        logits = hidden @ self.embedding.weight.t()
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
