"""Singing-like material: sung syllables (la, ma, no, ...) from espeak-ng, each note a slow syllable at its own
pitch (SSML prosody), so vowels are sustained and the pitch moves from note to note; timing from phoneme events."""
from __future__ import annotations

import random

SYLLABLES = {
    "en": ("la", "ma", "no", "loo", "me", "ba", "da", "oh", "ah", "na", "pa", "moo", "lie", "fa", "way", "so"),
    "it": ("la", "ma", "no", "lu", "mi", "ba", "da", "o", "a", "na", "pa", "mu", "fa", "sol", "re", "do"),
    "es": ("la", "ma", "no", "lu", "mi", "ba", "da", "o", "a", "na", "pa", "mu", "fa", "sol", "re", "do"),
}
VOICES = ("en", "en+f3", "en+m3", "it", "it+f2", "es", "es+f4")
SCALE = (0, 2, 4, 5, 7, 9, 11, 12, 14)


def song_ssml(rng: random.Random, lang: str) -> str:
    """4-10 notes of one syllable each, a melody on a major scale (pitch in % of the voice's base)."""
    syllables = SYLLABLES[lang]
    notes = rng.randint(4, 10)
    degree = rng.randrange(len(SCALE))
    repeated = rng.choice(syllables)
    parts = []
    for _ in range(notes):
        degree = min(max(degree + rng.choice((-2, -1, -1, 0, 1, 1, 2)), 0), len(SCALE) - 1)
        percent = int(round((2 ** (SCALE[degree] / 12) - 1) * 100)) - 30
        rate = rng.randint(25, 60)
        syllable = repeated if rng.random() < 0.5 else rng.choice(syllables)
        parts.append(f'<prosody pitch="{percent:+d}%" rate="{rate}%">{syllable}</prosody>')
        if rng.random() < 0.25:
            parts.append('<break time="%dms"/>' % rng.randint(100, 600))
    return "<speak>" + " ".join(parts) + "</speak>"
