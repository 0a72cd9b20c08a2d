"""Mouth channels from phones: Cohen-Massaro style dominance blending of viseme targets, then hard constraints
(bilabial seal, labiodental tuck, rounding, open vowels, closed mouth in pauses). Articulation leads the audio."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..data.phones import PhoneSegment
from .timeline import FINE_HZ, fine_times, ramp_mask, sample_frames
from .visemes import BILABIALS, LABIODENTALS, MOUTH, OPEN_VOWELS, ROUNDED, VISEMES, J, P, R, S, T, U, W

LEAD_S = 0.04  # articulators move this much before the acoustic segment
PLATEAU = 0.3  # dominance is flat over the central 2 * PLATEAU of a phone
PAUSE_CLOSE_S = 0.15  # silences at least this long close the mouth
PAUSE_RAMP_S = 0.1
HALF_FRAME = 0.025


def _dominance(t: np.ndarray, start: float, end: float, alpha: float, theta_before: float, theta_after: float) -> np.ndarray:
    centre, half = 0.5 * (start + end), PLATEAU * (end - start)
    before = np.clip(centre - half - t, 0.0, None)
    after = np.clip(t - centre - half, 0.0, None)
    return alpha * np.exp(-theta_before * before - theta_after * after)


def blend(phones: Sequence[PhoneSegment], t: np.ndarray) -> np.ndarray:
    """[len(t), 7] dominance-weighted mean of the viseme targets of the (lead-shifted) phones."""
    num = np.zeros((len(t), len(MOUTH)))
    den = np.full((len(t), len(MOUTH)), 1e-6)
    for seg in phones:
        vis = VISEMES[seg.label]
        start, end = seg.start - LEAD_S, seg.end - LEAD_S
        lo = np.searchsorted(t, start - 0.6)
        hi = np.searchsorted(t, end + 0.6)
        if hi <= lo:
            continue
        d = _dominance(t[lo:hi], start, end, 1.0, vis.theta_before, vis.theta_after)
        weights = np.empty((hi - lo, len(MOUTH)))
        weights[:, J] = d * vis.alpha
        weights[:, 1:] = (d * vis.lips_alpha)[:, None]
        num[lo:hi] += weights * np.asarray(vis.target)[None, :]
        den[lo:hi] += weights
    return num / den


def _centre_region(t: np.ndarray, seg: PhoneSegment, fraction: float) -> np.ndarray:
    """Central part of the lead-shifted phone, never narrower than one frame around its centre."""
    start, end = seg.start - LEAD_S, seg.end - LEAD_S
    centre, d = 0.5 * (start + end), end - start
    lo = min(start + fraction * d, centre - HALF_FRAME)
    hi = max(end - fraction * d, centre + HALF_FRAME)
    return (t >= lo) & (t <= hi)


def relax_pauses(m: np.ndarray, phones: Sequence[PhoneSegment], t: np.ndarray) -> np.ndarray:
    """Silences of at least PAUSE_CLOSE_S relax every mouth channel to 0, with raised-cosine transitions."""
    closed = np.zeros(len(t), bool)
    for seg in phones:
        if seg.label == "sil" and seg.end - seg.start >= PAUSE_CLOSE_S:
            closed |= (t >= seg.start - LEAD_S + 0.02) & (t <= seg.end - LEAD_S - 0.02)
    w = ramp_mask(closed, int(PAUSE_RAMP_S * FINE_HZ))
    w = np.where(closed, 1.0, w)
    return m * (1.0 - w[:, None])


def apply_constraints(m: np.ndarray, phones: Sequence[PhoneSegment], t: np.ndarray) -> np.ndarray:
    """Vowel constraints first, then labiodentals, then bilabials: where regions overlap, the seal wins."""
    m = m.copy()
    for seg in phones:
        if seg.label in ROUNDED:
            r = _centre_region(t, seg, 0.3)
            m[r, R] = np.maximum(m[r, R], ROUNDED[seg.label])
            m[r, W] = np.minimum(m[r, W], 0.1)
        if seg.label in OPEN_VOWELS:
            r = _centre_region(t, seg, 0.35)
            m[r, J] = np.maximum(m[r, J], 0.4)
            m[r, P] = np.maximum(m[r, P], 0.35)
            m[r, S] = 0.0
    for seg in phones:
        if seg.label in LABIODENTALS:
            r = _centre_region(t, seg, 0.25)
            m[r, T] = np.maximum(m[r, T], 0.65)
            m[r, U] = np.maximum(m[r, U], 0.35)
            m[r, J] = np.minimum(m[r, J], 0.15)
            m[r, S] = 0.0
    for seg in phones:
        if seg.label in BILABIALS:
            r = _centre_region(t, seg, 0.2)
            m[r, J] = np.minimum(m[r, J], 0.05)
            m[r, P] = 0.0
            m[r, S] = np.maximum(m[r, S], 0.7)
            m[r, U] = np.minimum(m[r, U], 0.05)
            m[r, T] = np.minimum(m[r, T], 0.05)
    return m


def loudness_scale(envelope_db: np.ndarray, t_frames: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Jaw opening grows a little with vocal effort: 0.85..1.15 from the frame envelope (dB re utterance peak)."""
    if len(envelope_db) == 0:
        return np.ones(len(t))
    level = np.clip((envelope_db + 30.0) / 30.0, 0.0, 1.0)
    return 0.85 + 0.3 * np.interp(t, t_frames, level)


def mouth_targets(phones: Sequence[PhoneSegment], n_frames: int, envelope_db: np.ndarray | None = None) -> np.ndarray:
    """[n_frames, 7] mouth channels in MOUTH order."""
    t = fine_times(n_frames)
    m = blend(phones, t)
    if envelope_db is not None:
        frame_t = (np.arange(len(envelope_db)) + 0.5) * 0.04
        m[:, J] *= loudness_scale(envelope_db, frame_t, t)
    m = np.clip(apply_constraints(relax_pauses(m, phones, t), phones, t), 0.0, 1.0)
    return np.stack([sample_frames(m[:, c], n_frames) for c in range(len(MOUTH))], axis=1)
