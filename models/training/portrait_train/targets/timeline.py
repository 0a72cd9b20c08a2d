"""Time grids shared by the target models: a fine 200 Hz grid for shaping, sampled at the 25 fps frame centres."""
from __future__ import annotations

import numpy as np

FPS = 25
FRAME_S = 1.0 / FPS
FINE_HZ = 200
STEP = FINE_HZ // FPS  # fine samples per frame


def frame_count(num_samples: int) -> int:
    return -(-num_samples // 640)


def fine_times(n_frames: int) -> np.ndarray:
    """Fine grid covering [0, n_frames * 40 ms)."""
    return (np.arange(n_frames * STEP) + 0.5) / FINE_HZ


def frame_centres(n_frames: int) -> np.ndarray:
    return (np.arange(n_frames) + 0.5) * FRAME_S


def sample_frames(fine: np.ndarray, n_frames: int) -> np.ndarray:
    """Value at each frame centre (linear interpolation of the fine grid)."""
    t = fine_times(n_frames)
    return np.interp(frame_centres(n_frames), t, fine) if len(t) else np.zeros(0)


def smooth(signal: np.ndarray, sigma_samples: float) -> np.ndarray:
    """Gaussian smoothing with edge padding."""
    if sigma_samples <= 0 or len(signal) == 0:
        return signal.copy()
    radius = int(3 * sigma_samples) + 1
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (x / sigma_samples) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(signal, radius, mode="edge")
    return np.convolve(padded, kernel, mode="same")[radius:-radius]


def ramp_mask(mask: np.ndarray, ramp_samples: int) -> np.ndarray:
    """0/1 mask -> smooth weight: raised-cosine transitions of `ramp_samples` centred on each edge."""
    if ramp_samples <= 1 or len(mask) == 0:
        return mask.astype(float)
    k = np.hanning(ramp_samples + 2)[1:-1]
    k /= k.sum()
    padded = np.pad(mask.astype(float), ramp_samples, mode="edge")
    return np.clip(np.convolve(padded, k, mode="same")[ramp_samples:-ramp_samples], 0.0, 1.0)
