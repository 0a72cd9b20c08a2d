"""One utterance on disk: data/utts/<id>.npz plus its line in data/index.jsonl (format in DATA.md)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .phones import PHONE_SET, PhoneSegment

SOURCES = ("flite", "espeak", "festival", "asterisk", "singing", "vowels")
SPLITS = ("train", "heldout")


@dataclass(frozen=True)
class IndexEntry:
    id: str
    source: str
    voice: str
    lang: str
    split: str
    seconds: float
    file: str
    augment: str | None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def seed_of(name: str) -> int:
    return int(hashlib.sha1(name.encode()).hexdigest()[:8], 16)


def to_int16(audio: np.ndarray) -> np.ndarray:
    return np.round(np.clip(audio, -1.0, 32767 / 32768) * 32768).astype(np.int16)


def save_utterance(path: Path, features: np.ndarray, motion: np.ndarray, audio: np.ndarray,
                   phones: list[PhoneSegment], envelope: np.ndarray) -> None:
    """Write one utterance; `audio` is float in [-1, 1] at 16 kHz (stored as int16)."""
    n = -(-len(audio) // 640)
    if features.shape != (n, 224) or motion.shape != (n, 20) or envelope.shape != (n,):
        raise ValueError(
            f"inconsistent utterance arrays: samples {len(audio)} -> {n} frames, features {features.shape}, "
            f"motion {motion.shape}, envelope {envelope.shape}")
    bad = sorted({p.label for p in phones} - PHONE_SET)
    if bad:
        raise ValueError(f"phone labels outside the common alphabet: {bad}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        features=features.astype(np.float32),
        motion=motion.astype(np.float32),
        audio=to_int16(audio),
        phone_start_end=np.array([[p.start, p.end] for p in phones], np.float32).reshape(-1, 2),
        phone_labels=np.array([p.label for p in phones], dtype="<U3"),
        envelope=envelope.astype(np.float32),
    )
    tmp.replace(path)


def load_utterance(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def phones_of(record: dict[str, np.ndarray]) -> list[PhoneSegment]:
    return [PhoneSegment(float(s), float(e), str(lab)) for (s, e), lab in zip(record["phone_start_end"], record["phone_labels"])]


def read_index(data_dir: Path) -> list[IndexEntry]:
    """The index's rows as entries (fields that some rows add, like a derived copy's `tempo`, are left out)."""
    names = set(IndexEntry.__dataclass_fields__)
    with open(data_dir / "index.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [IndexEntry(**{k: v for k, v in row.items() if k in names}) for row in rows]
