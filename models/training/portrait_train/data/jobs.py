"""Build jobs: each turns a plan item into clean audio + phones, then writes the clean utterance and its
augmented copies (features from the augmented audio, targets and envelope from the clean one)."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..features import compute_features
from ..targets import build_targets, envelope
from . import asterisk_source, augment, festival_source, flite_source, sung_vowels, text
from .audio_io import normalise_peak, to_16k
from .espeak_source import synth_isolated
from .phones import PhoneSegment, fill_silence
from .record import IndexEntry, load_utterance, phones_of, save_utterance, seed_of, to_int16

@dataclass
class Job:
    """One unit of work (a festival job carries several utterances)."""
    source: str
    items: list[dict] = field(default_factory=list)  # each: id, voice, lang, split, augments, params


def pad(audio: np.ndarray, phones: list[PhoneSegment], rng: random.Random) -> tuple[np.ndarray, list[PhoneSegment]]:
    """Random leading/trailing silence (0.1-0.6 s) so utterances start and end at rest."""
    before, after = int(rng.uniform(0.1, 0.6) * 16000), int(rng.uniform(0.1, 0.6) * 16000)
    out = np.concatenate([np.zeros(before, np.float32), audio, np.zeros(after, np.float32)])
    shift = before / 16000.0
    moved = [PhoneSegment(p.start + shift, p.end + shift, p.label) for p in phones]
    return out, fill_silence(moved, len(out) / 16000.0)


def at_rest(audio: np.ndarray, phones: list[PhoneSegment], uid: str) -> tuple[np.ndarray, list[PhoneSegment]]:
    """Peak-normalised to a random 0.3..0.9 and padded with silence (`pad`), seeded by the utterance id."""
    rng = random.Random(seed_of(uid))
    return pad(normalise_peak(audio, rng.uniform(0.3, 0.9)), phones, rng)


def as_stored(audio: np.ndarray, phones: list[PhoneSegment]) -> tuple[np.ndarray, list[PhoneSegment]]:
    """Audio and phones exactly as stored (int16 audio, float32 phone times): targets made from them are the ones
    `--retarget` reproduces."""
    audio = to_int16(audio).astype(np.float32) / 32768.0
    return audio, [PhoneSegment(float(np.float32(p.start)), float(np.float32(p.end)), p.label) for p in phones]


def synthesise(job: Job) -> list[tuple[dict, np.ndarray, list[PhoneSegment]]]:
    out = []
    if job.source == "festival":
        jobs = [festival_source.FestivalJob(**it["params"]) for it in job.items]
        for it, (audio, phones) in zip(job.items, festival_source.synth_batch(jobs, job.items[0]["voice"])):
            out.append((it, audio, phones))
        return out
    for it in job.items:
        p = it["params"]
        if job.source == "flite":
            audio, phones = flite_source.synth(p["text"], it["voice"], p["stretch"], p.get("f0_mean"))
        elif job.source in ("espeak", "singing"):
            res = synth_isolated(p["text"], it["voice"], p["rate"], p["pitch"], p["range"], ssml=job.source == "singing")
            audio, phones = to_16k(res.audio, res.sample_rate), res.phones
        elif job.source == "vowels":
            audio, phones = sung_vowels.song(np.random.default_rng(p["seed"]), p["notes"], p["low"], p["high"])
        elif job.source == "asterisk":
            audio = asterisk_source.decode_g722(Path(p["path"]))
            phones = asterisk_source.align(audio, asterisk_source.normalise_words(p["text"]))
        else:
            raise ValueError(f"unknown source {job.source!r}")
        out.append((it, audio, phones))
    return out


def run_job(job: Job, out_dir: Path) -> list[dict]:
    """Write every utterance of the job; returns index entries as dicts. Already written entries are reused."""
    entries_dir = out_dir / "entries"
    done = [entries_dir / f"{it['id']}.json" for it in job.items]
    if all(p.exists() for p in done):
        return [json.loads(line) for p in done for line in p.read_text().splitlines() if line.strip()]
    results = []
    for it, audio, phones in synthesise(job):
        audio, phones = as_stored(*at_rest(audio, phones, it["id"]))
        motion = build_targets(phones, audio, seed_of(it["id"]))
        env = envelope(audio, len(motion))
        lines = []
        for kind in [None] + list(it["augments"]):
            uid = it["id"] if kind is None else f"{it['id']}-{kind}"
            noisy = audio if kind is None else augment.apply(audio, kind, np.random.default_rng(seed_of(uid)))
            noisy = np.clip(noisy, -1.0, 1.0).astype(np.float32)
            feats = compute_features(noisy)
            save_utterance(out_dir / "utts" / f"{uid}.npz", feats, motion, noisy, phones, env)
            entry = IndexEntry(uid, job.source, it["voice"], it["lang"], it["split"], round(len(noisy) / 16000, 3),
                               f"utts/{uid}.npz", kind)
            lines.append(entry.to_json())
            results.append(json.loads(entry.to_json()))
        entries_dir.mkdir(parents=True, exist_ok=True)
        (entries_dir / f"{it['id']}.json").write_text("\n".join(lines) + "\n")
    return results


def retarget(clean_id: str, ids: list[str], out_dir: Path) -> None:
    """Recompute the motion of a clean utterance and its augmented copies from the stored clean audio and phones
    (after a change of the target model, without re-synthesising or recomputing features)."""
    clean = load_utterance(out_dir / "utts" / f"{clean_id}.npz")
    motion = build_targets(phones_of(clean), clean["audio"].astype(np.float32) / 32768.0, seed_of(clean_id))
    for uid in ids:
        path = out_dir / "utts" / f"{uid}.npz"
        record = clean if uid == clean_id else load_utterance(path)
        if record["motion"].shape != motion.shape:
            raise ValueError(f"{uid}: motion shape {record['motion'].shape} differs from the clean {motion.shape}")
        record = dict(record, motion=motion.astype(np.float32))
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **record)
        tmp.replace(path)



def store_derived(out_dir: Path, uid: str, source: str, voice: str, lang: str, split: str, audio: np.ndarray,
                  phones: list[PhoneSegment], extra: dict | None = None) -> dict:
    """Write an utterance made from another one (a faster or re-voiced copy, an evaluation clip): its own targets
    from its own audio and phones, so `--retarget` treats it like a clean utterance. Returns its index row."""
    audio, phones = as_stored(audio, phones)
    motion = build_targets(phones, audio, seed_of(uid))
    save_utterance(out_dir / "utts" / f"{uid}.npz", compute_features(audio), motion, audio, phones,
                   envelope(audio, len(motion)))
    row = json.loads(IndexEntry(uid, source, voice, lang, split, round(len(audio) / 16000, 3), f"utts/{uid}.npz",
                                None).to_json())
    return {**row, **(extra or {})}


__all__ = ["Job", "as_stored", "at_rest", "retarget", "run_job", "store_derived", "text"]
