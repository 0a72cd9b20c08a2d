"""Lip-sync metrics on motion curves (25 fps), with phone timing and the speech envelope.

Mouth opening: `opening = 0.7 * jaw_open + 0.3 * lips_part` (channel units, 0 = sealed lips). A phone's frames are
the frames whose 40 ms span overlaps the phone widened by `SLACK` seconds on each side (coarticulation may move a
closure by a fraction of a frame).
- bilabial closure: fraction of p/b/m phones whose minimum opening is below `CLOSED`;
- open vowels: fraction of aa/ae/ah/ao/aw/ay phones (the dataset's open vowels) of at least 60 ms whose maximum
  opening exceeds `OPEN`;
- short pauses: fraction of silences of 150-400 ms (inside speech, where the targets close the mouth) in which the
  opening falls below `CLOSED` on some frame: the mouth must not rest half open between phrases;
- silence closure: fraction of frames inside silences longer than 200 ms, at least 80 ms from either end, whose
  opening is below `CLOSED`;
- correlations: Pearson over all frames of a group, of the opening with the target opening and with the envelope;
- onset lag: lag (ms) that maximises the cross-correlation of the positive parts of the frame-to-frame derivatives
  of opening and envelope (lags within +-200 ms, parabolic refinement); positive = mouth moves after the audio;
- seams: mean |change| across window boundaries over the mean elsewhere, of the opening and of head yaw.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .channels import CHANNEL_INDEX, FPS

CLOSED = 0.1
OPEN = 0.25
SLACK = 0.02
BILABIAL = {"P", "B", "M"}
OPEN_VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY"}
SILENCE = {"SIL", "SP", "PAU", "H#", "", "<SIL>", "SILENCE", "_"}
HEAD_ANGLES = ("head_yaw", "head_pitch", "head_roll")


def mouth_opening(motion: np.ndarray) -> np.ndarray:
    return 0.7 * motion[:, CHANNEL_INDEX["jaw_open"]] + 0.3 * motion[:, CHANNEL_INDEX["lips_part"]]


def phone_name(label: str) -> str:
    return "".join(ch for ch in str(label).upper() if not ch.isdigit()).strip()


def phone_frames(start: float, end: float, n: int, slack: float = SLACK) -> np.ndarray:
    first = int(np.floor((start - slack) * FPS))
    last = int(np.ceil((end + slack) * FPS))
    return np.arange(max(first, 0), min(last, n))


@dataclass
class Counts:
    bilabial: list[bool]
    open_vowel: list[bool]
    silence: list[bool]
    short_pause: list[bool] = field(default_factory=list)

    @staticmethod
    def empty() -> "Counts":
        return Counts([], [], [])

    def add(self, other: "Counts") -> None:
        self.bilabial += other.bilabial
        self.open_vowel += other.open_vowel
        self.silence += other.silence
        self.short_pause += other.short_pause


def phone_counts(opening: np.ndarray, spans: np.ndarray, labels: np.ndarray, closed: float = CLOSED,
                 open_: float = OPEN) -> Counts:
    counts = Counts.empty()
    n = len(opening)
    for (start, end), label in zip(np.asarray(spans, np.float64), labels):
        name = phone_name(label)
        if name in BILABIAL:
            frames = phone_frames(start, end, n)
            if len(frames):
                counts.bilabial.append(bool(opening[frames].min() < closed))
        elif name in OPEN_VOWELS and end - start >= 0.06:
            frames = phone_frames(start, end, n)
            if len(frames):
                counts.open_vowel.append(bool(opening[frames].max() > open_))
        if name in SILENCE and 0.15 <= end - start <= 0.4 and start > 0.0 and end < n / FPS - 1e-6:
            frames = phone_frames(start + 0.04, end - 0.04, n, slack=0.0)
            if len(frames):
                counts.short_pause.append(bool(opening[frames].min() < closed))
        if name in SILENCE and end - start > 0.2:
            t = np.arange(n)
            inside = (t / FPS >= start + 0.08 - 1e-6) & ((t + 1) / FPS <= end - 0.08 + 1e-6)
            counts.silence += [bool(v) for v in opening[inside] < closed]
    return counts


def rate(values: list[bool]) -> float:
    return float(np.mean(values)) if values else float("nan")


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    a, b = a - a.mean(), b - b.mean()
    denom = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denom) if denom > 0 else float("nan")


def onset_lag_ms(curves: list[np.ndarray], references: list[np.ndarray], max_lag: int = 5) -> float:
    """Lag in ms of `curves` behind `references` (lists of per-utterance 1-D arrays at 25 fps)."""
    lags = np.arange(-max_lag, max_lag + 1)
    score = np.zeros(len(lags))
    for curve, ref in zip(curves, references):
        dc = np.maximum(np.diff(curve), 0.0)
        dr = np.maximum(np.diff(ref), 0.0)
        dc, dr = dc - dc.mean(), dr - dr.mean()
        n = len(dc)
        for j, lag in enumerate(lags):
            if lag >= 0:
                score[j] += float((dc[lag:] * dr[: n - lag]).sum())
            else:
                score[j] += float((dc[: n + lag] * dr[-lag:]).sum())
    best = int(np.argmax(score))
    offset = 0.0
    if 0 < best < len(lags) - 1:
        left, mid, right = score[best - 1], score[best], score[best + 1]
        denom = left - 2 * mid + right
        if denom < 0:
            offset = 0.5 * (left - right) / denom
    return float((lags[best] + offset) * 1000.0 / FPS)


def head_diversity(samples: list[np.ndarray]) -> float:
    """Mean over frames and head angle channels of the std across seeds (degrees). samples: [S, N, C] per utt."""
    idx = [CHANNEL_INDEX[c] for c in HEAD_ANGLES]
    values = [s[:, :, idx].std(axis=0).mean() for s in samples if s.shape[0] > 1]
    return float(np.mean(values)) if values else float("nan")


def head_motion_std(motions: list[np.ndarray]) -> dict[str, float]:
    """Mean over utterances of each head angle's standard deviation over time (degrees): how much the head moves."""
    return {f"{name}_std_deg": float(np.mean([np.asarray(m[:, CHANNEL_INDEX[name]], np.float64).std() for m in motions]))
            if motions else float("nan") for name in HEAD_ANGLES}


def seam_ratio(curves: list[np.ndarray], window: int) -> float:
    """Mean |frame-to-frame change| across window boundaries (frame k*window - 1 to k*window) divided by the mean
    elsewhere: 1 when windows join as smoothly as frames inside a window."""
    seams, others = [], []
    for curve in curves:
        steps = np.abs(np.diff(np.asarray(curve, np.float64)))
        boundary = (np.arange(1, len(curve)) % window) == 0
        seams.append(steps[boundary])
        others.append(steps[~boundary])
    seam, other = np.concatenate(seams), np.concatenate(others)
    if len(seam) == 0 or len(other) == 0 or other.mean() == 0:
        return float("nan")
    return float(seam.mean() / other.mean())


def group_metrics(motions: list[np.ndarray], utterances: list[dict], window: int = 50) -> dict[str, float]:
    """Metrics for one group: motions[i] is [N_i, C] motion for utterances[i] (with target 'motion', 'envelope',
    'phone_start_end', 'phone_labels')."""
    counts = Counts.empty()
    openings, targets, envelopes = [], [], []
    for motion, utt in zip(motions, utterances):
        n = min(len(motion), len(utt["motion"]))
        opening = mouth_opening(motion[:n])
        counts.add(phone_counts(opening, utt["phone_start_end"], utt["phone_labels"]))
        openings.append(opening)
        targets.append(mouth_opening(utt["motion"][:n]))
        envelopes.append(np.asarray(utt["envelope"][:n], np.float64))
    cat = np.concatenate(openings)
    return {
        "bilabial_closure": rate(counts.bilabial), "open_vowel_opening": rate(counts.open_vowel),
        "silence_closure": rate(counts.silence), "short_pause_closure": rate(counts.short_pause), "corr_target": pearson(cat, np.concatenate(targets)),
        "corr_envelope": pearson(cat, np.concatenate(envelopes)),
        "onset_lag_ms": onset_lag_ms(openings, envelopes), "lag_vs_target_ms": onset_lag_ms(openings, targets),
        "seam_mouth": seam_ratio(openings, window),
        "seam_head": seam_ratio([m[:, CHANNEL_INDEX["head_yaw"]] for m in motions], window),
        **head_motion_std(motions),
        "n_bilabial": len(counts.bilabial), "n_open_vowel": len(counts.open_vowel), "n_silence_frames": len(counts.silence),
        "n_short_pauses": len(counts.short_pause),
    }
