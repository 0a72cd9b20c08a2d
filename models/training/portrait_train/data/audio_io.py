"""Small audio helpers shared by the sources: resampling to 16 kHz, wav reading, padding with silence."""
from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

SAMPLE_RATE = 16000


def to_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if sample_rate == SAMPLE_RATE:
        return audio.astype(np.float32)
    g = gcd(SAMPLE_RATE, sample_rate)
    return resample_poly(audio, SAMPLE_RATE // g, sample_rate // g).astype(np.float32)


def read_wav_16k(path: Path) -> np.ndarray:
    audio, sr = sf.read(str(path), dtype="float32", always_2d=False)
    return to_16k(audio, sr)


def normalise_peak(audio: np.ndarray, peak: float = 0.7) -> np.ndarray:
    top = float(np.max(np.abs(audio))) if len(audio) else 0.0
    return (audio * (peak / top)).astype(np.float32) if top > 1e-6 else audio.astype(np.float32)
