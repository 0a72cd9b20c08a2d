"""espeak-ng synthesis through its C library (ctypes): audio plus phoneme events with audio positions.

One process holds one initialised engine; `EspeakEngine` is created lazily per worker process."""
from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass

import numpy as np

from .phones import PhoneSegment, fill_silence, ipa_to_common

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_PHONEME_IPA = 0x0002
INITIALIZE_DONT_EXIT = 0x8000
EVENT_LIST_TERMINATED = 0
EVENT_PHONEME = 7
EVENT_MSG_TERMINATED = 6
PARAM_RATE = 1
PARAM_VOLUME = 2
PARAM_PITCH = 3
PARAM_RANGE = 4
CHARS_UTF8 = 1
SSML = 0x10
PHONEME_INPUT = 0x100
POS_CHARACTER = 1


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass
class EspeakResult:
    audio: np.ndarray  # float32 mono at `sample_rate`
    sample_rate: int
    phones: list[PhoneSegment]
    raw_phonemes: list[tuple[str, float]]  # (IPA name, start seconds) as reported


class EspeakEngine:
    """Synchronous espeak-ng synthesiser reporting IPA phoneme events."""

    def __init__(self, library: str | None = None) -> None:
        name = library or ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        self._lib = ctypes.CDLL(name)
        self._lib.espeak_Initialize.restype = ctypes.c_int
        self._lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self._lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        self._lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]
        options = INITIALIZE_PHONEME_EVENTS | INITIALIZE_PHONEME_IPA | INITIALIZE_DONT_EXIT
        rate = self._lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, None, options)
        if rate <= 0:
            raise RuntimeError(f"espeak_Initialize failed: returned sample rate {rate}, expected > 0")
        self.sample_rate = int(rate)
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._callback = _CALLBACK(self._on_synth)
        self._lib.espeak_SetSynthCallback(self._callback)

    def _on_synth(self, wav, numsamples, events) -> int:
        if numsamples > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(numsamples,)).astype(np.int16, copy=True))
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            event = events[i]
            if event.type == EVENT_PHONEME:
                raw = bytes(event.id.string).split(b"\0", 1)[0]
                self._events.append((raw.decode("utf-8", errors="replace"), int(event.audio_position)))
            i += 1
        return 0

    def synth(self, text: str, voice: str = "en", rate: int = 175, pitch: int = 50, pitch_range: int = 50,
              ssml: bool = False) -> EspeakResult:
        if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"espeak-ng voice {voice!r} not found")
        self._lib.espeak_SetParameter(PARAM_RATE, int(rate), 0)
        self._lib.espeak_SetParameter(PARAM_PITCH, int(pitch), 0)
        self._lib.espeak_SetParameter(PARAM_RANGE, int(pitch_range), 0)
        self._lib.espeak_SetParameter(PARAM_VOLUME, 100, 0)
        self._chunks, self._events = [], []
        data = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(data)
        flags = CHARS_UTF8 | (SSML | PHONEME_INPUT if ssml else 0)
        err = self._lib.espeak_Synth(buffer, len(data), 0, POS_CHARACTER, 0, flags, None, None)
        if err != 0:
            raise RuntimeError(f"espeak_Synth failed with code {err}")
        self._lib.espeak_Synchronize()
        audio = (np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)).astype(np.float32) / 32768.0
        total = len(audio) / self.sample_rate
        raw = [(name, ms / 1000.0) for name, ms in self._events]
        return EspeakResult(audio, self.sample_rate, events_to_segments(raw, total), raw)


def events_to_segments(events: list[tuple[str, float]], total: float) -> list[PhoneSegment]:
    """Phoneme start events -> contiguous segments in the common alphabet.

    Events without a mappable name (pauses, lone palatalisation marks) become silence when they last at least
    60 ms and otherwise lengthen the phone before them."""
    segments: list[PhoneSegment] = []
    starts = sorted(events, key=lambda e: e[1])
    for i, (name, start) in enumerate(starts):
        end = min(starts[i + 1][1] if i + 1 < len(starts) else total, total)
        if end <= start:
            continue
        labels = ipa_to_common(name)
        if not labels:
            if end - start < 0.06 and segments and abs(segments[-1].end - start) < 1e-6:
                last = segments[-1]
                segments[-1] = PhoneSegment(last.start, end, last.label)
                continue
            labels = ["sil"]
        step = (end - start) / len(labels)
        for k, label in enumerate(labels):
            segments.append(PhoneSegment(start + k * step, start + (k + 1) * step, label))
    return fill_silence(segments, total)


def synth_isolated(text: str, voice: str = "en", rate: int = 175, pitch: int = 50, pitch_range: int = 50,
                   ssml: bool = False) -> EspeakResult:
    """Synthesise in a fresh process. espeak-ng carries state from one utterance to the next (the same text can
    come out a few samples longer), so a fresh engine per utterance keeps the dataset reproducible."""
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    package_root = Path(__file__).resolve().parents[2]
    request = {"text": text, "voice": voice, "rate": rate, "pitch": pitch, "range": pitch_range, "ssml": ssml}
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "portrait_train.data.espeak_source", tmp], input=json.dumps(request),
                       text=True, check=True, cwd=package_root, capture_output=True)
        audio = np.load(Path(tmp) / "audio.npy")
        meta = json.loads((Path(tmp) / "meta.json").read_text())
    raw = [(name, float(t)) for name, t in meta["raw"]]
    total = len(audio) / meta["sample_rate"]
    return EspeakResult(audio, int(meta["sample_rate"]), events_to_segments(raw, total), raw)


def _serve(out_dir: str) -> None:
    import json
    import sys
    from pathlib import Path

    request = json.loads(sys.stdin.read())
    result = EspeakEngine().synth(request["text"], request["voice"], request["rate"], request["pitch"],
                                  request["range"], ssml=request["ssml"])
    np.save(Path(out_dir) / "audio.npy", result.audio)
    (Path(out_dir) / "meta.json").write_text(json.dumps({"sample_rate": result.sample_rate, "raw": result.raw_phonemes}))


if __name__ == "__main__":
    import sys

    _serve(sys.argv[1])
