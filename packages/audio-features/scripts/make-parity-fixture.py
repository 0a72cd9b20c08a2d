"""Writes fixtures/parity-fixture.json: ~2 s of deterministic audio and its features from the Python reference
(models/training/portrait_train/features.py), for the TypeScript parity test.

The audio is a formula, no random generator: a rising chirp under a syllable-like envelope, a stretch of exact
digital silence (which exercises the mel floor), and a hash-based pseudo-noise. Run from anywhere:
    python3 packages/audio-features/scripts/make-parity-fixture.py
"""
from __future__ import annotations

import base64
import json
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "models" / "training"))

from portrait_train.features import compute_features  # noqa: E402

SAMPLES = 2 * 16000 + 123


def noise(i: int) -> float:
    """Uniform in [-1, 1) from an integer hash of the sample index (xorshift-multiply, 32-bit)."""
    x = (i * 0x9E3779B1 + 0x7F4A7C15) & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & 0xFFFFFFFF
    x ^= x >> 16
    return x / 2**31 - 1.0


def audio() -> np.ndarray:
    out = np.zeros(SAMPLES, np.float32)
    for i in range(SAMPLES):
        t = i / 16000.0
        if 0.9 <= t < 1.2:
            continue
        phase = 2 * math.pi * (150.0 * t + 0.5 * 700.0 * t * t)
        envelope = 0.5 - 0.5 * math.cos(2 * math.pi * 4.0 * t)
        out[i] = 0.35 * envelope * math.sin(phase) + 0.01 * noise(i)
    return out


def b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def main() -> None:
    samples = audio()
    features = compute_features(samples)
    fixture = {
        "description": "audio-features parity fixture written by scripts/make-parity-fixture.py",
        "sample_rate": 16000,
        "samples": int(samples.shape[0]),
        "frames": int(features.shape[0]),
        "dim": int(features.shape[1]),
        "audio_f32le_b64": b64(samples),
        "features_f32le_b64": b64(features),
        "silence_feature_f32le_b64": b64(compute_features(np.zeros(32000, np.float32))[25]),
    }
    target = HERE.parent / "fixtures" / "parity-fixture.json"
    target.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {target.relative_to(ROOT)}: {samples.shape[0]} samples, features {features.shape}")


if __name__ == "__main__":
    main()
