"""Audio front-end `oww-mel-emb-v1` (models/SPEC.md): per-frame features at 25 fps through the same ONNX models
that the engine runs, so training and inference see identical features."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .paths import AUDIO_MODELS_DIR

SAMPLE_RATE = 16000
HOP = 160
SAMPLES_PER_FRAME = 640
PAD_BEFORE = 76 * HOP + 256
PAD_AFTER = 24 * HOP + 512
MEL_OFFSET = 76
EMB_WINDOW = 76
LOOKAHEAD_MEL = 16
EMB_DIM = 96
MEL_BINS = 32
FEATURE_DIM = EMB_DIM + 4 * MEL_BINS


@lru_cache(maxsize=4)
def _session(path: str) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def frame_count(num_samples: int) -> int:
    return -(-num_samples // SAMPLES_PER_FRAME)


def log_mel(samples: np.ndarray, models_dir: Path = AUDIO_MODELS_DIR) -> np.ndarray:
    """Mel frames of the padded signal, transformed as openWakeWord does; row i + 76 is centred at i * 10 ms."""
    scaled = np.asarray(samples, dtype=np.float32) * 32768.0
    padded = np.concatenate([np.zeros(PAD_BEFORE, np.float32), scaled, np.zeros(PAD_AFTER, np.float32)])
    session = _session(str(models_dir / "melspectrogram.onnx"))
    mel = session.run(None, {"input": padded[None, :]})[0]
    return (mel.reshape(-1, MEL_BINS) / 10.0 + 2.0).astype(np.float32)


def compute_features(samples: np.ndarray, models_dir: Path = AUDIO_MODELS_DIR, batch: int = 256) -> np.ndarray:
    """[frame_count(len(samples)), 224] float32 features for 16 kHz mono float32 samples in [-1, 1]."""
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim != 1:
        raise ValueError(f"samples must be 1-D mono audio, got shape {samples.shape}")
    n_frames = frame_count(len(samples))
    mel = log_mel(samples, models_dir)
    centres = 4 * np.arange(n_frames) + 2 + MEL_OFFSET
    ends = centres + LOOKAHEAD_MEL
    windows = np.stack([mel[e - EMB_WINDOW + 1 : e + 1] for e in ends]) if n_frames else np.zeros((0, 76, 32), np.float32)
    session = _session(str(models_dir / "embedding_model.onnx"))
    emb = np.zeros((n_frames, EMB_DIM), np.float32)
    for start in range(0, n_frames, batch):
        chunk = windows[start : start + batch][..., None]
        emb[start : start + len(chunk)] = session.run(None, {"input_1": chunk})[0].reshape(-1, EMB_DIM)
    local = np.stack([mel[c - 4 : c + 4] for c in centres]) if n_frames else np.zeros((0, 8, 32), np.float32)
    pairs = local.reshape(n_frames, 4, 2, MEL_BINS).mean(axis=2).reshape(n_frames, 4 * MEL_BINS)
    return np.concatenate([emb, pairs], axis=1).astype(np.float32)
