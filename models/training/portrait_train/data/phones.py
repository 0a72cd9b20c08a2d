"""The one phone alphabet of the dataset: ARPAbet (lower case, no stress digits) plus 'sil'.

Every source is mapped here: flite/festival/pocketsphinx speak ARPAbet dialects, espeak-ng reports IPA."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

VOWELS = ("aa", "ae", "ah", "ao", "aw", "ax", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw")
CONSONANTS = (
    "b", "ch", "d", "dh", "f", "g", "hh", "jh", "k", "l", "m", "n", "ng", "p", "r", "s", "sh", "t", "th",
    "v", "w", "y", "z", "zh",
)
PHONES: tuple[str, ...] = ("sil",) + VOWELS + CONSONANTS
PHONE_SET = frozenset(PHONES)


@dataclass(frozen=True)
class PhoneSegment:
    start: float
    end: float
    label: str


_ARPABET_ALIASES = {
    "pau": "sil", "h#": "sil", "sp": "sil", "brth": "sil", "sil": "sil", "ssil": "sil", "#": "sil",
    "axr": "er", "ix": "ih", "ux": "uw", "dx": "d", "nx": "n", "hv": "hh", "el": "l", "em": "m", "en": "n",
    "eng": "ng", "q": "t", "tcl": "sil", "pcl": "sil", "kcl": "sil", "bcl": "sil", "dcl": "sil", "gcl": "sil",
}


def arpabet_to_common(label: str) -> str:
    """ARPAbet-like label (any case, stress digits, noise tokens) -> common phone."""
    base = label.strip().lower().rstrip("012")
    if base.startswith("+") or base.startswith("["):
        return "sil"
    base = _ARPABET_ALIASES.get(base, base)
    if base not in PHONE_SET:
        raise ValueError(f"unknown ARPAbet phone {label!r}; expected one of {sorted(PHONE_SET)}")
    return base


# IPA multi-character units tried longest first; single characters below.
_IPA_MULTI = {
    "tʃ": ["ch"], "dʒ": ["jh"], "tɕ": ["ch"], "dʑ": ["jh"], "ts": ["t", "s"], "dz": ["d", "z"], "tʂ": ["ch"],
    "dʐ": ["jh"], "pf": ["p", "f"], "aɪ": ["ay"], "aj": ["ay"], "ɑɪ": ["ay"], "äɪ": ["ay"], "aʊ": ["aw"],
    "au": ["aw"], "ɑʊ": ["aw"], "eɪ": ["ey"], "ej": ["ey"], "oʊ": ["ow"], "əʊ": ["ow"], "ou": ["ow"],
    "ɔɪ": ["oy"], "ɔʏ": ["oy"], "oɪ": ["oy"], "ɪə": ["ih", "ax"], "eə": ["eh", "ax"], "ʊə": ["uh", "ax"],
    "aɪə": ["ay", "ax"], "aʊə": ["aw", "ax"], "ɜː": ["er"], "ɝ": ["er"], "ɚ": ["er"],
}
_IPA_SINGLE = {
    # vowels: by height, backness and rounding
    "i": "iy", "y": "uw", "ɨ": "ih", "ʉ": "uw", "ɯ": "uw", "u": "uw", "ɪ": "ih", "ʏ": "uh", "ʊ": "uh",
    "e": "ey", "ø": "ow", "ɘ": "ax", "ɵ": "ow", "ɤ": "ah", "o": "ow", "ə": "ax", "ɛ": "eh", "œ": "ao",
    "ɜ": "er", "ɞ": "ao", "ʌ": "ah", "ɔ": "ao", "æ": "ae", "ɐ": "ah", "a": "aa", "ɶ": "ao", "ä": "aa",
    "ɑ": "aa", "ɒ": "ao",
    # bilabial / labiodental
    "p": "p", "b": "b", "m": "m", "ɸ": "f", "β": "v", "ɱ": "m", "f": "f", "v": "v", "ʋ": "v", "w": "w",
    "ʍ": "w", "ɥ": "w",
    # dental / alveolar / postalveolar
    "θ": "th", "ð": "dh", "t": "t", "d": "d", "s": "s", "z": "z", "n": "n", "l": "l", "ɫ": "l", "ɬ": "s",
    "ɮ": "z", "r": "r", "ɾ": "d", "ɹ": "r", "ɻ": "r", "ʃ": "sh", "ʒ": "zh", "ʂ": "sh", "ʐ": "zh", "ɕ": "sh",
    "ʑ": "zh", "ʈ": "t", "ɖ": "d", "ɳ": "n", "ɭ": "l", "ɽ": "d",
    # palatal / velar / uvular / glottal
    "j": "y", "ʝ": "y", "ç": "hh", "c": "k", "ɟ": "g", "ɲ": "n", "ʎ": "l", "k": "k", "g": "g", "ɡ": "g",
    "x": "hh", "ɣ": "g", "ŋ": "ng", "ɰ": "w", "q": "k", "ɢ": "g", "χ": "hh", "ʁ": "r", "ʀ": "r", "ɴ": "ng",
    "ħ": "hh", "ʕ": "hh", "h": "hh", "ɦ": "hh", "ʔ": "t", "ʜ": "hh",
}
_IGNORED = set("ˈˌːˑ.-_|‖ʰʲʷˠˤ̩̯̃̊̍͡ʼ'`,;:!? ") | {"\u0303", "\u0329", "\u032f", "\u0361", "\u0325", "\u031a"}


def ipa_to_common(name: str) -> list[str]:
    """An espeak-ng IPA phoneme name -> one or more common phones ([] for pauses and stress-only events)."""
    text = unicodedata.normalize("NFD", name)
    text = "".join(ch for ch in text if ch not in _IGNORED and unicodedata.category(ch) != "Mn")
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        for size in (3, 2):
            chunk = text[i : i + size]
            if len(chunk) == size and chunk in _IPA_MULTI:
                out.extend(_IPA_MULTI[chunk])
                i += size
                break
        else:
            mapped = _IPA_SINGLE.get(text[i])
            if mapped is not None and not (out and out[-1] == mapped):
                out.append(mapped)
            i += 1
    return out


def merge_segments(segments: list[PhoneSegment], min_dur: float = 0.0) -> list[PhoneSegment]:
    """Sort, join neighbouring silences and drop empty segments."""
    merged: list[PhoneSegment] = []
    for seg in sorted(segments, key=lambda s: s.start):
        if seg.end - seg.start <= min_dur:
            continue
        if merged and merged[-1].label == "sil" and seg.label == "sil":
            merged[-1] = PhoneSegment(merged[-1].start, max(merged[-1].end, seg.end), "sil")
        else:
            merged.append(seg)
    return merged


def fill_silence(segments: list[PhoneSegment], total: float) -> list[PhoneSegment]:
    """Cover [0, total) exactly: gaps become 'sil', segments are clipped to the audio."""
    out: list[PhoneSegment] = []
    cursor = 0.0
    for seg in sorted(segments, key=lambda s: s.start):
        start, end = max(seg.start, cursor), min(seg.end, total)
        if end <= start:
            continue
        if start > cursor + 1e-6:
            out.append(PhoneSegment(cursor, start, "sil"))
        out.append(PhoneSegment(start, end, seg.label))
        cursor = end
    if total > cursor + 1e-6:
        out.append(PhoneSegment(cursor, total, "sil"))
    return merge_segments(out)
