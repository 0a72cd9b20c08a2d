"""Noise schedule, training loss and the samplers, with the maths the TypeScript engine implements (models/SPEC.md,
and "Sampling" in models/training/README.md).

Schedule: discrete table alpha_bar[t] for t = 0 .. T-1. Sampler timesteps for N steps are the integers
tau_i = round((T - 1) * (N - i) / N), i = 0 .. N-1 (999 down to about 999/N); the step after tau_{N-1} lands on
clean data (alpha = 1, sigma = 0). alpha_t = sqrt(alpha_bar), sigma_t = sqrt(1 - alpha_bar), lambda = log(alpha/sigma).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .channels import CHANNEL_INDEX

DEFAULT_SCHEDULE = {"type": "cosine", "timesteps": 1000, "s": 0.008}


def alpha_bar_table(schedule: dict = DEFAULT_SCHEDULE) -> np.ndarray:
    """float64 [T] alpha_bar per the manifest schedule (SPEC: cosine clipped so that beta <= 0.999, or linear)."""
    steps = int(schedule["timesteps"])
    if schedule["type"] == "cosine":
        s = float(schedule.get("s", 0.008))
        f = lambda u: np.cos(((u / steps) + s) / (1 + s) * np.pi / 2) ** 2  # noqa: E731
        u = np.arange(steps + 1, dtype=np.float64)
        betas = np.minimum(1.0 - f(u[1:]) / f(u[:-1]), 0.999)
    elif schedule["type"] == "linear":
        betas = np.linspace(float(schedule["beta_start"]), float(schedule["beta_end"]), steps, dtype=np.float64)
    else:
        raise ValueError(f"schedule type must be 'cosine' or 'linear', got {schedule['type']!r}")
    return np.cumprod(1.0 - betas)


def sampler_timesteps(steps: int, timesteps: int = 1000) -> list[int]:
    if steps < 1 or steps > timesteps:
        raise ValueError(f"steps must be in [1, {timesteps}], got {steps}")
    return [int(round((timesteps - 1) * (steps - i) / steps)) for i in range(steps)]


@dataclass(frozen=True)
class Schedule:
    alpha_bar: torch.Tensor  # [T] float32

    @staticmethod
    def create(schedule: dict = DEFAULT_SCHEDULE) -> "Schedule":
        return Schedule(torch.tensor(alpha_bar_table(schedule), dtype=torch.float32))

    @property
    def timesteps(self) -> int:
        return int(self.alpha_bar.shape[0])

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        ab = self.alpha_bar.to(x0.device)[t].reshape(-1, *([1] * (x0.dim() - 1)))
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise


def to_x0(prediction: torch.Tensor, x_t: torch.Tensor, alpha_bar: float, kind: str) -> torch.Tensor:
    a, s = math.sqrt(alpha_bar), math.sqrt(1.0 - alpha_bar)
    if kind == "x0":
        return prediction
    if kind == "eps":
        return (x_t - s * prediction) / a
    if kind == "v":
        return a * x_t - s * prediction
    raise ValueError(f"prediction must be 'x0', 'eps' or 'v', got {kind!r}")


def training_target(x0: torch.Tensor, noise: torch.Tensor, alpha_bar: torch.Tensor, kind: str) -> torch.Tensor:
    ab = alpha_bar.reshape(-1, *([1] * (x0.dim() - 1)))
    if kind == "x0":
        return x0
    if kind == "eps":
        return noise
    if kind == "v":
        return ab.sqrt() * noise - (1 - ab).sqrt() * x0
    raise ValueError(f"prediction must be 'x0', 'eps' or 'v', got {kind!r}")


def diffusion_loss(
    prediction: torch.Tensor,
    target: torch.Tensor,
    channel_weight: torch.Tensor,
    velocity_weight: float = 1.0,
    context: torch.Tensor | None = None,
    context_keep: torch.Tensor | None = None,
    frame_weight: torch.Tensor | None = None,
    sealed: torch.Tensor | None = None,
    open_sign: torch.Tensor | None = None,
    closure_hinge: float = 0.0,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Channel-weighted MSE plus an MSE on frame-to-frame differences (including the step from the last context
    frame into the window where context is present). `frame_weight` [B, W] weighs frames (a difference by the
    larger weight of its two frames).

    With `closure_hinge` > 0, frames whose target seals the lips (`sealed` [B, W], 1 or 0) add a one-sided squared
    penalty on the channels that open the mouth, counted only where the prediction is more open than the target
    (`open_sign` [C]: +1 where a larger value opens, -1 where it closes, 0 for channels left alone). The squared error
    alone is symmetric, so a model unsure whether a short p/b/m seals settles half open; this term makes the open
    side cost more, so it settles closed."""
    err = (prediction - target) ** 2 * channel_weight
    vel_pred = prediction[:, 1:] - prediction[:, :-1]
    vel_true = target[:, 1:] - target[:, :-1]
    vel_err = ((vel_pred - vel_true) ** 2) * channel_weight
    if frame_weight is not None:
        err = err * frame_weight[..., None]
        vel_err = vel_err * torch.maximum(frame_weight[:, 1:], frame_weight[:, :-1])[..., None]
    mse = err.mean()
    vel = vel_err.mean()
    if context is not None and context_keep is not None:
        first_pred = prediction[:, 0] - context[:, -1]
        first_true = target[:, 0] - context[:, -1]
        seam = ((((first_pred - first_true) ** 2) * channel_weight).mean(dim=-1) * context_keep).mean()
        vel = vel + seam / prediction.shape[1]
    total = mse + velocity_weight * vel
    parts = {"mse": float(mse.detach()), "vel": float(vel.detach())}
    if closure_hinge > 0 and sealed is not None and open_sign is not None:
        too_open = torch.relu((prediction - target) * open_sign) ** 2 * channel_weight
        hinge = (too_open * sealed[..., None]).mean()
        total = total + closure_hinge * hinge
        parts["hinge"] = float(hinge.detach())
    return total, parts


Denoise = Callable[[torch.Tensor, int], torch.Tensor]
"""(x_t, integer timestep) -> x0 estimate (guidance already applied)."""


def guided_denoiser(
    model: Callable[..., torch.Tensor],
    audio: torch.Tensor,
    prev_motion: torch.Tensor,
    prev_keep: torch.Tensor,
    guidance: float,
    alpha_bar: torch.Tensor,
    kind: str = "x0",
) -> Denoise:
    """Classifier-free guidance on audio only: cond and uncond run as one batch; the uncond branch keeps context."""
    b = audio.shape[0]

    def denoise(x: torch.Tensor, t: int) -> torch.Tensor:
        ab = float(alpha_bar[t])
        ts = torch.full((b,), float(t))
        if guidance == 1.0:
            pred = model(x, ts, audio, torch.ones(b), prev_motion, prev_keep)
            return to_x0(pred, x, ab, kind)
        pred = model(
            torch.cat([x, x]), torch.cat([ts, ts]), torch.cat([audio, audio]),
            torch.cat([torch.ones(b), torch.zeros(b)]), torch.cat([prev_motion, prev_motion]),
            torch.cat([prev_keep, prev_keep]),
        )
        x0 = to_x0(pred, torch.cat([x, x]), ab, kind)
        cond, uncond = x0[:b], x0[b:]
        return uncond + guidance * (cond - uncond)

    return denoise


def _alpha_sigma(alpha_bar: torch.Tensor, t: int | None) -> tuple[float, float]:
    if t is None:
        return 1.0, 0.0
    ab = float(alpha_bar[t])
    return math.sqrt(ab), math.sqrt(1.0 - ab)


def sample_ddim(denoise: Denoise, noise: torch.Tensor, alpha_bar: torch.Tensor, steps: int) -> torch.Tensor:
    """Deterministic DDIM (eta = 0) from x_{tau_0} = noise (unit variance) to clean data."""
    taus: Sequence[int | None] = [*sampler_timesteps(steps, len(alpha_bar)), None]
    x = noise
    for i in range(steps):
        t, t_next = taus[i], taus[i + 1]
        a, s = _alpha_sigma(alpha_bar, t)
        a_next, s_next = _alpha_sigma(alpha_bar, t_next)
        x0 = denoise(x, t)
        eps = (x - a * x0) / s
        x = a_next * x0 + s_next * eps
    return x


def sample_dpmpp_2m(denoise: Denoise, noise: torch.Tensor, alpha_bar: torch.Tensor, steps: int) -> torch.Tensor:
    """DPM-Solver++(2M) in data prediction. The first step and the last step (to sigma = 0) are first order;
    the last step therefore returns the final x0 estimate."""
    taus: Sequence[int | None] = [*sampler_timesteps(steps, len(alpha_bar)), None]
    x = noise
    x0_prev: torch.Tensor | None = None
    h_prev = 0.0
    for i in range(steps):
        t, t_next = taus[i], taus[i + 1]
        x0 = denoise(x, t)
        if t_next is None:
            return x0
        a, s = _alpha_sigma(alpha_bar, t)
        a_next, s_next = _alpha_sigma(alpha_bar, t_next)
        h = math.log(a_next / s_next) - math.log(a / s)
        if x0_prev is None:
            d = x0
        else:
            r = h_prev / h
            d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * x0_prev
        x = (s_next / s) * x - a_next * math.expm1(-h) * d
        x0_prev, h_prev = x0, h
    return x


SAMPLERS = {"ddim": sample_ddim, "dpmpp-2m": sample_dpmpp_2m}

ARTICULATORS = ("jaw_open", "lips_part", "mouth_wide", "mouth_round", "upper_lip_raise", "lower_lip_tuck", "lips_press")
"""The channels that shape the lips; they keep the denoiser's jump when the mouth closes at a window's start."""
CLOSING_DIRECTION = {"jaw_open": -1, "lips_part": -1, "lips_press": 1}
"""Direction in which each closing channel moves as the lips close: -1 falls, +1 rises."""


def continuity_ramp(frames: int) -> np.ndarray:
    """Weight of the seam offset at each of a window's first `frames` frames: a half cosine from 1 down to 0."""
    return np.array([0.5 * (1 + math.cos(math.pi * f / frames)) for f in range(frames)], np.float64)


def apply_continuity(x0: np.ndarray, context: np.ndarray, ramp: np.ndarray) -> np.ndarray:
    """Seam continuity (models/SPEC.md) on x0 estimates [B, W, C] of windows with context [B, K, C]: the offset of
    frame 0 from the context's last frame plus its last step is removed from the first len(ramp) frames along
    `ramp`; where the lips close at the start (a closing channel jumps in its closing direction) the articulators
    keep the denoiser's jump. Returns a new array."""
    if len(ramp) == 0:
        return x0
    target = 2 * context[:, -1].astype(np.float64) - context[:, -2] if context.shape[1] > 1 else context[:, -1]
    offset = x0[:, 0] - target
    closes = np.zeros(len(x0), bool)
    for name, direction in CLOSING_DIRECTION.items():
        closes |= offset[:, CHANNEL_INDEX[name]] * direction > 0
    articulators = [CHANNEL_INDEX[name] for name in ARTICULATORS]
    offset[np.ix_(closes, articulators)] = 0.0
    out = x0.astype(np.float64, copy=True)
    out[:, : len(ramp)] -= offset[:, None, :] * ramp[None, :, None]
    return out.astype(x0.dtype)
