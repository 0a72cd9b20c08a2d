"""Training windows from the utterance dataset (data/index.jsonl + utts/<id>.npz).

Every train-split utterance is loaded once into two RAM tensors (features and normalised motion, each utterance
followed by W frames of padding: audio features of digital silence, motion held at its last frame). A batch is a
vectorised gather of K + W frames per window:
- with probability `first_window_p` the window starts at frame 0 and has no context (prev_keep = 0), like window 0
  at inference;
- otherwise it starts at a random frame s >= K and its context is frames [s - K, s);
- classifier-free dropout: audio_keep = 0 with probability `audio_drop_p`, prev_keep = 0 with `context_drop_p`;
- for a model run by realtime sessions (`LiveWindows`), the window hears only its first hop + look-ahead rows, the
  rest read as silence, and the loss counts the frames past the hop less.
Heldout utterances never enter training.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .channels import CHANNEL_INDEX, NUM_CHANNELS
from .features import FEATURE_DIM, compute_features


def load_index(data_dir: Path) -> list[dict]:
    path = Path(data_dir) / "index.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def current_rows(data_dir: Path) -> list[dict]:
    """index.jsonl plus the entries/*.json of a build still in progress (which rewrites the index as it goes),
    one row per id."""
    rows = {r["id"]: r for r in load_index(data_dir)}
    for path in sorted((Path(data_dir) / "entries").glob("*.json")):
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows.setdefault(row["id"], row)
    return [rows[k] for k in sorted(rows)]


def load_utterance(data_dir: Path, row: dict) -> dict[str, np.ndarray]:
    with np.load(Path(data_dir) / row["file"], allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


@lru_cache(maxsize=1)
def silence_feature() -> np.ndarray:
    """Feature vector of digital silence (what the front-end yields for zero padding past the end of the audio)."""
    return compute_features(np.zeros(2 * 16000, np.float32))[25].copy()


@dataclass(frozen=True)
class MotionStats:
    mean: np.ndarray
    std: np.ndarray

    @staticmethod
    def from_motion(frames: np.ndarray, min_std: float = 1e-3) -> "MotionStats":
        mean = frames.mean(axis=0).astype(np.float64)
        std = frames.std(axis=0).astype(np.float64)
        std = np.where(std < min_std, 1.0, std)
        return MotionStats(mean.astype(np.float32), std.astype(np.float32))

    def normalise(self, motion: np.ndarray) -> np.ndarray:
        return ((motion - self.mean) / self.std).astype(np.float32)

    def denormalise(self, z: np.ndarray) -> np.ndarray:
        return (z * self.std + self.mean).astype(np.float32)


@dataclass
class Batch:
    x0: torch.Tensor  # [B, W, C] normalised motion
    audio: torch.Tensor  # [B, W, F]
    audio_keep: torch.Tensor  # [B]
    prev_motion: torch.Tensor  # [B, K, C]
    prev_keep: torch.Tensor  # [B]
    frame_weight: torch.Tensor | None = None  # [B, W] loss weight per frame (lip closures count more)
    sealed: torch.Tensor | None = None  # [B, W] 1 where the target seals the lips for a p/b/m


CLOSURE_WEIGHT = 3.0


@dataclass(frozen=True)
class LiveWindows:
    """How a realtime session runs the denoiser (docs/realtime.md, "How a session works"): each step denoises a whole
    window starting at the next frame to show, with the rows of its first `hop + lookahead` frames (the audio heard
    so far; the rows past it read as silence), and keeps its first `hop` frames. The loss of the frames past the hop
    is scaled by `rest_weight`: the session never shows them, but they keep the window's motion coherent."""
    hop: int
    lookahead: int
    rest_weight: float = 0.25

    def __post_init__(self) -> None:
        if self.hop < 1 or self.lookahead < 0 or not 0.0 <= self.rest_weight <= 1.0:
            raise ValueError(f"live windows need hop >= 1, lookahead >= 0 and rest_weight in [0, 1], got {self}")


def sealed_frames(motion: np.ndarray) -> np.ndarray:
    """[N] bool: the frames whose target seals the lips for a p/b/m (lips_press >= 0.5)."""
    return motion[:, CHANNEL_INDEX["lips_press"]] >= 0.5


def closure_weights(motion: np.ndarray, weight: float = CLOSURE_WEIGHT) -> np.ndarray:
    """[N] per-frame loss weight: `weight` on frames whose target seals the lips for a p/b/m (lips_press >= 0.5)
    and on the frame either side, 1 elsewhere. A short closure is one or two frames among many open ones; without
    the weight the model can miss it at little cost."""
    sealed = sealed_frames(motion)
    near = sealed.copy()
    near[1:] |= sealed[:-1]
    near[:-1] |= sealed[1:]
    return np.where(near, weight, 1.0).astype(np.float32)


class WindowBank:
    def __init__(self, utterances: list[dict[str, np.ndarray]], stats: MotionStats, window: int, context: int,
                 pad_feature: np.ndarray | None = None):
        if not utterances:
            raise ValueError("no utterances to train on")
        self.window, self.context = window, context
        pad_feature = np.zeros(FEATURE_DIM, np.float32) if pad_feature is None else pad_feature
        self.pad = torch.from_numpy(pad_feature.astype(np.float32))
        feats, motion, weights, sealed, starts, lengths, offset = [], [], [], [], [], [], 0
        for utt in utterances:
            f, m = utt["features"].astype(np.float32), utt["motion"].astype(np.float32)
            n = min(len(f), len(m))
            if n == 0:
                continue
            feats += [f[:n], np.repeat(pad_feature[None], window, axis=0)]
            motion += [stats.normalise(m[:n]), np.repeat(stats.normalise(m[n - 1 : n]), window, axis=0)]
            weights += [closure_weights(m[:n]), np.ones(window, np.float32)]
            sealed += [sealed_frames(m[:n]).astype(np.float32), np.zeros(window, np.float32)]
            starts.append(offset)
            lengths.append(n)
            offset += n + window
        self.features = torch.from_numpy(np.concatenate(feats))
        self.motion = torch.from_numpy(np.concatenate(motion))
        self.frame_weight = torch.from_numpy(np.concatenate(weights))
        self.sealed = torch.from_numpy(np.concatenate(sealed))
        self.starts = np.array(starts, np.int64)
        self.lengths = np.array(lengths, np.int64)
        self.frames = int(self.lengths.sum())

    def sample(self, batch: int, rng: np.random.Generator, first_window_p: float = 0.15,
               audio_drop_p: float = 0.12, context_drop_p: float = 0.1, live: LiveWindows | None = None) -> Batch:
        k, w = self.context, self.window
        utt = rng.choice(len(self.starts), size=batch, p=self.lengths / self.lengths.sum())
        n = self.lengths[utt]
        high = np.maximum(n - min(10, w // 2), k + 1)
        offset = rng.integers(k, high)
        first = (rng.random(batch) < first_window_p) | (n <= k)
        offset = np.where(first, 0, offset)
        base = self.starts[utt] + offset
        idx = torch.from_numpy(base[:, None] + np.arange(w)[None])
        ctx_idx = torch.from_numpy(np.maximum(base[:, None] - k + np.arange(k)[None], 0))
        prev_keep = torch.from_numpy((~first & (rng.random(batch) >= context_drop_p)).astype(np.float32))
        audio_keep = torch.from_numpy((rng.random(batch) >= audio_drop_p).astype(np.float32))
        prev = self.motion[ctx_idx] * prev_keep[:, None, None]
        audio, frame_weight = self.features[idx], self.frame_weight[idx]
        if live is not None:
            audio[:, live.hop + live.lookahead:] = self.pad
            frame_weight[:, live.hop:] *= live.rest_weight
        return Batch(self.motion[idx], audio, audio_keep, prev, prev_keep, frame_weight, self.sealed[idx])


def live_rows_of(live_dir: Path, uid: str, batch_rows: np.ndarray) -> np.ndarray:
    """The rows a realtime session's feature stream makes of utterance `uid` (written by
    packages/audio-features/scripts/live-training-rows.ts), checked against the utterance's batch rows."""
    path = Path(live_dir) / f"{uid}.npy"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no live rows for utterance {uid}; run live-training-rows.ts over the dataset first")
    rows = np.load(path, allow_pickle=False)
    if rows.dtype != np.float32 or rows.shape != batch_rows.shape:
        raise ValueError(f"{path}: live rows must be float32 {batch_rows.shape} like the utterance's features, got {rows.dtype} {rows.shape}")
    return rows


def load_split(data_dir: Path, split: str, max_utterances: int | None = None) -> tuple[list[dict], list[dict]]:
    rows = [r for r in current_rows(data_dir) if r.get("split") == split and (Path(data_dir) / r["file"]).exists()]
    if max_utterances is not None:
        rows = rows[:max_utterances]
    return rows, [load_utterance(data_dir, r) for r in rows]


def check_motion_shape(utt: dict[str, np.ndarray]) -> None:
    if utt["motion"].ndim != 2 or utt["motion"].shape[1] != NUM_CHANNELS:
        raise ValueError(f"motion must be [N, {NUM_CHANNELS}], got {utt['motion'].shape}")
    if utt["features"].ndim != 2 or utt["features"].shape[1] != FEATURE_DIM:
        raise ValueError(f"features must be [N, {FEATURE_DIM}], got {utt['features'].shape}")
