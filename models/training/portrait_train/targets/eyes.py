"""Blinks (Poisson-like with a refractory period, more at phrase boundaries, asymmetric close/open) and gaze
(fixations of 0.5-3 s joined by fast small saccades, slight aversion while speaking)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..data.phones import PhoneSegment
from .timeline import FRAME_S

BLINKS_PER_MIN = 17.0
REFRACTORY_S = 0.6
FINE = 200  # Hz, blink shapes are drawn on a fine grid and sampled at frame centres


def blink_times(rng: np.random.Generator, duration: float, pause_starts: Sequence[float]) -> list[float]:
    """Blink onsets: a renewal process (refractory + exponential), plus blinks at pause onsets."""
    rate = BLINKS_PER_MIN / 60.0 * float(rng.uniform(0.8, 1.2))
    mean_gap = 1.0 / rate - REFRACTORY_S
    times: list[float] = []
    t = float(rng.uniform(0.0, 1.0 / rate))
    boundaries = sorted(p for p in pause_starts if rng.random() < 0.5)
    while t < duration:
        upcoming = [b for b in boundaries if (times[-1] if times else -1.0) + REFRACTORY_S < b < t]
        if upcoming:
            t = upcoming[0] + float(rng.uniform(0.0, 0.15))
            boundaries = [b for b in boundaries if b > t]
        times.append(t)
        # boundary blinks replace part of the random ones so the overall rate stays natural
        t += REFRACTORY_S + float(rng.exponential(mean_gap * 1.15))
    return [x for x in times if x < duration]


def blink_shape(t: np.ndarray, onset: float, duration: float, amplitude: float) -> np.ndarray:
    """Fast closing (~35 %), slower opening, peak `amplitude`."""
    close = 0.35 * duration
    x = t - onset
    up = np.clip(x / close, 0.0, 1.0)
    down = np.clip((x - close) / (duration - close), 0.0, 1.0)
    shape = np.where(x < close, np.sin(0.5 * np.pi * up) ** 2, np.cos(0.5 * np.pi * down) ** 2)
    return amplitude * np.where((x >= 0) & (x <= duration), shape, 0.0)


def blinks(rng: np.random.Generator, n_frames: int, pause_starts: Sequence[float]) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """(blink_l, blink_r) per frame and the [(onset, duration)] list. Peaks land on frame centres."""
    duration = n_frames * FRAME_S
    t = (np.arange(n_frames) + 0.5) * FRAME_S
    left, right = np.zeros(n_frames), np.zeros(n_frames)
    events = []
    for onset in blink_times(rng, duration, pause_starts):
        length = float(rng.uniform(0.1, 0.3))
        peak = onset + 0.35 * length
        peak = (np.round(peak / FRAME_S - 0.5) + 0.5) * FRAME_S  # a frame shows the closed lid
        onset = peak - 0.35 * length
        amplitude = 1.0 if rng.random() > 0.1 else float(rng.uniform(0.5, 0.85))
        offset = float(rng.uniform(-0.008, 0.008))
        left = np.maximum(left, blink_shape(t, onset, length, amplitude))
        right = np.maximum(right, blink_shape(t, onset + offset, length, amplitude * float(rng.uniform(0.95, 1.0))))
        events.append((onset, length))
    return left, right, events


def gaze(rng: np.random.Generator, n_frames: int, speaking: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fixations of 0.5-3 s at small offsets, saccades over 1-2 frames; while speaking the gaze is averted a bit."""
    gx, gy = np.zeros(n_frames), np.zeros(n_frames)
    home = np.array([rng.normal(0, 0.03), rng.normal(0, 0.03)])
    aversion = np.array([rng.choice([-1.0, 1.0]) * rng.uniform(0.04, 0.12), rng.uniform(-0.06, 0.03)])
    frame = 0
    current = home.copy()
    while frame < n_frames:
        length = int(rng.uniform(0.5, 3.0) / FRAME_S)
        talk = float(np.mean(speaking[frame : frame + length])) if length else 0.0
        avert = rng.random() < 0.5 * talk
        target = home + (aversion if avert else 0.0) + rng.normal(0, [0.05, 0.03])
        target = np.clip(target, -0.3, 0.3)
        ramp = int(rng.integers(1, 3))
        for k in range(length):
            if frame + k >= n_frames:
                break
            a = min(1.0, (k + 1) / ramp)
            pos = current + (target - current) * a
            gx[frame + k], gy[frame + k] = pos
        current = target
        frame += length
    tremor = np.stack([np.convolve(rng.normal(0, 0.004, n_frames), np.ones(3) / 3, mode="same") for _ in range(2)])
    return gx + tremor[0], gy + tremor[1]
