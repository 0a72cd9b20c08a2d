"""Faster and re-voiced copies of train utterances: the speaking rates and voices that users bring.

The real recordings and most TTS voices speak slowly (3-4 syllables/s); natural read speech runs at 5-6. Each copy
is the clean utterance time-compressed with its pitch kept (`tempo`), and for some copies its voice warped
(formants and pitch, `warp`), with its phones moved along: its targets come from its own phones, so every short
bilabial of fast speech has its closure in the targets. A copy is an utterance of its own (`augment` null, id
`<clean id>~t<tempo x 100>[w<warp x 100>]`), so `--retarget` recomputes it from its own audio and phones."""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

from .jobs import store_derived
from .record import load_utterance, phones_of, seed_of
from .tempo import faster, other_voice

# source -> (copies per utterance, probability of each copy, tempo range, probability that a copy is re-voiced)
POLICY: dict[str, tuple[int, float, tuple[float, float], float]] = {
    "asterisk": (2, 1.0, (1.2, 1.8), 0.5),
    "flite": (1, 0.4, (1.15, 1.6), 0.5),
    "festival": (1, 0.4, (1.15, 1.6), 0.5),
    "espeak": (1, 0.3, (1.1, 1.5), 0.4),
    "singing": (1, 0.15, (1.1, 1.3), 0.0),
}
WARPS = ((0.85, 0.95), (1.06, 1.18))

# source -> (copies per utterance, probability of each copy, tempo range)
VOICE_POLICY: dict[str, tuple[int, float, tuple[float, float]]] = {
    "asterisk": (3, 1.0, (1.15, 1.8)),
    "flite": (1, 0.6, (1.1, 1.6)),
    "festival": (1, 0.6, (1.1, 1.6)),
    "espeak": (1, 0.5, (1.0, 1.5)),
}
VOICE_WARPS = ((0.8, 0.94), (1.06, 1.25))
VOICE_SEMITONES = 5.0
VOICE_BAND_GAIN_DB = 8.0
VOICE_TILT = 0.5


def is_derived(row: dict) -> bool:
    """Whether an index row is a derived copy (it names its `tempo`)."""
    return "tempo" in row


def _clean_train_rows(rows: list[dict], policies: dict) -> Iterator[tuple[dict, tuple]]:
    """The clean train rows (neither augmented nor derived) whose source has a policy, by id: (row, policy)."""
    for row in sorted(rows, key=lambda r: r["id"]):
        if row["split"] != "train" or row.get("augment") is not None or is_derived(row):
            continue
        policy = policies.get(row["source"])
        if policy is not None:
            yield row, policy


def _warp(rng: random.Random) -> float:
    lo, hi = WARPS[rng.randrange(len(WARPS))]
    return round(rng.uniform(lo, hi), 2)


def derive_plan(rows: list[dict]) -> list[dict]:
    """Copies to make of the clean train rows: [{id, of, source, voice, lang, tempo, warp}], deterministic."""
    plan = []
    for row, (copies, chance, (lo, hi), revoice) in _clean_train_rows(rows, POLICY):
        rng = random.Random(seed_of(row["id"] + "~derive"))
        for _ in range(copies):
            if rng.random() >= chance:
                continue
            tempo = round(rng.uniform(lo, hi), 2)
            warp = _warp(rng) if rng.random() < revoice else 1.0
            uid = f"{row['id']}~t{round(tempo * 100)}" + ("" if warp == 1.0 else f"w{round(warp * 100)}")
            if any(item["id"] == uid for item in plan[-copies:]):
                continue
            plan.append({"id": uid, "of": row["file"], "source": row["source"], "voice": row["voice"],
                         "lang": row["lang"], "tempo": tempo, "warp": warp})
    return plan


def _voice_params(rng: random.Random, tempo_range: tuple[float, float]) -> dict:
    lo, hi = VOICE_WARPS[rng.randrange(len(VOICE_WARPS))]
    bands = [(round(rng.uniform(250, 4000)), round(rng.uniform(-VOICE_BAND_GAIN_DB, VOICE_BAND_GAIN_DB), 1))
             for _ in range(rng.randint(1, 3))]
    return {"tempo": round(rng.uniform(*tempo_range), 2), "warp": round(rng.uniform(lo, hi), 2),
            "semitones": round(rng.uniform(-VOICE_SEMITONES, VOICE_SEMITONES), 1), "bands": bands,
            "tilt": round(rng.uniform(-VOICE_TILT, VOICE_TILT), 2)}


def voice_plan(rows: list[dict]) -> list[dict]:
    """Voice copies of the clean train rows: [{id, of, source, voice, lang, tempo, warp, semitones, bands, tilt}],
    deterministic."""
    plan = []
    for row, (copies, chance, tempo_range) in _clean_train_rows(rows, VOICE_POLICY):
        rng = random.Random(seed_of(row["id"] + "~voice"))
        for n in range(copies):
            if rng.random() >= chance:
                continue
            plan.append({"id": f"{row['id']}~v{n}", "of": row["file"], "source": row["source"], "voice": row["voice"],
                         "lang": row["lang"], **_voice_params(rng, tempo_range)})
    return plan


def run_derive(item: dict, out_dir: Path) -> list[dict]:
    """Write one copy (or reuse it when its entry exists); returns its index row."""
    marker = out_dir / "entries" / f"{item['id']}.json"
    if marker.exists():
        return [json.loads(marker.read_text())]
    clean = load_utterance(out_dir / item["of"])
    audio = clean["audio"].astype("float32") / 32768.0
    if "semitones" in item:
        fast, phones = other_voice(audio, phones_of(clean), item["tempo"], item["warp"], item["semitones"],
                                   [tuple(band) for band in item["bands"]], item["tilt"])
        extra = {key: item[key] for key in ("tempo", "warp", "semitones", "bands", "tilt")}
    else:
        fast, phones = faster(audio, phones_of(clean), item["tempo"], item["warp"])
        extra = {"tempo": item["tempo"], "warp": item["warp"]}
    row = store_derived(out_dir, item["id"], item["source"], item["voice"], item["lang"], "train", fast, phones, extra)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(row, sort_keys=True) + "\n")
    return [row]
