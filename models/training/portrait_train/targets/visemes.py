"""Viseme targets and dominance parameters of every phone of the common alphabet (see TARGETS.md)."""
from __future__ import annotations

from dataclasses import dataclass

MOUTH = ("jaw_open", "lips_part", "mouth_wide", "mouth_round", "upper_lip_raise", "lower_lip_tuck", "lips_press")
J, P, W, R, U, T, S = range(7)


@dataclass(frozen=True)
class Viseme:
    target: tuple[float, ...]  # one value per MOUTH channel
    alpha: float  # dominance magnitude
    lips_alpha: float  # dominance on the lip channels (part, wide, round, raise, tuck, press)
    theta_before: float  # 1/s, anticipatory decay (smaller = starts earlier)
    theta_after: float  # 1/s, carry-over decay


def _v(jaw=0.0, part=0.0, wide=0.0, rnd=0.0, raise_=0.0, tuck=0.0, press=0.0) -> tuple[float, ...]:
    return (jaw, part, wide, rnd, raise_, tuck, press)


# phone: (target, alpha, lips_alpha, theta_before, theta_after)
_TABLE: dict[str, tuple[tuple[float, ...], float, float, float, float]] = {
    "sil": (_v(), 0.5, 0.5, 20, 20),
    # open vowels
    "aa": (_v(jaw=0.75, part=0.55, wide=0.15), 0.7, 0.6, 14, 16),
    "ae": (_v(jaw=0.62, part=0.55, wide=0.45), 0.7, 0.6, 14, 16),
    "ah": (_v(jaw=0.52, part=0.45, wide=0.2), 0.6, 0.5, 14, 16),
    "ao": (_v(jaw=0.6, part=0.45, rnd=0.55), 0.7, 0.8, 12, 16),
    "aw": (_v(jaw=0.62, part=0.5, wide=0.1, rnd=0.3), 0.7, 0.7, 14, 16),
    "ay": (_v(jaw=0.62, part=0.55, wide=0.35), 0.7, 0.6, 14, 16),
    # mid and close vowels
    "eh": (_v(jaw=0.42, part=0.45, wide=0.45), 0.6, 0.5, 14, 16),
    "ey": (_v(jaw=0.35, part=0.4, wide=0.55), 0.6, 0.5, 14, 16),
    "ih": (_v(jaw=0.25, part=0.35, wide=0.5), 0.5, 0.5, 15, 17),
    "iy": (_v(jaw=0.18, part=0.3, wide=0.7), 0.6, 0.6, 14, 16),
    "er": (_v(jaw=0.3, part=0.3, rnd=0.3, raise_=0.1), 0.5, 0.5, 14, 16),
    "ax": (_v(jaw=0.3, part=0.3, wide=0.1), 0.25, 0.2, 18, 18),
    "uh": (_v(jaw=0.25, part=0.25, rnd=0.45), 0.5, 0.6, 13, 16),
    "uw": (_v(jaw=0.18, part=0.18, rnd=0.85), 0.7, 0.9, 9, 14),
    "ow": (_v(jaw=0.42, part=0.35, rnd=0.7), 0.7, 0.9, 10, 14),
    "oy": (_v(jaw=0.45, part=0.4, rnd=0.6, wide=0.1), 0.7, 0.8, 10, 14),
    # bilabials: lips sealed and pressed
    "p": (_v(jaw=0.04, press=0.9), 1.0, 1.6, 30, 34),
    "b": (_v(jaw=0.04, press=0.8), 1.0, 1.6, 30, 34),
    "m": (_v(jaw=0.04, press=0.75), 1.0, 1.6, 30, 34),
    # labiodentals: lower lip under the upper teeth
    "f": (_v(jaw=0.1, part=0.15, raise_=0.5, tuck=0.85), 0.9, 1.5, 28, 32),
    "v": (_v(jaw=0.1, part=0.15, raise_=0.45, tuck=0.8), 0.9, 1.5, 28, 32),
    "w": (_v(jaw=0.12, part=0.12, rnd=0.9), 0.8, 1.5, 10, 16),
    # dentals, alveolars, postalveolars
    "th": (_v(jaw=0.15, part=0.3, wide=0.2), 0.5, 0.5, 18, 20),
    "dh": (_v(jaw=0.15, part=0.3, wide=0.2), 0.4, 0.4, 18, 20),
    "s": (_v(jaw=0.08, part=0.3, wide=0.35), 0.6, 0.5, 18, 20),
    "z": (_v(jaw=0.08, part=0.3, wide=0.3), 0.5, 0.4, 18, 20),
    "sh": (_v(jaw=0.1, part=0.35, rnd=0.5, raise_=0.35), 0.7, 0.9, 14, 18),
    "zh": (_v(jaw=0.1, part=0.35, rnd=0.5, raise_=0.3), 0.7, 0.9, 14, 18),
    "ch": (_v(jaw=0.1, part=0.3, rnd=0.45, raise_=0.3), 0.7, 0.9, 14, 18),
    "jh": (_v(jaw=0.1, part=0.3, rnd=0.45, raise_=0.3), 0.7, 0.9, 14, 18),
    "t": (_v(jaw=0.15, part=0.25, wide=0.2), 0.35, 0.25, 20, 22),
    "d": (_v(jaw=0.15, part=0.25, wide=0.2), 0.3, 0.25, 20, 22),
    "n": (_v(jaw=0.15, part=0.2, wide=0.2), 0.3, 0.25, 20, 22),
    "l": (_v(jaw=0.25, part=0.3, wide=0.15), 0.3, 0.25, 20, 22),
    "r": (_v(jaw=0.2, part=0.25, rnd=0.35), 0.4, 0.5, 16, 20),
    "y": (_v(jaw=0.12, part=0.25, wide=0.5), 0.4, 0.4, 18, 20),
    # velars and glottal: weak, the context shapes the lips
    "k": (_v(jaw=0.2, part=0.25, wide=0.1), 0.25, 0.15, 20, 22),
    "g": (_v(jaw=0.2, part=0.25, wide=0.1), 0.25, 0.15, 20, 22),
    "ng": (_v(jaw=0.18, part=0.2, wide=0.1), 0.25, 0.15, 20, 22),
    "hh": (_v(jaw=0.3, part=0.3), 0.1, 0.08, 20, 22),
}

VISEMES: dict[str, Viseme] = {k: Viseme(t, a, la, tb, ta) for k, (t, a, la, tb, ta) in _TABLE.items()}
BILABIALS = frozenset({"p", "b", "m"})
LABIODENTALS = frozenset({"f", "v"})
ROUNDED = {"uw": 0.75, "ow": 0.6, "ao": 0.45, "oy": 0.5, "w": 0.75, "uh": 0.4}
OPEN_VOWELS = frozenset({"aa", "ae", "ah", "ao", "aw", "ay"})
VOWELS = frozenset({"aa", "ae", "ah", "ao", "aw", "ay", "eh", "ey", "ih", "iy", "er", "ax", "uh", "uw", "ow", "oy"})
