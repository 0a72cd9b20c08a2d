"""Evaluation sets of natural-rate speech that the motion model never trains on, built offline by one command:

    python -m portrait_train.eval_sets --out evaldata [--jobs 2] [--per-voice 6]

Sets (each a group of `evaluate --sets` and a clip folder of `eval_clips --sets`):
- `real-slow`: the held-out Asterisk prompts as recorded (slow, clearly articulated phone-menu prompts);
- `real-fast-1.3`, `real-fast-1.5`, `real-fast-1.7`: the same recordings time-compressed with the pitch kept (sox
  WSOLA `tempo -s`), phone times scaled with them: the voice at audiobook and conversational rates;
- `real-fast-revoiced`: the same at 1.5x with the voice warped (formants and pitch x0.87 or x1.15): a speaker the
  model has not heard;
- `tts-fast-unseen`: text-to-speech voices that no training source uses (festival's HTS voice cmu_us_slt_arctic_hts
  and ked_diphone, espeak-ng's en-gb-x-rp, en-gb-scotland, en-029 and en-us-nyc) at fast rates;
- `real-fr`, `real-it`, `real-ru`, `real-es`: other people's recorded voices, the Asterisk prompts in Canadian
  French (June), Italian (Carlo), Russian and Mexican Spanish (Allison again, in Spanish); phone times from a DTW
  alignment to espeak-ng's reading of the transcript (data/dtw_align.py: about 30 ms median error on bilabials,
  so these sets score pauses well and bilabials roughly);
- `real-slow-dtw`: `real-slow` with phones from the same DTW alignment instead of pocketsphinx: a control that shows
  what the alignment's error costs the scores of the four sets above;
- `tts-fr`: espeak-ng French (a language no training source speaks), exact phone times;
- `sung-high`: sustained sung vowels up to soprano pitch (data/sung_vowels.py, seeds no training song uses): loud
  high notes that sound almost like sines must keep the mouth open.
Same layout as the training data (DATA.md); every row is `split: heldout` and names its `set`. `stats.json` gives
each set's clips, seconds, phones per second and syllables per second of speech (pauses of 150 ms or more
excluded). Re-running reuses the items already built (`entries/`)."""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from .data import asterisk_source, festival_source, sung_vowels, text
from .data.audio_io import to_16k
from .data.dtw_align import align_by_synthesis
from .data.espeak_source import synth_isolated
from .data.jobs import at_rest, store_derived
from .data.phones import VOWELS
from .data.record import load_utterance, phones_of, seed_of
from .data.tempo import faster, pooled_rate

REAL_TEMPOS = (1.3, 1.5, 1.7)
REVOICE = (0.87, 1.15)
FESTIVAL_UNSEEN = ("cmu_us_slt_arctic_hts", "ked_diphone")
ESPEAK_UNSEEN = ("en-gb-x-rp", "en-gb-scotland", "en-029", "en-us-nyc")
# language -> (espeak-ng voice for the alignment, prompts per set)
OTHER_LANGUAGES = {"fr": ("fr", 30), "it": ("it", 30), "ru": ("ru", 30), "es": ("es-419", 30)}


def _real_items() -> list[dict]:
    prompts = [p for p in asterisk_source.read_prompts() if asterisk_source.is_heldout(p.name)]
    return [{"kind": "real", "name": p.name, "text": p.text, "path": str(p.path)} for p in prompts]


def _other_language_prompts(lang: str) -> list[asterisk_source.Prompt]:
    """Prompts of the language's Asterisk sounds, at least 4 words, in a fixed pseudo-random order."""
    prompts = asterisk_source.read_prompts(Path(f"/usr/share/asterisk/sounds/{lang}"),
                                           Path(f"/usr/share/doc/asterisk-core-sounds-{lang}/core-sounds-{lang}.txt.gz"))
    prompts = [p for p in prompts if len(p.text.split()) >= 4]
    return sorted(prompts, key=lambda p: seed_of(f"{lang}/{p.name}"))


def _dtw_control_items() -> list[dict]:
    """The held-out English prompts again, to be aligned by the same DTW as the other languages."""
    return [{**item, "kind": "real-dtw", "voice": "en-us"} for item in _real_items()]


def _other_language_items() -> list[dict]:
    items = []
    for lang, (voice, count) in OTHER_LANGUAGES.items():
        prompts = _other_language_prompts(lang)
        items += [{"kind": "real-other", "lang": lang, "voice": voice, "name": f"{lang}-{p.name.replace('/', '_')}",
                   "text": p.text, "path": str(p.path)} for p in prompts[:count]]
        if lang == "fr":
            items += [{"kind": "espeak", "voice": voice, "lang": "fr", "set": "tts-fr", "name": f"fr-tts-{i:02d}",
                       "text": p.text, "rate": 150 + 7 * (i % 10), "pitch": 40 + 3 * (i % 10)}
                      for i, p in enumerate(prompts[count : 2 * count])]
    return items


def _song_items(count: int = 12) -> list[dict]:
    rng = random.Random("eval-sets-songs-20261205")
    return [{"kind": "vowels", "name": f"sung-{i:02d}", "seed": rng.randrange(2**31) + 2**31, "notes": rng.randint(5, 8),
             "low": round(rng.uniform(180, 330), 1), "high": 1050.0} for i in range(count)]


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


def _build(args: tuple[dict, str]) -> tuple[list[dict], str | None]:
    """Build one item, or reuse it when its entry exists (an interrupted or extended build resumes)."""
    item, out_dir = args
    marker = Path(out_dir) / "entries" / f"{item['kind']}-{item['name'].replace('/', '_')}.json"
    if marker.exists():
        return [json.loads(line) for line in marker.read_text().splitlines() if line.strip()], None
    rows, error = _build_item(item, Path(out_dir))
    if error is None:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    return rows, error


def _build_item(item: dict, out: Path) -> tuple[list[dict], str | None]:
    try:
        if item["kind"] == "real":
            audio = asterisk_source.decode_g722(Path(item["path"]))
            phones = asterisk_source.align(audio, asterisk_source.normalise_words(item["text"]))
            base = "asterisk-" + item["name"].replace("/", "_")
            audio, phones = at_rest(audio, phones, base)
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
        if item["kind"] == "real-dtw":
            base = "asterisk-" + item["name"].replace("/", "_")
            audio = asterisk_source.decode_g722(Path(item["path"]))
            audio, _ = at_rest(audio, [], base)  # the same padding as real-slow
            phones = align_by_synthesis(audio, item["text"], item["voice"])
            return [store_derived(out, f"{base}~dtw", "asterisk", "allison", "en", "heldout", audio, phones,
                                  {"set": "real-slow-dtw", "alignment": "dtw"})], None
        if item["kind"] == "real-other":
            audio = asterisk_source.decode_g722(Path(item["path"]))
            phones = align_by_synthesis(audio, item["text"], item["voice"])
            uid = f"asterisk-{item['name']}"
            audio, phones = at_rest(audio, phones, uid)
            return [store_derived(out, uid, "asterisk", f"asterisk-{item['lang']}", item["lang"], "heldout", audio,
                                  phones, {"set": f"real-{item['lang']}", "alignment": "dtw"})], None
        if item["kind"] == "vowels":
            audio, phones = sung_vowels.song(np.random.default_rng(item["seed"]), item["notes"], item["low"], item["high"])
            uid = f"unseen-{item['name']}"
            audio, phones = at_rest(audio, phones, uid)
            return [store_derived(out, uid, "vowels", "additive", "-", "heldout", audio, phones, {"set": "sung-high"})], None
        if item["kind"] == "festival":
            job = festival_source.FestivalJob(item["text"], item["stretch"])
            audio, phones = festival_source.synth_batch([job], item["voice"])[0]
        else:
            res = synth_isolated(item["text"], item["voice"], item["rate"], item["pitch"], 50)
            audio, phones = to_16k(res.audio, res.sample_rate), res.phones
        uid = f"unseen-{item['name']}"
        audio, phones = at_rest(audio, phones, uid)
        return [store_derived(out, uid, item["kind"], item["voice"], item.get("lang", "en"), "heldout", audio, phones,
                              {"set": item.get("set", "tts-fast-unseen")})], None
    except Exception as exc:  # a failing item is reported, the others are built
        return [], f"{item['kind']} {item['name']}: {type(exc).__name__}: {exc}"


def set_stats(rows: list[dict], out: Path) -> dict:
    """Per set: clips, seconds, phones/s and syllables/s of speech."""
    by_set: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_set[row["set"]].append(row)
    stats = {}
    for name, members in sorted(by_set.items()):
        phones_s, syllables_s, _ = pooled_rate([phones_of(load_utterance(out / r["file"])) for r in members],
                                               frozenset(VOWELS))
        stats[name] = {"clips": len(members), "seconds": round(sum(r["seconds"] for r in members), 1),
                       "phones_per_second": round(phones_s, 2), "syllables_per_second": round(syllables_s, 2)}
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("evaldata"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--per-voice", type=int, default=6, help="utterances per unseen TTS voice")
    args = parser.parse_args(argv)
    started = time.time()
    (args.out / "utts").mkdir(parents=True, exist_ok=True)
    work = [(item, str(args.out)) for item in _real_items() + _tts_items(args.per_voice) + _other_language_items()
                                      + _dtw_control_items() + _song_items()]
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
