"""Speaker-independent phone posteriors from pocketsphinx's English acoustic model, at the motion frame rate.

The model (pocketsphinx's `model/en-us/en-us`, BSD-2-Clause) is a phonetically tied mixture GMM-HMM: one codebook
of 128 diagonal Gaussians per base phone and feature stream, and per senone (HMM state) a weight for each Gaussian
of its phone's codebook. Only the context-independent senones (3 emitting states per base phone) are scored here.

Pipeline, a deterministic function of the audio:
- MFCC as the model's `feat.params` describe: 16 kHz, 100 frames/s, 25.625 ms Hamming window, pre-emphasis 0.97,
  512-point power spectrum, 25 unit-area triangular mel filters 130-6800 Hz, natural log, orthonormal DCT-II to 13
  cepstra, lifter 22; batch CMN (the utterance's mean cepstrum removed); the streams c, delta (c[t+2] - c[t-2]) and
  delta-delta (d[t+1] - d[t-1]), edges padded by repeating the first and last frame. The mel energies of white noise
  at NOISE_FLOOR_RMS are added in place of dither; pocketsphinx's spectral noise removal is left out.
- Senone log-likelihood: sum over the three streams of the log mixture of the phone's codebook with the senone's
  weights (all 128 Gaussians, where the decoder keeps its top 4).
- Per base phone the best of its three states, log-softmax over the phones per 10 ms frame, then the log of the
  mean posterior over the 10 ms frames whose window centre falls in each 40 ms motion frame.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
FRAME_SHIFT = 160
WINDOW_LENGTH = 410  # 25.625 ms
FFT_SIZE = 512
PRE_EMPHASIS = 0.97
N_FILTERS = 25
LOWER_HZ, UPPER_HZ = 130.0, 6800.0
N_CEPSTRA = 13
LIFTER = 22
VARIANCE_FLOOR = 1e-4
NOISE_FLOOR_RMS = 10.0  # int16 units, about -70 dBFS
MOTION_HOP = 640  # samples per 25 fps motion frame
# Mixture weights are stored as -log(w) in base 1.0001, shifted right by 10 bits, as unsigned bytes.
MIXW_LOG_UNIT = 1024 * np.log(1.0001)
STATES_PER_PHONE = 3


@dataclass(frozen=True)
class AcousticModel:
    phones: tuple[str, ...]
    means: np.ndarray  # [P, S, K, D] per phone codebook, stream, Gaussian, dimension
    inverse_variances: np.ndarray  # [P, S, K, D]
    log_norms: np.ndarray  # [P, S, K]: -0.5 * sum(log(2 pi var))
    mixture_weights: np.ndarray  # [P, S, K, STATES_PER_PHONE], linear, of each phone's CI senones


def default_model_dir() -> Path:
    import pocketsphinx

    return Path(pocketsphinx.__file__).resolve().parent / "model" / "en-us" / "en-us"


def _read_gaussian_file(path: Path) -> np.ndarray:
    """An s3 parameter file ("s3" text header up to "endhdr", byte-order magic, dimensions, float32 data)."""
    raw = path.read_bytes()
    start = raw.index(b"endhdr\n") + len(b"endhdr\n")
    if struct.unpack("<I", raw[start : start + 4])[0] != 0x11223344:
        raise ValueError(f"{path}: expected a little-endian s3 file (magic 0x11223344)")
    n_codebooks, n_streams, n_gaussians = struct.unpack("<3i", raw[start + 4 : start + 16])
    lengths = struct.unpack(f"<{n_streams}i", raw[start + 16 : start + 16 + 4 * n_streams])
    if len(set(lengths)) != 1:
        raise ValueError(f"{path}: streams of different lengths {lengths} are not supported")
    offset = start + 16 + 4 * n_streams
    (total,) = struct.unpack("<i", raw[offset : offset + 4])
    shape = (n_codebooks, n_streams, n_gaussians, lengths[0])
    if total != int(np.prod(shape)):
        raise ValueError(f"{path}: {total} values where the header gives {shape}")
    return np.frombuffer(raw, "<f4", total, offset + 4).reshape(shape).astype(np.float64)


def _read_mixture_weights(path: Path, n_senones: int) -> np.ndarray:
    """sendump: length-prefixed header strings ended by a 0 length, #Gaussians, #senones, then uint8 [S, K, senones]."""
    raw = path.read_bytes()
    offset = 0
    while True:
        (length,) = struct.unpack("<i", raw[offset : offset + 4])
        offset += 4
        if length == 0:
            break
        if raw[offset : offset + length].startswith(b"cluster_count ") and raw[offset + 14 : offset + length - 1] != b"0":
            raise ValueError(f"{path}: clustered (4-bit) mixture weights are not supported")
        offset += length
    n_gaussians, columns = struct.unpack("<2i", raw[offset : offset + 8])
    if columns != n_senones:
        raise ValueError(f"{path}: {columns} senones where mdef has {n_senones}")
    data = np.frombuffer(raw, np.uint8, offset=offset + 8)
    n_streams = len(data) // (n_gaussians * n_senones)
    return data[: n_streams * n_gaussians * n_senones].reshape(n_streams, n_gaussians, n_senones)


def _read_ci_phones(path: Path) -> tuple[tuple[str, ...], int]:
    """Binary mdef ("BMDF"): the base phone names and the number of senones. CI senone of phone p, state s: 3p + s."""
    raw = path.read_bytes()
    if raw[:4] != b"BMDF":
        raise ValueError(f"{path}: not a binary model definition (BMDF)")
    (description_length,) = struct.unpack("<i", raw[8:12])
    offset = 12 + description_length
    n_ci, _, n_emit, n_ci_senones, n_senones = struct.unpack("<5i", raw[offset : offset + 20])
    if n_emit != STATES_PER_PHONE or n_ci_senones != STATES_PER_PHONE * n_ci:
        raise ValueError(f"{path}: expected {STATES_PER_PHONE} states per phone, got {n_emit} ({n_ci_senones} CI senones)")
    offset += 40
    names = []
    for _ in range(n_ci):
        end = raw.index(b"\0", offset)
        names.append(raw[offset:end].decode("ascii"))
        offset = end + 1
    return tuple(names), n_senones


@lru_cache(maxsize=2)
def load_acoustic_model(model_dir: Path | None = None) -> AcousticModel:
    directory = Path(model_dir) if model_dir else default_model_dir()
    phones, n_senones = _read_ci_phones(directory / "mdef")
    means = _read_gaussian_file(directory / "means")
    variances = np.maximum(_read_gaussian_file(directory / "variances"), VARIANCE_FLOOR)
    if means.shape[0] != len(phones):
        raise ValueError(f"{directory}: {means.shape[0]} codebooks for {len(phones)} phones; not a PTM model")
    quantised = _read_mixture_weights(directory / "sendump", n_senones)[:, :, : STATES_PER_PHONE * len(phones)]
    weights = np.exp(-quantised.astype(np.float64) * MIXW_LOG_UNIT)
    weights /= weights.sum(axis=1, keepdims=True)
    # [S, K, P * 3] -> [P, S, K, 3]
    per_phone = weights.reshape(weights.shape[0], weights.shape[1], len(phones), STATES_PER_PHONE).transpose(2, 0, 1, 3)
    return AcousticModel(
        phones=phones,
        means=means,
        inverse_variances=1.0 / variances,
        log_norms=-0.5 * np.log(2 * np.pi * variances).sum(-1),
        mixture_weights=np.ascontiguousarray(per_phone),
    )


def _mel(hz: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


@lru_cache(maxsize=1)
def _front_end_matrices() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    window = np.hamming(WINDOW_LENGTH)
    edges = _mel_to_hz(np.linspace(_mel(LOWER_HZ), _mel(UPPER_HZ), N_FILTERS + 2))
    bins_hz = np.arange(FFT_SIZE // 2 + 1) * SAMPLE_RATE / FFT_SIZE
    filters = np.zeros((FFT_SIZE // 2 + 1, N_FILTERS))
    for i in range(N_FILTERS):
        left, centre, right = edges[i : i + 3]
        rising = (bins_hz - left) / (centre - left)
        falling = (right - bins_hz) / (right - centre)
        filters[:, i] = np.clip(np.minimum(rising, falling), 0.0, None) * 2.0 / (right - left)
    j = np.arange(N_FILTERS)
    dct = np.cos(np.pi * np.arange(N_CEPSTRA)[:, None] * (j[None, :] + 0.5) / N_FILTERS) * np.sqrt(2.0 / N_FILTERS)
    dct[0] = np.sqrt(1.0 / N_FILTERS)
    lifter = 1.0 + LIFTER / 2.0 * np.sin(np.pi * np.arange(N_CEPSTRA) / LIFTER)
    return window, filters, (dct * lifter[:, None]).T


def _as_int16_scale(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio)
    if np.issubdtype(audio.dtype, np.integer):
        return audio.astype(np.float64)
    return audio.astype(np.float64) * 32768.0


def mfcc(audio: np.ndarray) -> np.ndarray:
    """[N] samples at 16 kHz (int16, or float in [-1, 1]) -> [T, 13] cepstra at 100 frames/s, T >= 1."""
    x = _as_int16_scale(audio)
    x = np.concatenate([x[:1], x[1:] - PRE_EMPHASIS * x[:-1]]) if len(x) else x
    n_frames = max(1 + (len(x) - WINDOW_LENGTH) // FRAME_SHIFT, 1)
    x = np.pad(x, (0, max(0, (n_frames - 1) * FRAME_SHIFT + WINDOW_LENGTH - len(x))))
    window, filters, dct = _front_end_matrices()
    starts = np.arange(n_frames)[:, None] * FRAME_SHIFT
    frames = x[starts + np.arange(WINDOW_LENGTH)[None, :]] * window
    power = np.abs(np.fft.rfft(frames, FFT_SIZE)) ** 2
    return np.log(power @ filters + _noise_floor()) @ dct


@lru_cache(maxsize=1)
def _noise_floor() -> np.ndarray:
    """The expected mel energies of white noise at NOISE_FLOOR_RMS, added to every frame: digital silence then
    looks like the quiet room the model was trained on instead of an energy no recording has."""
    window, filters, _ = _front_end_matrices()
    noise_per_bin = NOISE_FLOOR_RMS**2 * (1.0 + PRE_EMPHASIS**2) * (window**2).sum()
    return noise_per_bin * filters.sum(axis=0)


def feature_streams(cepstra: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch CMN, then the three streams of `1s_c_d_dd`: c, delta and delta-delta."""
    c = cepstra - cepstra.mean(axis=0)
    padded = np.pad(c, ((3, 3), (0, 0)), mode="edge")
    delta = padded[4:] - padded[:-4]  # frames -1 .. T, centred: delta[t + 1] = c[t + 2] - c[t - 2]
    return c, delta[1:-1], delta[2:] - delta[:-2]


def _log_gaussians(model: AcousticModel, stream: int, x: np.ndarray) -> np.ndarray:
    """[T, D] -> [T, P, K] log densities of every phone codebook's Gaussians for one stream, as one product
    [x^2, x, 1] @ [-ivar / 2; mean * ivar; log_norm - sum(mean^2 ivar) / 2]."""
    P, _, K, D = model.means.shape
    mean = model.means[:, stream].reshape(P * K, D)
    ivar = model.inverse_variances[:, stream].reshape(P * K, D)
    constant = model.log_norms[:, stream].reshape(P * K) - 0.5 * (mean * mean * ivar).sum(-1)
    weights = np.concatenate([-0.5 * ivar, mean * ivar, constant[:, None]], axis=1).T
    augmented = np.concatenate([x * x, x, np.ones((len(x), 1))], axis=1)
    return (augmented @ weights).reshape(len(x), P, K)


def phone_log_likelihoods(model: AcousticModel, audio: np.ndarray) -> np.ndarray:
    """[T, P] log-likelihood of each base phone per 10 ms frame: the best of its context-independent states."""
    streams = feature_streams(mfcc(audio))
    senones = 0.0
    for s, x in enumerate(streams):
        log_g = _log_gaussians(model, s, x).transpose(1, 0, 2)  # [P, T, K]
        peak = log_g.max(axis=-1, keepdims=True)
        relative = np.exp((log_g - peak).astype(np.float32))
        mixture = relative @ model.mixture_weights[:, s].astype(np.float32)  # [P, T, 3]
        senones = senones + peak + np.log(np.maximum(mixture, 1e-30))
    return senones.max(axis=-1).T


def log_softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def pool_to_motion_frames(log_posteriors: np.ndarray, n_frames: int) -> np.ndarray:
    """10 ms log-posteriors -> [n_frames, P]: log of the mean posterior over the 10 ms frames whose window centre
    lies in motion frame i (samples [640 i, 640 (i + 1))); a motion frame with none takes the nearest 10 ms frame."""
    centres = np.arange(len(log_posteriors)) * FRAME_SHIFT + WINDOW_LENGTH // 2
    owner = centres // MOTION_HOP
    posteriors = np.exp(log_posteriors)
    sums = np.zeros((n_frames, log_posteriors.shape[1]))
    counts = np.zeros(n_frames)
    inside = owner < n_frames
    np.add.at(sums, owner[inside], posteriors[inside])
    np.add.at(counts, owner[inside], 1)
    empty = counts == 0
    if empty.any():
        motion_centres = (np.flatnonzero(empty) + 0.5) * MOTION_HOP
        nearest = np.abs(centres[None, :] - motion_centres[:, None]).argmin(axis=1)
        sums[empty] = posteriors[nearest]
        counts[empty] = 1
    return np.log(np.maximum(sums / counts[:, None], 1e-30))


def phone_scores(audio: np.ndarray, n_frames: int | None = None, model: AcousticModel | None = None) -> np.ndarray:
    """[n_frames, P] phone log-posteriors at 25 fps (P = the model's base phones, `load_acoustic_model().phones`)."""
    model = model or load_acoustic_model()
    if n_frames is None:
        n_frames = max(-(-len(audio) // MOTION_HOP), 1)
    return pool_to_motion_frames(log_softmax(phone_log_likelihoods(model, audio)), n_frames).astype(np.float32)
