"""Speaking-rate and voice changes that keep phone timing known: WSOLA time compression with the pitch kept
(sox `tempo -s`), and a speaker change by resampling (formants and pitch move together, like a shorter or longer
vocal tract; the duration changes by the same factor). Phone times are scaled by the measured length ratio."""
from __future__ import annotations

import subprocess
from math import gcd

import numpy as np
from scipy.signal import resample_poly

from .phones import PhoneSegment, fill_silence

SAMPLE_RATE = 16000
_RAW = ["-t", "raw", "-r", str(SAMPLE_RATE), "-e", "floating-point", "-b", "32", "-c", "1"]


def change_tempo(audio: np.ndarray, factor: float) -> np.ndarray:
    """`factor` times faster (1.5 = two thirds of the duration), pitch and formants kept (sox WSOLA, speech mode)."""
    if not 0.5 <= factor <= 2.5:
        raise ValueError(f"tempo factor must be between 0.5 and 2.5. Passed: {factor}")
    if abs(factor - 1.0) < 1e-6:
        return np.asarray(audio, np.float32).copy()
    pcm = np.asarray(audio, "<f4").tobytes()
    out = subprocess.run(["sox", *_RAW, "-", *_RAW, "-", "tempo", "-s", f"{factor:.4f}"], input=pcm,
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, "<f4").astype(np.float32)


def change_speaker(audio: np.ndarray, warp: float) -> np.ndarray:
    """Formants and pitch times `warp` (0.85..1.2), duration divided by it: the signal resampled as if played
    `warp` times faster."""
    if not 0.7 <= warp <= 1.4:
        raise ValueError(f"speaker warp must be between 0.7 and 1.4. Passed: {warp}")
    if abs(warp - 1.0) < 1e-6:
        return np.asarray(audio, np.float32).copy()
    up, down = 1000, int(round(1000 * warp))
    g = gcd(up, down)
    return resample_poly(np.asarray(audio, np.float64), up // g, down // g).astype(np.float32)


def scale_phones(phones: list[PhoneSegment], ratio: float, total: float) -> list[PhoneSegment]:
    """Phone times multiplied by `ratio` (new length / old length), clipped to `total` seconds."""
    out = []
    for p in phones:
        start, end = min(p.start * ratio, total), min(p.end * ratio, total)
        if end > start:
            out.append(PhoneSegment(start, end, p.label))
    return fill_silence(out, total)


def faster(audio: np.ndarray, phones: list[PhoneSegment], tempo: float, warp: float = 1.0
           ) -> tuple[np.ndarray, list[PhoneSegment]]:
    """Audio `tempo` times faster overall, its voice warped by `warp`, and its phones moved with it."""
    out = change_speaker(audio, warp)
    out = change_tempo(out, tempo / warp)
    ratio = len(out) / max(1, len(audio))
    return out, scale_phones(phones, ratio, len(out) / SAMPLE_RATE)


def speaking_rate(phones: list[PhoneSegment], vowels: frozenset[str]) -> tuple[float, float, float]:
    """(phones per second, syllables (vowels) per second, seconds of speech) over the speech between pauses:
    silences of 150 ms or more are not counted as speaking time."""
    speech = [p for p in phones if p.label != "sil"]
    short_gaps = sum(p.end - p.start for p in phones if p.label == "sil" and p.end - p.start < 0.15
                     and speech and speech[0].start < p.start < speech[-1].end)
    seconds = sum(p.end - p.start for p in speech) + short_gaps
    if seconds <= 0:
        return 0.0, 0.0, 0.0
    return len(speech) / seconds, sum(p.label in vowels for p in speech) / seconds, seconds


def pooled_rate(phone_lists: list[list[PhoneSegment]], vowels: frozenset[str]) -> tuple[float, float, float]:
    """`speaking_rate` over several utterances together: (phones/s, syllables/s, seconds of speech)."""
    phones = syllables = seconds = 0.0
    for utterance in phone_lists:
        p, s, t = speaking_rate(utterance, vowels)
        phones, syllables, seconds = phones + p * t, syllables + s * t, seconds + t
    if seconds <= 0:
        return float("nan"), float("nan"), 0.0
    return phones / seconds, syllables / seconds, seconds
