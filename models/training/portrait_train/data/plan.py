"""The dataset plan: which utterances each source contributes, with deterministic text, voice and prosody."""
from __future__ import annotations

import hashlib
import random

from . import asterisk_source, text
from .augment import AUGMENTS
from .flite_source import FLITE_VOICES
from .jobs import Job
from .singing import VOICES as SING_VOICES, song_ssml

# minutes of clean audio per source (before augmentation); asterisk contributes all its prompts
DEFAULT_MINUTES = {"flite": 50.0, "espeak": 45.0, "espeak-more": 30.0, "festival": 20.0, "singing": 15.0, "asterisk": 26.0, "vowels": 12.0}
AVG_SECONDS = {"flite": 9.6, "espeak": 7.5, "festival": 8.0, "singing": 7.0, "vowels": 9.0}  # measured, incl. padding
AUGMENT_FRACTION = 0.3
TTS_HELDOUT_PERCENT = 5
ESPEAK_VOICES = (("en", "en"), ("en-us", "en"), ("en+f3", "en"), ("en-us+m3", "en"), ("en+f4", "en"),
                 ("de", "de"), ("de+f2", "de"), ("es", "es"), ("es+f3", "es"), ("it", "it"), ("it+m4", "it"))
# English voices and variants the first plan did not use (the unseen evaluation voices stay unused), read faster
ESPEAK_MORE_VOICES = ("en-gb-x-gbclan", "en-gb-x-gbcwmd+f2", "en-us+m1", "en-us+m2", "en+m5", "en-us+m6", "en+m7",
                      "en-us+f1", "en+f2", "en-us+f5", "en+klatt", "en-us+klatt3", "en-gb-x-gbclan+Andy",
                      "en-us+Annie", "en+benjamin", "en-gb-x-gbcwmd+linda", "en-us+max", "en+edward")
FESTIVAL_BATCH = 12


def _split(name: str, percent: int) -> str:
    return "heldout" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 100 < percent else "train"


def _augments(rng: random.Random, split: str) -> list[str]:
    if split != "train" or rng.random() >= AUGMENT_FRACTION:
        return []
    return [rng.choice(AUGMENTS)]


def make_plan(limit_minutes: float | None = None, more_voices: bool = False) -> list[Job]:
    """The plan; `more_voices` adds the `espeak-v-*` block (DATA.md, \"Voice copies\": it did not help, so it is off)."""
    minutes = {k: v for k, v in DEFAULT_MINUTES.items() if more_voices or k != "espeak-more"}
    scale = 1.0
    if limit_minutes is not None:
        scale = min(1.0, limit_minutes / sum(minutes.values()))
    jobs: list[Job] = []

    rng = random.Random("flite-20261122")
    count = int(DEFAULT_MINUTES["flite"] * scale * 60 / AVG_SECONDS["flite"])
    for i in range(count):
        uid = f"flite-{i:05d}"
        voice = FLITE_VOICES[i % len(FLITE_VOICES)]
        split = _split(uid, TTS_HELDOUT_PERCENT)
        params = {"text": text.pick_text("en", rng, 1, 3), "stretch": round(rng.uniform(0.8, 1.35), 3),
                  "f0_mean": None if voice == "rms" else round(rng.uniform(80, 130) if voice != "slt" else rng.uniform(140, 220), 1)}
        jobs.append(Job("flite", [{"id": uid, "voice": voice, "lang": "en", "split": split,
                                   "augments": _augments(rng, split), "params": params}]))

    rng = random.Random("espeak-20261122")
    count = int(DEFAULT_MINUTES["espeak"] * scale * 60 / AVG_SECONDS["espeak"])
    for i in range(count):
        uid = f"espeak-{i:05d}"
        voice, lang = ESPEAK_VOICES[i % len(ESPEAK_VOICES)]
        split = _split(uid, TTS_HELDOUT_PERCENT)
        params = {"text": text.pick_text(lang, rng, 1, 3), "rate": rng.randint(120, 230), "pitch": rng.randint(25, 75),
                  "range": rng.randint(20, 90)}
        jobs.append(Job("espeak", [{"id": uid, "voice": voice, "lang": lang, "split": split,
                                    "augments": _augments(rng, split), "params": params}]))

    rng = random.Random("espeak-more-20261205")
    count = int(DEFAULT_MINUTES["espeak-more"] * scale * 60 / AVG_SECONDS["espeak"]) if more_voices else 0
    for i in range(count):
        uid = f"espeak-v-{i:05d}"
        voice = ESPEAK_MORE_VOICES[i % len(ESPEAK_MORE_VOICES)]
        split = _split(uid, TTS_HELDOUT_PERCENT)
        params = {"text": text.pick_text("en", rng, 1, 3), "rate": rng.randint(160, 300), "pitch": rng.randint(20, 80),
                  "range": rng.randint(20, 100)}
        jobs.append(Job("espeak", [{"id": uid, "voice": voice, "lang": "en", "split": split,
                                    "augments": _augments(rng, split), "params": params}]))

    rng = random.Random("festival-20261122")
    count = int(DEFAULT_MINUTES["festival"] * scale * 60 / AVG_SECONDS["festival"])
    items = []
    for i in range(count):
        uid = f"festival-{i:05d}"
        split = _split(uid, TTS_HELDOUT_PERCENT)
        params = {"text": text.pick_text("en", rng, 1, 3), "stretch": round(rng.uniform(0.8, 1.35), 3),
                  "f0_mean": round(rng.uniform(85, 140), 1), "f0_std": round(rng.uniform(8, 30), 1)}
        items.append({"id": uid, "voice": "kal_diphone", "lang": "en", "split": split,
                      "augments": _augments(rng, split), "params": params})
    for k in range(0, len(items), FESTIVAL_BATCH):
        jobs.append(Job("festival", items[k : k + FESTIVAL_BATCH]))

    rng = random.Random("singing-20261122")
    count = int(DEFAULT_MINUTES["singing"] * scale * 60 / AVG_SECONDS["singing"])
    for i in range(count):
        uid = f"singing-{i:05d}"
        voice = SING_VOICES[i % len(SING_VOICES)]
        lang = voice.split("+")[0]
        split = _split(uid, TTS_HELDOUT_PERCENT)
        params = {"text": song_ssml(rng, lang), "rate": rng.randint(80, 110), "pitch": rng.randint(30, 70),
                  "range": rng.randint(0, 30)}
        jobs.append(Job("singing", [{"id": uid, "voice": voice, "lang": lang, "split": split,
                                     "augments": _augments(rng, split), "params": params}]))

    rng = random.Random("vowels-20261205")
    count = int(DEFAULT_MINUTES["vowels"] * scale * 60 / AVG_SECONDS["vowels"])
    for i in range(count):
        uid = f"vowels-{i:05d}"
        split = _split(uid, TTS_HELDOUT_PERCENT)
        low, high = (rng.uniform(100, 220), 520.0) if i % 2 == 0 else (rng.uniform(230, 330), 1050.0)
        params = {"seed": rng.randrange(2**31), "notes": rng.randint(4, 9), "low": round(low, 1), "high": high}
        jobs.append(Job("vowels", [{"id": uid, "voice": "additive", "lang": "-", "split": split,
                                    "augments": _augments(rng, split), "params": params}]))

    prompts = asterisk_source.read_prompts()
    if scale < 1.0:
        prompts = prompts[: max(1, int(len(prompts) * scale))]
    for prompt in prompts:
        uid = "asterisk-" + prompt.name.replace("/", "_")
        split = "heldout" if asterisk_source.is_heldout(prompt.name) else "train"
        aug_rng = random.Random(uid)
        jobs.append(Job("asterisk", [{"id": uid, "voice": "allison", "lang": "en", "split": split,
                                      "augments": [aug_rng.choice(AUGMENTS)] if split == "train" and aug_rng.random() < 0.5 else [],
                                      "params": {"text": prompt.text, "path": str(prompt.path)}}]))
    return jobs
