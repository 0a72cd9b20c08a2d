"""Writes held-out utterances of a built dataset as NAME.wav + NAME.phones.json, the clip folder that the render
evaluation (`npm run eval:render`) reads.

    python -m portrait_train.eval_clips --data data --out DIR [--source asterisk] [--limit 12] [--min-seconds 1.5]
"""
from __future__ import annotations

import argparse
import json
import wave
from pathlib import Path

import numpy as np


def export_clips(data: Path, out: Path, source: str, limit: int, min_seconds: float) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    with open(data / "index.jsonl", encoding="utf-8") as index:
        entries = [json.loads(line) for line in index if line.strip()]
    for entry in entries:
        if len(names) >= limit:
            break
        if entry["split"] != "heldout" or entry["source"] != source or entry.get("augment") or entry["seconds"] < min_seconds:
            continue
        utt = np.load(data / entry["file"], allow_pickle=False)
        audio = np.asarray(utt["audio"], dtype=np.int16)
        with wave.open(str(out / f"{entry['id']}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(audio.tobytes())
        phones = [
            {"phone": str(label), "start": float(span[0]), "end": float(span[1])}
            for label, span in zip(utt["phone_labels"], utt["phone_start_end"])
        ]
        (out / f"{entry['id']}.phones.json").write_text(json.dumps(phones), encoding="utf-8")
        names.append(entry["id"])
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--source", default="asterisk")
    parser.add_argument("--limit", type=int, default=12)
    parser.add_argument("--min-seconds", type=float, default=1.5)
    args = parser.parse_args()
    names = export_clips(args.data, args.out, args.source, args.limit, args.min_seconds)
    print(f"wrote {len(names)} clips to {args.out}")


if __name__ == "__main__":
    main()
