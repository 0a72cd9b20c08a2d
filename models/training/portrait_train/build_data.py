"""Build the training dataset offline: `python -m portrait_train.build_data --out data [--limit-minutes N] [--jobs 2]`.

Writes OUT/index.jsonl, OUT/utts/<id>.npz, OUT/stats.json (format in models/training/DATA.md). Re-running reuses
utterances already written (OUT/entries/<id>.json marks a finished plan item)."""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from .data.derive import derive_plan, is_derived, run_derive, voice_plan
from .data.jobs import Job, retarget, run_job
from .data.plan import make_plan


def _work(args: tuple[Job, str]) -> tuple[list[dict], str | None]:
    job, out = args
    try:
        return run_job(job, Path(out)), None
    except Exception as exc:  # one failing utterance must not stop the build; it is reported
        return [], f"{job.source} {[it['id'] for it in job.items]}: {type(exc).__name__}: {exc}"


def write_index(out: Path, entries: list[dict], started: float) -> dict:
    entries = sorted(entries, key=lambda e: e["id"])
    tmp = out / "index.jsonl.tmp"
    tmp.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
    tmp.replace(out / "index.jsonl")
    hours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    for e in entries:
        key = e["split"] + ("-augmented" if e["augment"] is not None else "-derived" if is_derived(e) else "")
        hours[e["source"]][key] += e["seconds"] / 3600
        counts[e["source"]] += 1
    stats = {
        "utterances": len(entries),
        "hours_total": round(sum(e["seconds"] for e in entries) / 3600, 4),
        "hours_clean": round(sum(e["seconds"] for e in entries if e["augment"] is None and not is_derived(e)) / 3600, 4),
        "hours": {s: {k: round(v, 4) for k, v in d.items()} for s, d in sorted(hours.items())},
        "utterances_per_source": dict(sorted(counts.items())),
        "build_seconds": round(time.time() - started, 1),
    }
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return stats


def _derive_work(args: tuple[dict, str]) -> tuple[list[dict], str | None]:
    item, out = args
    try:
        return run_derive(item, Path(out)), None
    except Exception as exc:  # reported like a failing utterance
        return [], f"derive {item['id']}: {type(exc).__name__}: {exc}"


def _retarget_work(args: tuple[str, list[str], str]) -> str | None:
    clean_id, ids, out = args
    try:
        retarget(clean_id, ids, Path(out))
        return None
    except Exception as exc:
        return f"{clean_id}: {type(exc).__name__}: {exc}"


def retarget_all(out: Path, jobs: int) -> int:
    started = time.time()
    groups: dict[str, list[str]] = defaultdict(list)
    for line in (out / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        clean = entry["id"] if entry["augment"] is None else entry["id"][: -len(entry["augment"]) - 1]
        groups[clean].append(entry["id"])
    work = [(k, v, str(out)) for k, v in sorted(groups.items())]
    with mp.get_context("fork").Pool(jobs) as pool:
        errors = [e for e in pool.imap_unordered(_retarget_work, work, chunksize=8) if e]
    for e in errors:
        print("error:", e, file=sys.stderr)
    print(f"retargeted {len(work)} utterance groups in {time.time() - started:.0f} s, {len(errors)} errors")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data"))
    parser.add_argument("--limit-minutes", type=float, default=None, help="cap on clean minutes (scales every source)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-derive", dest="derive", action="store_false",
                        help="skip the faster and re-voiced copies of train utterances (data/derive.py)")
    parser.add_argument("--more-voices", action="store_true",
                        help="also the voice copies and the espeak-v block (DATA.md, 'Voice copies'; they did not help)")
    parser.add_argument("--retarget", action="store_true",
                        help="only recompute the motion targets of an existing OUT (after changing portrait_train.targets)")
    args = parser.parse_args(argv)
    if args.retarget:
        return retarget_all(args.out, args.jobs)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    started = time.time()
    out = args.out
    (out / "utts").mkdir(parents=True, exist_ok=True)
    plan = make_plan(args.limit_minutes, args.more_voices)
    print(f"plan: {len(plan)} jobs", flush=True)
    entries: list[dict] = []
    errors: list[str] = []
    work = [(job, str(out)) for job in plan]
    with mp.get_context("fork").Pool(args.jobs, maxtasksperchild=200) as pool:
        for i, (result, error) in enumerate(pool.imap_unordered(_work, work, chunksize=1)):
            entries.extend(result)
            if error:
                errors.append(error)
                print("error:", error, file=sys.stderr, flush=True)
            if (i + 1) % 100 == 0:
                stats = write_index(out, entries, started)
                print(f"{i + 1}/{len(plan)} jobs, {stats['hours_total']:.2f} h, {time.time() - started:.0f} s", flush=True)
        derived = derive_plan(entries) + (voice_plan(entries) if args.more_voices else []) if args.derive else []
        print(f"derive: {len(derived)} faster, re-voiced or other-voice copies", flush=True)
        for i, (result, error) in enumerate(pool.imap_unordered(_derive_work, [(d, str(out)) for d in derived])):
            entries.extend(result)
            if error:
                errors.append(error)
                print("error:", error, file=sys.stderr, flush=True)
            if (i + 1) % 200 == 0:
                print(f"derive {i + 1}/{len(derived)}, {time.time() - started:.0f} s", flush=True)
    stats = write_index(out, entries, started)
    stats["errors"] = errors
    (out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps(stats, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
