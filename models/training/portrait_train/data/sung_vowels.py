"""Sung vowels: sustained notes made by additive synthesis (harmonics of a vibrato F0 shaped by the vowel's
formants), up to soprano pitch. A loud high note holds only a few harmonics and sounds almost like a sine; the
espeak-ng singing of the other sources never goes there, and a model trained without it shut the mouth on such
notes. Phone timing is exact: each note is its vowel, each rest `sil`."""
from __future__ import annotations

import numpy as np

from .phones import PhoneSegment, fill_silence

SAMPLE_RATE = 16000
# vowel -> (formant frequencies Hz, bandwidths Hz)
FORMANTS = {
    "aa": ((800, 1200, 2600), (90, 110, 160)),
    "ao": ((600, 950, 2500), (80, 100, 150)),
    "ae": ((700, 1700, 2500), (90, 110, 160)),
    "eh": ((550, 1850, 2550), (70, 100, 150)),
    "iy": ((300, 2300, 3000), (50, 100, 150)),
    "ow": ((450, 850, 2500), (70, 90, 150)),
    "uw": ((320, 800, 2300), (50, 80, 140)),
}


def _envelope(freqs: np.ndarray, formants: tuple[int, ...], widths: tuple[int, ...]) -> np.ndarray:
    """Spectral envelope at `freqs`: a sum of resonances with a -12 dB/octave source tilt."""
    env = np.zeros_like(freqs)
    for f, bw in zip(formants, widths):
        env += 1.0 / np.sqrt(1.0 + ((freqs - f) / (0.5 * bw)) ** 2)
    return env * (100.0 / np.maximum(freqs, 100.0)) ** 2


def note(vowel: str, f0: float, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """One sustained note: F0 with 5-6.5 Hz vibrato of 1-3 %, 40-90 ms attack, 60-150 ms release, light breath."""
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    rate, depth = rng.uniform(5.0, 6.5), rng.uniform(0.01, 0.03)
    onset = np.clip(t / 0.4, 0, 1)  # vibrato grows in
    freq = f0 * (1 + depth * onset * np.sin(2 * np.pi * rate * t + rng.uniform(0, 6.28)))
    phase = 2 * np.pi * np.cumsum(freq) / SAMPLE_RATE
    formants, widths = FORMANTS[vowel]
    out = np.zeros(n)
    for k in range(1, int(7000 // f0) + 1):
        out += _envelope(np.array([k * f0]), formants, widths)[0] * np.sin(k * phase)
    out += rng.normal(0, 0.01, n) * np.abs(out).max()
    attack, release = int(rng.uniform(0.04, 0.09) * SAMPLE_RATE), int(rng.uniform(0.06, 0.15) * SAMPLE_RATE)
    shape = np.ones(n)
    shape[:attack] = np.linspace(0, 1, attack) ** 2
    shape[n - release :] *= np.linspace(1, 0, release) ** 2
    return (out * shape / (np.abs(out).max() + 1e-9)).astype(np.float32)


def song(rng: np.random.Generator, notes: int, low: float, high: float) -> tuple[np.ndarray, list[PhoneSegment]]:
    """`notes` sung vowels between `low` and `high` Hz (a melody on a major scale), 0.3-2 s each, some rests."""
    scale = np.array([0, 2, 4, 5, 7, 9, 11])
    degrees = np.concatenate([scale + 12 * o for o in range(4)])
    f_all = low * 2 ** (degrees / 12)
    f_all = f_all[f_all <= high]
    pieces, phones, t = [], [], 0.0
    index = int(rng.integers(len(f_all)))
    vowels = list(FORMANTS)
    for _ in range(notes):
        index = int(np.clip(index + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3]), 0, len(f_all) - 1))
        vowel = vowels[int(rng.integers(len(vowels)))]
        seconds = float(rng.uniform(0.3, 2.0))
        sound = note(vowel, float(f_all[index]), seconds, rng) * float(rng.uniform(0.5, 1.0))
        pieces.append(sound)
        phones.append(PhoneSegment(t, t + len(sound) / SAMPLE_RATE, vowel))
        t += len(sound) / SAMPLE_RATE
        if rng.random() < 0.35:
            rest = np.zeros(int(rng.uniform(0.25, 0.8) * SAMPLE_RATE), np.float32)
            pieces.append(rest)
            t += len(rest) / SAMPLE_RATE
    audio = np.concatenate(pieces)
    return audio, fill_silence(phones, len(audio) / SAMPLE_RATE)
