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


def _sox(audio: np.ndarray, effects: list[str]) -> np.ndarray:
    pcm = subprocess.run(["sox", *_RAW, "-", *_RAW, "-", *effects], input=np.asarray(audio, "<f4").tobytes(),
                         capture_output=True, check=True).stdout
    return np.frombuffer(pcm, "<f4").astype(np.float32)


def _envelope(audio: np.ndarray, hop: int) -> np.ndarray:
    frames = len(audio) // hop
    return np.sqrt(np.mean(np.square(audio[: frames * hop].reshape(frames, hop)), axis=1))


def realign(shifted: np.ndarray, reference: np.ndarray, max_ms: float = 60.0) -> np.ndarray:
    """`shifted` moved in time (1 ms steps) so that its energy envelope lines up with `reference`'s, same length:
    sox's pitch shifter delays or advances the signal by a few tens of milliseconds, which would move every phone
    off its target."""
    hop = SAMPLE_RATE // 1000
    a, b = _envelope(reference, hop), _envelope(shifted, hop)
    n = min(len(a), len(b))
    span = int(max_ms)

    def score(lag: int) -> float:  # b[i] ~ a[i - lag]: shifted is `lag` ms late
        x, y = (a[: n - lag], b[lag:n]) if lag >= 0 else (a[-lag:n], b[: n + lag])
        return float(np.dot(x - x.mean(), y - y.mean()))

    lag = max(range(-span, span + 1), key=score) * hop
    out = shifted[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag, np.float32), shifted])
    out = out[: len(reference)]
    return np.concatenate([out, np.zeros(len(reference) - len(out), np.float32)]).astype(np.float32)


def change_voice_quality(audio: np.ndarray, semitones: float, tempo: float, bands: list[tuple[float, float]],
                         tilt: float) -> np.ndarray:
    """Pitch moved by `semitones` with the formants and duration kept (re-aligned in time), then `tempo` times
    faster (sox WSOLA), then coloured like another voice or microphone: peaking bands (centre Hz, gain dB, one
    octave wide) and a first-order spectral tilt (`tilt` > 0 brightens, < 0 darkens). The peak level is kept."""
    if not -8.0 <= semitones <= 8.0:
        raise ValueError(f"pitch shift must be between -8 and 8 semitones. Passed: {semitones}")
    if not -0.7 <= tilt <= 0.7:
        raise ValueError(f"spectral tilt must be between -0.7 and 0.7. Passed: {tilt}")
    source = np.asarray(audio, np.float32)
    out = source
    if abs(semitones) > 1e-6:
        out = realign(_sox(out, ["pitch", f"{semitones * 100:.1f}"]), out)
    effects = ["tempo", "-s", f"{tempo:.4f}"] if abs(tempo - 1.0) > 1e-6 else []
    for centre, gain in bands:
        effects += ["equalizer", f"{centre:.0f}", "1.0o", f"{gain:.1f}"]
    if effects:
        out = _sox(out, effects)
    if abs(tilt) > 1e-6:
        out = (out - tilt * np.concatenate([[0.0], out[:-1]])).astype(np.float32)
    peak_in, peak_out = float(np.max(np.abs(source))), float(np.max(np.abs(out)))
    if peak_out > 0:
        out = out * (peak_in / peak_out)
    return np.clip(out, -1.0, 1.0).astype(np.float32)


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


def other_voice(audio: np.ndarray, phones: list[PhoneSegment], tempo: float, warp: float, semitones: float,
                bands: list[tuple[float, float]], tilt: float) -> tuple[np.ndarray, list[PhoneSegment]]:
    """Another speaker at another rate: formants moved by `warp` (vocal tract length), pitch by `warp` and then by
    `semitones` on its own, `tempo` times faster overall, coloured by `bands` and `tilt`; phones moved with it."""
    out = change_speaker(audio, warp)
    out = change_voice_quality(out, semitones, tempo / warp, bands, tilt)
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
