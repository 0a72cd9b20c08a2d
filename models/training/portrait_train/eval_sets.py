"""Evaluation sets of natural-rate speech that the motion model never trains on, built offline by one command:

    python -m portrait_train.eval_sets --out evaldata [--jobs 2] [--per-voice 6]

Sets (each a group of `evaluate --sets` and a clip folder of `eval_clips --sets`):
- `real-slow`: the held-out Asterisk prompts as recorded (slow, clearly articulated phone-menu prompts);
- `real-fast-1.3`, `real-fast-1.5`, `real-fast-1.7`: the same recordings time-compressed with the pitch kept (sox
  WSOLA `tempo -s`), phone times scaled with them: the voice at audiobook and conversational rates;
- `real-fast-revoiced`: the same at 1.5x with the voice warped (formants and pitch x0.87 or x1.15): a speaker the
  model has not heard;
- `tts-fast-unseen`: text-to-speech voices that no training source uses (festival's HTS voice cmu_us_slt_arctic_hts
  and ked_diphone, espeak-ng's en-gb-x-rp, en-gb-scotland, en-029 and en-us-nyc) at fast rates.
Same layout as the training data (DATA.md); every row is `split: heldout` and names its `set`. `stats.json` gives
each set's clips, seconds, phones per second and syllables per second of speech (pauses of 150 ms or more
excluded)."""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from .data import asterisk_source, festival_source, text
from .data.audio_io import normalise_peak, to_16k
from .data.espeak_source import synth_isolated
from .data.jobs import pad, store_derived
from .data.phones import VOWELS, PhoneSegment
from .data.record import seed_of
from .data.tempo import faster, speaking_rate

REAL_TEMPOS = (1.3, 1.5, 1.7)
REVOICE = (0.87, 1.15)
FESTIVAL_UNSEEN = ("cmu_us_slt_arctic_hts", "ked_diphone")
ESPEAK_UNSEEN = ("en-gb-x-rp", "en-gb-scotland", "en-029", "en-us-nyc")


def _real_items() -> list[dict]:
    prompts = [p for p in asterisk_source.read_prompts() if asterisk_source.is_heldout(p.name)]
    return [{"kind": "real", "name": p.name, "text": p.text, "path": str(p.path)} for p in prompts]


def _tts_items(per_voice: int) -> list[dict]:
    rng = random.Random("eval-sets-tts-20261205")
    items = []
    for voice in FESTIVAL_UNSEEN:
        for i in range(per_voice):
            items.append({"kind": "festival", "voice": voice, "name": f"{voice}-{i:02d}",
                          "text": text.pick_text("en", rng, 1, 2), "stretch": round(rng.uniform(0.7, 0.85), 3)})
    for voice in ESPEAK_UNSEEN:
        for i in range(per_voice):
            items.append({"kind": "espeak", "voice": voice, "name": f"{voice}-{i:02d}",
                          "text": text.pick_text("en", rng, 1, 2), "rate": rng.randint(210, 260),
                          "pitch": rng.randint(30, 70)})
    return items


def _clean(audio: np.ndarray, phones: list[PhoneSegment], uid: str) -> tuple[np.ndarray, list[PhoneSegment]]:
    rng = random.Random(seed_of(uid))
    return pad(normalise_peak(audio, rng.uniform(0.3, 0.9)), phones, rng)


def _build(args: tuple[dict, str]) -> tuple[list[dict], str | None]:
    item, out_dir = args
    out = Path(out_dir)
    try:
        if item["kind"] == "real":
            audio = asterisk_source.decode_g722(Path(item["path"]))
            phones = asterisk_source.align(audio, asterisk_source.normalise_words(item["text"]))
            base = "asterisk-" + item["name"].replace("/", "_")
            audio, phones = _clean(audio, phones, base)
            rows = [store_derived(out, base, "asterisk", "allison", "en", "heldout", audio, phones, {"set": "real-slow"})]
            for tempo in REAL_TEMPOS:
                fast, fast_phones = faster(audio, phones, tempo)
                uid = f"{base}~t{round(tempo * 100)}"
                rows.append(store_derived(out, uid, "asterisk", "allison", "en", "heldout", fast, fast_phones,
                                          {"set": f"real-fast-{tempo}", "tempo": tempo}))
            warp = REVOICE[seed_of(base) % len(REVOICE)]
            fast, fast_phones = faster(audio, phones, 1.5, warp)
            uid = f"{base}~t150w{round(warp * 100)}"
            rows.append(store_derived(out, uid, "asterisk", f"allison-warp{warp}", "en", "heldout", fast, fast_phones,
                                      {"set": "real-fast-revoiced", "tempo": 1.5, "warp": warp}))
            return rows, None
        if item["kind"] == "festival":
            job = festival_source.FestivalJob(item["text"], item["stretch"])
            audio, phones = festival_source.synth_batch([job], item["voice"])[0]
        else:
            res = synth_isolated(item["text"], item["voice"], item["rate"], item["pitch"], 50)
            audio, phones = to_16k(res.audio, res.sample_rate), res.phones
        uid = f"unseen-{item['name']}"
        audio, phones = _clean(audio, phones, uid)
        return [store_derived(out, uid, item["kind"], item["voice"], "en", "heldout", audio, phones,
                              {"set": "tts-fast-unseen"})], None
    except Exception as exc:  # a failing item is reported, the others are built
        return [], f"{item['kind']} {item['name']}: {type(exc).__name__}: {exc}"


def set_stats(rows: list[dict], out: Path) -> dict:
    """Per set: clips, seconds, phones/s and syllables/s of speech."""
    from .data.record import load_utterance, phones_of

    acc: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0, 0, 0.0])
    vowels = frozenset(VOWELS)
    for row in rows:
        phones = phones_of(load_utterance(out / row["file"]))
        _, _, speech = speaking_rate(phones, vowels)
        a = acc[row["set"]]
        a[0] += 1
        a[1] += row["seconds"]
        a[2] += sum(p.label != "sil" for p in phones)
        a[3] += sum(p.label in vowels for p in phones)
        a[4] += speech
    return {name: {"clips": a[0], "seconds": round(a[1], 1), "phones_per_second": round(a[2] / a[4], 2),
                   "syllables_per_second": round(a[3] / a[4], 2)} for name, a in sorted(acc.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("evaldata"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--per-voice", type=int, default=6, help="utterances per unseen TTS voice")
    args = parser.parse_args(argv)
    started = time.time()
    (args.out / "utts").mkdir(parents=True, exist_ok=True)
    work = [(item, str(args.out)) for item in _real_items() + _tts_items(args.per_voice)]
    rows: list[dict] = []
    errors: list[str] = []
    with mp.get_context("fork").Pool(args.jobs) as pool:
        for result, error in pool.imap_unordered(_build, work):
            rows += result
            if error:
                errors.append(error)
    rows.sort(key=lambda r: r["id"])
    (args.out / "index.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    stats = {"sets": set_stats(rows, args.out), "errors": errors, "build_seconds": round(time.time() - started, 1)}
    (args.out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps(stats, indent=2))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
