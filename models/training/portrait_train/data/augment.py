"""Audio augmentation for extra training copies. Every transform keeps the length and the sample alignment of
the clean utterance, so its motion targets stay valid."""
from __future__ import annotations

import subprocess

import numpy as np
from scipy.signal import butter, fftconvolve, resample_poly, sosfiltfilt

SAMPLE_RATE = 16000
AUGMENTS = ("noise", "reverb", "gain", "telephone", "mp3", "opus")


def _coloured_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum *= 1.0 / np.maximum(freqs, 20.0) ** (exponent / 2)
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.std(noise) + 1e-12)


def add_noise(audio: np.ndarray, rng: np.random.Generator, snr_db: float | None = None) -> np.ndarray:
    """White, pink or brown noise at an SNR of 0-30 dB, measured against the speech power."""
    snr_db = float(rng.uniform(0, 30)) if snr_db is None else snr_db
    exponent = float(rng.choice([0.0, 1.0, 2.0]))
    noise = _coloured_noise(rng, len(audio), exponent)
    active = audio[np.abs(audio) > 0.02 * (np.max(np.abs(audio)) + 1e-9)]
    power = float(np.mean(active**2)) if len(active) else float(np.mean(audio**2) + 1e-9)
    return (audio + noise * np.sqrt(power / 10 ** (snr_db / 10))).astype(np.float32)


def reverb(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Synthetic room: direct path at lag 0 plus exponentially decaying noise (RT60 0.15-0.8 s)."""
    rt60 = float(rng.uniform(0.15, 0.8))
    length = int(rt60 * SAMPLE_RATE)
    t = np.arange(length) / SAMPLE_RATE
    tail = rng.standard_normal(length) * np.exp(-6.9 * t / rt60)
    tail[: int(0.003 * SAMPLE_RATE)] = 0.0
    tail *= float(rng.uniform(0.1, 0.5)) / (np.sqrt(np.sum(tail**2)) + 1e-9)
    ir = tail
    ir[0] = 1.0
    wet = fftconvolve(audio, ir)[: len(audio)]
    return (wet * (np.max(np.abs(audio)) / (np.max(np.abs(wet)) + 1e-9))).astype(np.float32)


def gain(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """-20..+6 dB, soft-clipped."""
    g = 10 ** (float(rng.uniform(-20, 6)) / 20)
    return np.tanh(audio * g).astype(np.float32)


def telephone(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """About 300-3400 Hz (zero-phase band-pass) through an 8 kHz round trip."""
    sos = butter(4, [float(rng.uniform(250, 400)), float(rng.uniform(3200, 3600))], btype="band", fs=SAMPLE_RATE, output="sos")
    narrow = sosfiltfilt(sos, audio)
    down = resample_poly(narrow, 1, 2)
    return resample_poly(down, 2, 1)[: len(audio)].astype(np.float32)


def _best_lag(reference: np.ndarray, shifted: np.ndarray, max_lag: int) -> int:
    """Lag d maximising correlation of shifted[t + d] with reference[t]."""
    n = min(len(reference), len(shifted))
    spec = np.fft.rfft(shifted[:n], 2 * n) * np.conj(np.fft.rfft(reference[:n], 2 * n))
    corr = np.fft.irfft(spec, 2 * n)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    values = np.concatenate([corr[: max_lag + 1], corr[-max_lag:]])
    return int(lags[int(np.argmax(values))])


def codec(audio: np.ndarray, rng: np.random.Generator, kind: str) -> np.ndarray:
    """ffmpeg mp3 (16-32 kb/s) or opus (8-24 kb/s) round trip, realigned to the input sample by sample."""
    if kind == "mp3":
        bitrate, args = int(rng.choice([16, 24, 32])), ["-c:a", "libmp3lame", "-f", "mp3"]
    else:
        bitrate, args = int(rng.choice([8, 12, 16, 24])), ["-c:a", "libopus", "-f", "ogg"]
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    base = ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "s16le", "-ar", "16000", "-ac", "1", "-i", "-"]
    encoded = subprocess.run(base + args + ["-b:a", f"{bitrate}k", "-"], input=pcm, capture_output=True, check=True).stdout
    decoded = subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", "-", "-ar", "16000", "-ac", "1", "-f", "s16le", "-"],
        input=encoded, capture_output=True, check=True).stdout
    out = np.frombuffer(decoded, "<i2").astype(np.float32) / 32768.0
    lag = _best_lag(audio, out, max_lag=4000)
    if lag >= 0:
        out = out[lag:]
    else:
        out = np.concatenate([np.zeros(-lag, np.float32), out])
    if len(out) < len(audio):
        out = np.concatenate([out, np.zeros(len(audio) - len(out), np.float32)])
    return out[: len(audio)].astype(np.float32)


def apply(audio: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    if kind == "noise":
        return add_noise(audio, rng)
    if kind == "reverb":
        return reverb(audio, rng)
    if kind == "gain":
        return gain(audio, rng)
    if kind == "telephone":
        return telephone(audio, rng)
    if kind in ("mp3", "opus"):
        return codec(audio, rng, kind)
    raise ValueError(f"unknown augmentation {kind!r}; expected one of {AUGMENTS}")
