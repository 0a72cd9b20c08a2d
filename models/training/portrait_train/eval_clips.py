"""Writes held-out utterances as NAME.wav + NAME.phones.json + NAME.target.json (the head motion of the targets),
the clip folders that the render evaluation (`npm run eval:render`) reads.

    python -m portrait_train.eval_clips --data data --out DIR [--source asterisk] [--limit 12] [--min-seconds 1.5]
    python -m portrait_train.eval_clips --sets evaldata --out DIR [--limit 12]   # one folder per evaluation set
"""
from __future__ import annotations

import argparse
import json
import wave
from pathlib import Path

import numpy as np

from .metrics import head_motion_std


def export_clips(data: Path, out: Path, source: str | None, limit: int, min_seconds: float,
                 set_name: str | None = None) -> list[str]:
    """Clips of `source` (or of evaluation set `set_name`) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    with open(data / "index.jsonl", encoding="utf-8") as index:
        entries = [json.loads(line) for line in index if line.strip()]
    for entry in entries:
        if len(names) >= limit:
            break
        wanted = entry.get("set") == set_name if set_name is not None else entry["source"] == source
        if entry["split"] != "heldout" or not wanted or entry.get("augment") or entry["seconds"] < min_seconds:
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
        head = {name.split("_")[1]: std for name, std in head_motion_std([utt["motion"]]).items()}
        (out / f"{entry['id']}.target.json").write_text(json.dumps({"headStd": head}), encoding="utf-8")
        names.append(entry["id"])
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="training data: its held-out utterances of --source")
    parser.add_argument("--sets", type=Path, help="evaluation sets (portrait_train.eval_sets): one folder per set")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--source", default="asterisk")
    parser.add_argument("--limit", type=int, default=12)
    parser.add_argument("--min-seconds", type=float, default=1.5)
    args = parser.parse_args()
    if args.sets is not None:
        stats = json.loads((args.sets / "stats.json").read_text())
        for set_name in stats["sets"]:
            names = export_clips(args.sets, args.out / set_name, None, args.limit, args.min_seconds, set_name)
            print(f"wrote {len(names)} clips to {args.out / set_name}")
        return
    if args.data is None:
        parser.error("--data or --sets is required")
    names = export_clips(args.data, args.out, args.source, args.limit, args.min_seconds)
    print(f"wrote {len(names)} clips to {args.out}")


if __name__ == "__main__":
    main()
