"""Natural sentences from Debian's fortune cookie packages: fortunes + fortunes-min (English, BSD),
fortunes-de (German, GPL-2+), fortunes-es (Spanish, GPL-2+ code, quotes public domain), fortunes-it (Italian,
public domain)."""
from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path

FORTUNE_DIR = Path("/usr/share/games/fortunes")
_SKIP_EN = {"art", "ascii-art", "banner", "perl", "translate-me", "linuxcookie", "knghtbrd", "zippy"}
_LETTERS = {
    "en": "a-zA-Z",
    "de": "a-zA-ZäöüÄÖÜß",
    "es": "a-zA-ZáéíóúñüÁÉÍÓÚÑ¿¡",
    "it": "a-zA-ZàèéìòùÀÈÉÌÒÙ",
}


def _fortune_files(lang: str) -> list[Path]:
    if lang == "en":
        root = FORTUNE_DIR
        files = [p for p in root.iterdir() if p.is_file() and p.suffix == "" and p.name not in _SKIP_EN]
        files = [p for p in files if (root / f"{p.name}.u8").exists()]  # the BSD fortunes sets only
    else:
        root = FORTUNE_DIR / lang
        files = [p for p in root.iterdir() if p.is_file() and not p.name.endswith((".dat", ".u8"))] if root.is_dir() else []
    return sorted(files)


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@lru_cache(maxsize=8)
def sentences(lang: str, min_chars: int = 25, max_chars: int = 180) -> tuple[str, ...]:
    """Deduplicated sentences of plain prose in `lang` (en, de, es, it), in a fixed order."""
    letters = _LETTERS[lang]
    allowed = re.compile(rf"^[{letters}0-9 ,.;:!?'\"()-]+$")
    out: dict[str, None] = {}
    for path in _fortune_files(lang):
        for cookie in _read(path).split("\n%\n"):
            lines = [ln.strip() for ln in cookie.splitlines()]
            lines = [ln for ln in lines if ln and not ln.startswith(("--", "\t", "#", ">", "Q:", "A:"))]
            text = re.sub(r"\s+", " ", " ".join(lines))
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                sentence = sentence.strip(" \"'")
                if not (min_chars <= len(sentence) <= max_chars) or not allowed.match(sentence):
                    continue
                if sentence.count(" ") < 3 or sum(c.isdigit() for c in sentence) > 2 or sentence.isupper():
                    continue
                out[sentence] = None
    return tuple(out)


def pick_text(lang: str, rng: random.Random, min_sentences: int = 1, max_sentences: int = 3) -> str:
    """One to three consecutive sentences of the corpus, chosen by `rng`."""
    pool = sentences(lang)
    if not pool:
        raise ValueError(f"no sentences for language {lang!r}; is its fortunes package installed?")
    count = rng.randint(min_sentences, max_sentences)
    start = rng.randrange(len(pool))
    return " ".join(pool[(start + k) % len(pool)] for k in range(count))
