"""Motion targets (models/SPEC.md channels) from phones and audio: coarticulated visemes for the mouth, prosody
for head and brows, blinks and gaze. See models/training/TARGETS.md."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..channels import CHANNEL_INDEX, NUM_CHANNELS
from ..data.phones import PhoneSegment
from .eyes import blinks, gaze
from .mouth import mouth_targets
from .prosody import envelope, envelope_db, head_and_brows, mood_smile, pitch, speaking_mask
from .timeline import frame_count
from .visemes import MOUTH

__all__ = ["build_targets", "envelope"]


def build_targets(phones: Sequence[PhoneSegment], clean_audio: np.ndarray, seed: int) -> np.ndarray:
    """[ceil(samples / 640), 20] float32 motion for 16 kHz clean audio and its phones; seeded per utterance."""
    n = frame_count(len(clean_audio))
    rng = np.random.default_rng(seed)
    env = envelope(clean_audio, n)
    env_db = envelope_db(env)
    f0, voiced = pitch(clean_audio, n)
    speaking = speaking_mask(phones, n)
    motion = np.zeros((n, NUM_CHANNELS), np.float32)
    mouth = mouth_targets(phones, n, env_db)
    for c, name in enumerate(MOUTH):
        motion[:, CHANNEL_INDEX[name]] = mouth[:, c]
    motion[:, CHANNEL_INDEX["smile"]] = mood_smile(rng, n)
    for name, values in head_and_brows(env_db, f0, voiced, speaking, rng).items():
        motion[:, CHANNEL_INDEX[name]] = values
    pauses = [s.start for s in phones if s.label == "sil" and s.end - s.start >= 0.2 and s.start > 0.0]
    left, right, _ = blinks(rng, n, pauses)
    motion[:, CHANNEL_INDEX["blink_l"]] = left
    motion[:, CHANNEL_INDEX["blink_r"]] = right
    gx, gy = gaze(rng, n, speaking)
    motion[:, CHANNEL_INDEX["gaze_x"]] = gx
    motion[:, CHANNEL_INDEX["gaze_y"]] = gy
    return motion
