"""Festival synthesis (text2wave's engine driven by a Scheme script) saving each utterance's segment labels."""
from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio_io import read_wav_16k
from .phones import PhoneSegment, arpabet_to_common, fill_silence

FESTIVAL_VOICES = ("kal_diphone",)


@dataclass(frozen=True)
class FestivalJob:
    text: str
    stretch: float = 1.0
    f0_mean: float = 105.0
    f0_std: float = 14.0


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", " ").replace('"', "'") + '"'


def parse_segs(text: str) -> list[tuple[str, float]]:
    """Festival .segs (xlabel: header, '#', then 'end_time colour label') -> [(label, end), ...]."""
    body = text.split("#", 1)[1] if "#" in text else text
    pairs = []
    for line in body.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            pairs.append((parts[2], float(parts[0])))
    return pairs


def synth_batch(jobs: list[FestivalJob], voice: str = "kal_diphone") -> list[tuple[np.ndarray, list[PhoneSegment]]]:
    """Synthesise several utterances in one festival process (start-up dominates short utterances)."""
    with tempfile.TemporaryDirectory() as tmp:
        lines = [f"(voice_{voice})"]
        for i, job in enumerate(jobs):
            lines += [
                f"(Parameter.set 'Duration_Stretch {job.stretch:.3f})",
                f"(set! int_lr_params (list (list 'target_f0_mean {job.f0_mean:.1f}) (list 'target_f0_std {job.f0_std:.1f})"
                " (list 'model_f0_mean 170) (list 'model_f0_std 34)))",
                f"(set! u (Utterance Text {_scheme_string(job.text)}))",
                "(utt.synth u)",
                f'(utt.save.wave u "{tmp}/{i}.wav" \'riff)',
                f'(utt.save.segs u "{tmp}/{i}.segs")',
            ]
        script = Path(tmp) / "run.scm"
        script.write_text("\n".join(lines) + "\n")
        subprocess.run(["festival", "-b", str(script)], check=True, capture_output=True, timeout=600)
        results = []
        for i in range(len(jobs)):
            audio = read_wav_16k(Path(tmp) / f"{i}.wav")
            pairs = parse_segs((Path(tmp) / f"{i}.segs").read_text())
            segments, start = [], 0.0
            for name, end in pairs:
                if end > start:
                    segments.append(PhoneSegment(start, end, arpabet_to_common(name)))
                    start = end
            results.append((audio, fill_silence(segments, len(audio) / 16000.0)))
    return results
