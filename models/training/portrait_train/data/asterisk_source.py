"""Real speech: the Asterisk English prompts (Debian asterisk-core-sounds-en-g722, CC-BY-SA-3.0), with their
transcripts (asterisk-core-sounds-en) force-aligned to phones by PyPI pocketsphinx 5.x."""
from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .phones import PhoneSegment, arpabet_to_common, fill_silence

SOUNDS_DIR = Path("/usr/share/asterisk/sounds/en")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
HELDOUT_PERCENT = 10
_FRAME_S = 0.01
_ALIGN_PAD = 3200


@dataclass(frozen=True)
class Prompt:
    name: str  # e.g. "digits/7"
    text: str
    path: Path


def read_prompts(sounds_dir: Path = SOUNDS_DIR, transcripts: Path = TRANSCRIPTS) -> list[Prompt]:
    """Prompts that have a G.722 file and a spoken transcript (bracketed descriptions of tones are skipped)."""
    prompts = []
    with gzip.open(transcripts, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            name, text = name.strip(), text.strip()
            path = sounds_dir / f"{name}.g722"
            text = re.sub(r"\([^)]*\)|<[^>]*>|\[[^\]]*\]", " ", text).strip()  # stage directions
            if not text or not re.search(r"\w", text) or not path.exists():
                continue
            prompts.append(Prompt(name, text, path))
    return sorted(prompts, key=lambda p: p.name)


def is_heldout(name: str) -> bool:
    """Fixed deterministic ~10 % of prompts, by hash of the prompt name."""
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % 100 < HELDOUT_PERCENT


def decode_g722(path: Path) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "g722", "-i", str(path), "-ar", "16000", "-ac", "1",
         "-f", "s16le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.int16).astype(np.float32) / 32768.0


_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
        "seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _number_words(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_ONES[n // 100], "hundred"] + (_number_words(n % 100) if n % 100 else [])
    return [str(n)]


def normalise_words(text: str) -> list[str]:
    """Transcript -> lower-case dictionary words (numbers spelt out, punctuation dropped)."""
    text = text.lower().replace("&", " and ").replace("%", " percent ").replace("#", " pound ")
    text = re.sub(r"[\u2018\u2019`]", "'", text)
    words: list[str] = []
    for token in re.findall(r"[a-z0-9']+", text):
        token = token.strip("'")
        if not token:
            continue
        if token.isdigit():
            words.extend(_number_words(int(token)) if len(token) <= 3 else [_ONES[int(d)] for d in token])
        else:
            words.append(token)
    return words


def _decoder(wide: bool = False):
    """A fresh decoder with per-utterance (batch) cepstral mean normalisation. A reused decoder keeps state between
    utterances (alignments then depend on what the process aligned before), so every alignment gets its own."""
    import pocketsphinx

    beams = {"beam": 1e-100, "wbeam": 1e-80, "pbeam": 1e-100} if wide else {}
    return pocketsphinx.Decoder(lm=None, loglevel="ERROR", cmn="batch", **beams)


def flite_pronunciation(word: str) -> list[str]:
    """Pronunciation of an out-of-dictionary word by flite's letter-to-sound rules, in the common alphabet."""
    out = subprocess.run(["flite", "-t", word, "-ps", "-o", "none"], check=True, capture_output=True, text=True)
    phones = [arpabet_to_common(p) for p in out.stdout.split()]
    phones = [p for p in phones if p != "sil"]
    if not phones:
        raise ValueError(f"flite gave no pronunciation for {word!r}")
    return phones


def _align_once(decoder, pcm: bytes, words: list[str]):
    decoder.set_align_text(" ".join(words))  # first pass: word alignment; second pass: phones and states
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    decoder.set_alignment()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    alignment = decoder.get_alignment()
    if alignment is None:
        raise RuntimeError("pocketsphinx produced no alignment")
    return alignment


def align(audio: np.ndarray, words: list[str]) -> list[PhoneSegment]:
    """Phone segments of 16 kHz float audio for a known word sequence (two-pass pocketsphinx alignment).

    The prompts are trimmed tightly, so 0.2 s of silence is added on both sides for the aligner (its grammar
    starts and ends in silence); a failed attempt is retried once with wider beams."""
    pad = np.zeros(_ALIGN_PAD, np.float32)
    pcm = (np.clip(np.concatenate([pad, audio, pad]), -1, 1) * 32767).astype(np.int16).tobytes()
    for attempt in range(2):
        decoder = _decoder(attempt > 0)
        for word in words:
            if decoder.lookup_word(word) is None:
                cmu = ["ah" if p == "ax" else p for p in flite_pronunciation(word)]
                decoder.add_word(word, " ".join(cmu).upper(), True)
        try:
            alignment = _align_once(decoder, pcm, words)
            break
        except RuntimeError:
            if attempt == 1:
                raise
    offset = _ALIGN_PAD / 16000.0
    segments = []
    for word in alignment:
        for phone in word:
            start = phone.start * _FRAME_S - offset
            segments.append(PhoneSegment(start, start + phone.duration * _FRAME_S, arpabet_to_common(phone.name)))
    clipped = [PhoneSegment(max(p.start, 0.0), p.end, p.label) for p in segments if p.end > 0.0]
    return fill_silence(clipped, len(audio) / 16000.0)
