"""Acoustic prosody per 40 ms frame (RMS envelope, autocorrelation F0) and the motion it drives: head nods on
energy/pitch peaks, slow head drift, brow raises on pitch accents, occasional furrows, a mood smile."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..data.phones import PhoneSegment
from .timeline import FRAME_S, smooth

SAMPLES_PER_FRAME = 640
SR = 16000


def envelope(audio: np.ndarray, n_frames: int) -> np.ndarray:
    """RMS per frame t over audio [t*640, (t+1)*640), zero-padded at the end."""
    padded = np.zeros(n_frames * SAMPLES_PER_FRAME, np.float64)
    padded[: len(audio)] = audio[: len(padded)]
    return np.sqrt(np.mean(padded.reshape(n_frames, SAMPLES_PER_FRAME) ** 2, axis=1)).astype(np.float32)


def envelope_db(env: np.ndarray) -> np.ndarray:
    """dB relative to the utterance's 95th percentile, floored at -60."""
    if len(env) == 0:
        return env.astype(np.float64)
    ref = float(np.percentile(env, 95)) + 1e-9
    return np.maximum(20 * np.log10(env / ref + 1e-9), -60.0)


def pitch(audio: np.ndarray, n_frames: int, fmin: float = 60.0, fmax: float = 450.0) -> tuple[np.ndarray, np.ndarray]:
    """(f0 Hz, voiced 0/1) per frame: normalised autocorrelation over an 80 ms window centred on the frame."""
    f0 = np.zeros(n_frames)
    voiced = np.zeros(n_frames)
    win = 1280
    padded = np.concatenate([np.zeros(win), np.asarray(audio, np.float64), np.zeros(2 * win)])
    lo, hi = int(SR / fmax), int(SR / fmin)
    global_rms = float(np.sqrt(np.mean(np.asarray(audio, np.float64) ** 2)) + 1e-9)
    hann = np.hanning(win)
    for t in range(n_frames):
        centre = win + t * SAMPLES_PER_FRAME + SAMPLES_PER_FRAME // 2
        x = padded[centre - win // 2 : centre + win // 2] * hann
        x = x - x.mean()
        energy = float(np.dot(x, x))
        if energy < 1e-8 or np.sqrt(energy / win) < 0.1 * global_rms:
            continue
        spec = np.fft.rfft(x, 2 * win)
        ac = np.fft.irfft(spec * np.conj(spec))[: hi + 1]
        ac /= ac[0]
        lag = lo + int(np.argmax(ac[lo : hi + 1]))
        if ac[lag] > 0.45:
            f0[t] = SR / lag
            voiced[t] = 1.0
    return f0, voiced


def _bump(n: int, centre: float, rise: float, fall: float) -> np.ndarray:
    """Smooth asymmetric bump (frames) peaking at 1 at `centre`."""
    x = np.arange(n) - centre
    return np.where(x < 0, np.exp(-0.5 * (x / rise) ** 2), np.exp(-0.5 * (x / fall) ** 2))


def _drift(rng: np.random.Generator, n: int, amplitude: float, sigma_frames: float) -> np.ndarray:
    """Slow random drift: white noise smoothed by a Gaussian of `sigma_frames`, scaled to a standard deviation of
    `amplitude` (the smoothed noise's theoretical deviation, so short utterances are not inflated)."""
    pad = int(4 * sigma_frames)
    noise = smooth(rng.standard_normal(n + 2 * pad), sigma_frames)[pad : pad + n]
    expected = 1.0 / np.sqrt(2.0 * np.sqrt(np.pi) * sigma_frames)
    return noise / expected * amplitude


def _soft_limit(x: np.ndarray, limit: float) -> np.ndarray:
    return limit * np.tanh(x / limit)


def accents(env_db: np.ndarray, f0: np.ndarray, voiced: np.ndarray, speaking: np.ndarray) -> list[tuple[int, float]]:
    """Prominent syllables: local maxima of loudness + pitch, at least 280 ms apart -> [(frame, strength 0..1)]."""
    n = len(env_db)
    if n < 3:
        return []
    logf = np.where(voiced > 0, np.log(np.maximum(f0, 1.0)), np.nan)
    mu = np.nanmean(logf) if np.any(voiced > 0) else 0.0
    sd = np.nanstd(logf) if np.any(voiced > 0) else 1.0
    zf = np.nan_to_num((logf - mu) / (sd + 1e-6), nan=0.0)
    score = smooth(np.clip((env_db + 25) / 25, 0, 1) + 0.5 * np.clip(zf, -1, 2), 1.5) * speaking
    peaks = [i for i in range(1, n - 1) if score[i] >= score[i - 1] and score[i] > score[i + 1] and score[i] > 0.8]
    peaks.sort(key=lambda i: -score[i])
    chosen: list[int] = []
    for i in peaks:
        if all(abs(i - j) * FRAME_S >= 0.28 for j in chosen):
            chosen.append(i)
    top = max((score[i] for i in chosen), default=1.0)
    return sorted((i, float(score[i] / top)) for i in chosen)


def speaking_mask(phones: Sequence[PhoneSegment], n_frames: int) -> np.ndarray:
    mask = np.zeros(n_frames)
    for seg in phones:
        if seg.label != "sil":
            mask[int(seg.start / FRAME_S) : int(np.ceil(seg.end / FRAME_S))] = 1.0
    return mask


# Head motion of a talker (degrees): within-utterance standard deviations of about 2-3 deg yaw, 1.5-2.5 deg pitch
# and 1 deg roll at style 1, larger nods on stressed syllables; real talkers measure a few degrees on each axis.
YAW_DRIFT, YAW_SPEECH, YAW_TURN = 2.6, 1.4, 1.8
PITCH_DRIFT, PITCH_SPEECH, NOD = 1.4, 0.9, (2.0, 5.0)
ROLL_DRIFT, ROLL_SPEECH = 1.0, 0.6
HEAD_LIMITS = {"head_yaw": 12.0, "head_pitch": 8.0, "head_roll": 6.0}


def head_and_brows(env_db: np.ndarray, f0: np.ndarray, voiced: np.ndarray, speaking: np.ndarray,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Head pose (degrees, face-width fractions, log scale) and brows, all smooth and seeded."""
    n = len(env_db)
    activity = smooth(speaking, 8.0)
    style = float(rng.uniform(0.7, 1.3))  # how animated this speaker is
    yaw = _drift(rng, n, YAW_DRIFT * style, 18.0) + activity * _drift(rng, n, YAW_SPEECH * style, 8.0)
    pitch_deg = _drift(rng, n, PITCH_DRIFT * style, 18.0) + activity * _drift(rng, n, PITCH_SPEECH * style, 7.0)
    roll = _drift(rng, n, ROLL_DRIFT * style, 22.0) + activity * _drift(rng, n, ROLL_SPEECH * style, 10.0)
    brow = np.full(n, float(rng.uniform(-0.05, 0.1))) + _drift(rng, n, 0.04, 30.0)
    for frame, strength in accents(env_db, f0, voiced, speaking):
        nod = rng.uniform(*NOD) * style * strength
        pitch_deg += nod * (_bump(n, frame + 1.5, 2.5, 4.5) - 0.35 * _bump(n, frame + 9, 3.0, 5.0))
        yaw += rng.normal(0.0, YAW_TURN) * style * strength * _bump(n, frame + 2, 4.0, 8.0)
        roll += rng.normal(0.0, 0.5) * style * strength * _bump(n, frame + 2, 4.0, 8.0)
        if rng.random() < 0.45 * strength:
            brow += rng.uniform(0.2, 0.5) * strength * _bump(n, frame, 3.0, 7.0)
    furrow = np.zeros(n)
    t = float(rng.exponential(20.0))
    while t < n * FRAME_S:
        frame = int(t / FRAME_S)
        width = rng.uniform(0.4, 1.5) / FRAME_S
        amp = rng.uniform(0.15, 0.45)
        furrow += amp * _bump(n, frame + width / 2, width / 3, width / 2)
        brow -= 0.3 * amp * _bump(n, frame + width / 2, width / 3, width / 2)
        t += float(rng.exponential(20.0)) + 2.0
    return {
        "head_yaw": smooth(_soft_limit(yaw, HEAD_LIMITS["head_yaw"]), 1.5),
        "head_pitch": smooth(_soft_limit(pitch_deg, HEAD_LIMITS["head_pitch"]), 1.5),
        "head_roll": smooth(_soft_limit(roll, HEAD_LIMITS["head_roll"]), 1.5),
        "head_tx": smooth(0.004 * yaw / 2.0 + _drift(rng, n, 0.003, 30.0), 1.5),
        "head_ty": smooth(0.003 * pitch_deg / 1.5 + _drift(rng, n, 0.002, 30.0), 1.5),
        "head_scale": smooth(_drift(rng, n, 0.006, 40.0), 1.5),
        "brow_raise": np.clip(smooth(brow, 1.5), -1.0, 1.0),
        "brow_furrow": np.clip(smooth(furrow, 1.5), 0.0, 1.0),
    }


def mood_smile(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mostly 0..0.3, constant-ish over the utterance."""
    base = float(np.clip(rng.gamma(2.0, 0.06), 0.0, 0.45)) if rng.random() < 0.85 else float(rng.uniform(-0.1, 0.0))
    return np.clip(base + _drift(rng, n, 0.02, 40.0), -1.0, 1.0)
