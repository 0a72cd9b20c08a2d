"""The motion denoiser: a small diffusion transformer over one window of W motion frames plus K context frames.

Inputs and outputs follow the denoiser ONNX signature of models/SPEC.md, so the module exports as it is.
Tokens: K context tokens (the previous K normalised motion frames, or a learned "no context" embedding when
prev_keep = 0) followed by W window tokens (the noisy frames x_t plus the encoded audio features of the same frame;
a learned null embedding replaces the audio when audio_keep = 0). The diffusion timestep conditions every block
through adaptive layer norm (shift, scale and a zero-initialised gate). Attention is bidirectional over all
K + W tokens; positions are learned absolute embeddings (the window is fixed in size).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from .channels import NUM_CHANNELS
from .features import FEATURE_DIM


@dataclass(frozen=True)
class ModelConfig:
    window: int = 50
    context: int = 10
    channels: int = NUM_CHANNELS
    feature_dim: int = FEATURE_DIM
    d_model: int = 128
    layers: int = 4
    heads: int = 4
    ff_mult: int = 2
    audio_kernel: int = 5
    prediction: str = "x0"

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict) -> "ModelConfig":
        return ModelConfig(**data)


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding of (possibly fractional) timesteps t [B] -> [B, dim]."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class AudioEncoder(nn.Module):
    """Features standardised with training-set statistics (buffers, set by `set_feature_stats`), a per-frame
    projection and a short temporal convolution (local context of +-2 frames)."""

    def __init__(self, feature_dim: int, d_model: int, kernel: int):
        super().__init__()
        self.register_buffer("feature_mean", torch.zeros(feature_dim))
        self.register_buffer("feature_std", torch.ones(feature_dim))
        self.inp = nn.Linear(feature_dim, d_model)
        self.conv = nn.Conv1d(d_model, d_model, kernel, padding=kernel // 2)
        self.out = nn.Linear(d_model, d_model)
        self.act = nn.GELU()

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        h = self.act(self.inp((audio - self.feature_mean) / self.feature_std))
        h = h + self.act(self.conv(h.transpose(1, 2)).transpose(1, 2))
        return self.out(h)


class Block(nn.Module):
    def __init__(self, d_model: int, heads: int, ff_mult: int):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d_model, elementwise_affine=False)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.norm2 = nn.LayerNorm(d_model, elementwise_affine=False)
        self.ff = nn.Sequential(nn.Linear(d_model, ff_mult * d_model), nn.GELU(), nn.Linear(ff_mult * d_model, d_model))
        self.modulation = nn.Linear(d_model, 6 * d_model)
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        hd = d // self.heads
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        weights = torch.softmax((q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd)), dim=-1)
        return self.proj((weights @ v).transpose(1, 2).reshape(b, n, d))

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        shift1, scale1, gate1, shift2, scale2, gate2 = self.modulation(cond)[:, None, :].chunk(6, dim=-1)
        x = x + gate1 * self.attention(self.norm1(x) * (1 + scale1) + shift1)
        return x + gate2 * self.ff(self.norm2(x) * (1 + scale2) + shift2)


class MotionDenoiser(nn.Module):
    """forward(x_t, timestep, audio, audio_keep, prev_motion, prev_keep) -> prediction [B, W, C]."""

    def __init__(self, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.config = config
        d = config.d_model
        self.motion_in = nn.Linear(config.channels, d)
        self.context_in = nn.Linear(config.channels, d)
        self.no_context = nn.Parameter(torch.zeros(config.context, d))
        self.audio = AudioEncoder(config.feature_dim, d, config.audio_kernel)
        self.null_audio = nn.Parameter(torch.zeros(d))
        self.pos = nn.Parameter(torch.randn(config.context + config.window, d) * 0.02)
        self.kind = nn.Parameter(torch.randn(2, d) * 0.02)
        self.time_mlp = nn.Sequential(nn.Linear(d, d), nn.SiLU(), nn.Linear(d, d))
        self.cond_act = nn.SiLU()
        self.blocks = nn.ModuleList(Block(d, config.heads, config.ff_mult) for _ in range(config.layers))
        self.final_norm = nn.LayerNorm(d, elementwise_affine=False)
        self.final_modulation = nn.Linear(d, 2 * d)
        nn.init.zeros_(self.final_modulation.weight)
        nn.init.zeros_(self.final_modulation.bias)
        self.head = nn.Linear(d, config.channels)
        nn.init.normal_(self.no_context, std=0.02)
        nn.init.normal_(self.null_audio, std=0.02)

    def set_feature_stats(self, mean, std) -> None:
        with torch.no_grad():
            self.audio.feature_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
            self.audio.feature_std.copy_(torch.as_tensor(std, dtype=torch.float32).clamp_min(1e-3))

    def forward(
        self,
        x_t: torch.Tensor,
        timestep: torch.Tensor,
        audio: torch.Tensor,
        audio_keep: torch.Tensor,
        prev_motion: torch.Tensor,
        prev_keep: torch.Tensor,
    ) -> torch.Tensor:
        d = self.config.d_model
        a_keep = audio_keep.reshape(-1, 1, 1)
        p_keep = prev_keep.reshape(-1, 1, 1)
        audio_tokens = a_keep * self.audio(audio) + (1 - a_keep) * self.null_audio
        window = self.motion_in(x_t) + audio_tokens + self.kind[1]
        context = p_keep * self.context_in(prev_motion) + (1 - p_keep) * self.no_context[None] + self.kind[0]
        h = torch.cat([context, window], dim=1) + self.pos[None]
        cond = self.cond_act(self.time_mlp(timestep_embedding(timestep, d)))
        for block in self.blocks:
            h = block(h, cond)
        shift, scale = self.final_modulation(cond)[:, None, :].chunk(2, dim=-1)
        h = self.final_norm(h[:, self.config.context :]) * (1 + scale) + shift
        return self.head(h)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
