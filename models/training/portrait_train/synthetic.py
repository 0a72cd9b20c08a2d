"""A small synthetic dataset in the layout of the real one (data/index.jsonl + utts/<id>.npz), for tests and for
trying the pipeline end to end before the real data exists. Phones are drawn at random; each phone class has a
fixed random feature prototype, and the motion targets follow the phones (open vowels open the jaw, p/b/m seal
the lips, silence closes the mouth), so a model can learn audio -> mouth quickly.

    python -m portrait_train.synthetic --out /tmp/synth --utterances 60
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .channels import CHANNEL_INDEX, FPS, NUM_CHANNELS
from .features import FEATURE_DIM, SAMPLE_RATE

PHONES = {
    # label: (jaw_open, lips_part, lips_press, mouth_round)
    "sil": (0.0, 0.0, 0.0, 0.0),
    "p": (0.0, 0.0, 1.0, 0.0), "b": (0.0, 0.0, 0.8, 0.0), "m": (0.0, 0.0, 0.7, 0.0),
    "aa": (0.7, 0.5, 0.0, 0.0), "ae": (0.6, 0.5, 0.0, 0.0), "ah": (0.5, 0.4, 0.0, 0.0),
    "iy": (0.15, 0.5, 0.0, 0.0), "uw": (0.2, 0.3, 0.0, 0.8), "s": (0.05, 0.4, 0.0, 0.0),
    "t": (0.1, 0.4, 0.0, 0.0), "k": (0.2, 0.3, 0.0, 0.0), "f": (0.05, 0.2, 0.0, 0.0),
}
SPEECH_PHONES = [p for p in PHONES if p != "sil"]


def _smooth(x: np.ndarray, width: int) -> np.ndarray:
    kernel = np.hanning(width + 2)[1:-1]
    kernel /= kernel.sum()
    pad = width // 2
    padded = np.pad(x, [(pad, pad)] + [(0, 0)] * (x.ndim - 1), mode="edge")
    return np.apply_along_axis(lambda c: np.convolve(c, kernel, mode="valid"), 0, padded)[: len(x)]


def make_utterance(rng: np.random.Generator, prototypes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    labels, spans, t = [], [], 0.0
    for k in range(int(rng.integers(6, 30))):
        if k == 0 or rng.random() < 0.12:
            label, dur = "sil", float(rng.uniform(0.25, 0.6))
        else:
            label, dur = str(rng.choice(SPEECH_PHONES)), float(rng.uniform(0.06, 0.2))
        labels.append(label)
        spans.append((t, t + dur))
        t += dur
    labels.append("sil")
    spans.append((t, t + 0.4))
    seconds = spans[-1][1]
    n = int(np.ceil(seconds * FPS))
    frame_phone = np.empty(n, dtype=object)
    centres = (np.arange(n) + 0.5) / FPS
    for label, (a, b) in zip(labels, spans):
        frame_phone[(centres >= a) & (centres < b)] = label
    frame_phone[frame_phone == None] = "sil"  # noqa: E711
    shape = np.array([PHONES[p] for p in frame_phone], dtype=np.float32)
    envelope = np.where(frame_phone == "sil", 0.0, 0.3 + 0.7 * shape[:, 0] + 0.2 * rng.random(n)).astype(np.float32)
    features = np.stack([prototypes[p] for p in frame_phone]) * (0.5 + envelope[:, None])
    features = (features + 0.1 * rng.standard_normal(features.shape)).astype(np.float32)
    motion = np.zeros((n, NUM_CHANNELS), np.float32)
    motion[:, CHANNEL_INDEX["jaw_open"]] = shape[:, 0]
    motion[:, CHANNEL_INDEX["lips_part"]] = shape[:, 1]
    motion[:, CHANNEL_INDEX["lips_press"]] = shape[:, 2]
    motion[:, CHANNEL_INDEX["mouth_round"]] = shape[:, 3]
    motion[:, :8] = _smooth(motion[:, :8], 3)
    head = _smooth(rng.standard_normal((n, 6)).astype(np.float32), 15) * np.array([6, 4, 2, 0.02, 0.02, 0.02])
    motion[:, CHANNEL_INDEX["head_yaw"] : CHANNEL_INDEX["head_scale"] + 1] = head
    blink = np.zeros(n, np.float32)
    for start in rng.integers(0, n, size=max(1, n // 90)):
        blink[start : start + 3] = 1.0
    motion[:, CHANNEL_INDEX["blink_l"]] = blink
    motion[:, CHANNEL_INDEX["blink_r"]] = blink
    samples = int(seconds * SAMPLE_RATE)
    env_samples = np.repeat(envelope, SAMPLE_RATE // FPS)[:samples]
    env_samples = np.pad(env_samples, (0, samples - len(env_samples)))
    audio = (rng.standard_normal(samples) * env_samples * 3000).clip(-32767, 32767).astype(np.int16)
    return {
        "features": features, "motion": motion, "audio": audio, "envelope": envelope,
        "phone_start_end": np.array(spans, np.float32), "phone_labels": np.array(labels),
    }


def write_dataset(out: Path, utterances: int = 60, seed: int = 0, heldout_fraction: float = 0.2) -> Path:
    rng = np.random.default_rng(seed)
    proto_rng = np.random.default_rng(1234)
    prototypes = {p: proto_rng.standard_normal(FEATURE_DIM).astype(np.float32) for p in PHONES}
    prototypes["sil"] *= 0.1
    (out / "utts").mkdir(parents=True, exist_ok=True)
    rows, hours = [], {}
    for i in range(utterances):
        source = "synthetic" if i % 3 else "asterisk"
        utt = make_utterance(rng, prototypes)
        uid = f"{source}-{i:04d}"
        np.savez(out / "utts" / f"{uid}.npz", **utt)
        seconds = len(utt["audio"]) / SAMPLE_RATE
        split = "heldout" if rng.random() < heldout_fraction else "train"
        rows.append({"id": uid, "source": source, "voice": "synth", "lang": "en", "split": split,
                     "seconds": round(seconds, 3), "file": f"utts/{uid}.npz", "augment": None})
        hours[source] = hours.get(source, 0.0) + seconds / 3600
    if not any(r["split"] == "heldout" for r in rows):
        rows[0]["split"] = "heldout"
    (out / "index.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (out / "stats.json").write_text(json.dumps({"hours_by_source": hours, "synthetic": True}, indent=1))
    (out / "READY").write_text("synthetic\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--utterances", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_dataset(args.out, args.utterances, args.seed)
    print(f"wrote {args.utterances} synthetic utterances to {args.out}")


if __name__ == "__main__":
    main()
