"""flite synthesis with exact phone timing (`-psdur` prints every phone with its end time)."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .audio_io import read_wav_16k
from .phones import PhoneSegment, arpabet_to_common, fill_silence

FLITE_VOICES = ("slt", "kal", "kal16", "awb", "rms")


def parse_psdur(output: str) -> list[tuple[str, float]]:
    """'pau:0.164 hh:0.255 ...' -> [(phone, end seconds), ...]."""
    pairs = []
    for token in output.split():
        if ":" not in token:
            continue
        name, end = token.rsplit(":", 1)
        try:
            pairs.append((name, float(end)))
        except ValueError:
            continue
    return pairs


def ends_to_segments(pairs: list[tuple[str, float]], total: float) -> list[PhoneSegment]:
    segments, start = [], 0.0
    for name, end in pairs:
        if end > start:
            segments.append(PhoneSegment(start, end, arpabet_to_common(name)))
            start = end
    return fill_silence(segments, total)


def synth(text: str, voice: str = "slt", stretch: float = 1.0, f0_mean: float | None = None) -> tuple[np.ndarray, list[PhoneSegment]]:
    """16 kHz float audio and its phones for `text`."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "out.wav"
        cmd = ["flite", "-voice", voice, "-t", text, "-o", str(wav), "-psdur", "--setf", f"duration_stretch={stretch:.3f}"]
        if f0_mean is not None:
            cmd += ["--setf", f"int_f0_target_mean={f0_mean:.1f}"]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, errors="replace")
        audio = read_wav_16k(wav)
    pairs = parse_psdur(out.stdout)
    if not pairs:
        raise RuntimeError(f"flite -psdur printed no phones for voice {voice!r}")
    return audio, ends_to_segments(pairs, len(audio) / 16000.0)
