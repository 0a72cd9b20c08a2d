"""Coarticulation targets: seals on bilabials, closed mouth in pauses, open vowels open, rounding, lead."""
import numpy as np
import pytest

from portrait_train.channels import CHANNEL_INDEX
from portrait_train.data.phones import PhoneSegment
from portrait_train.targets import build_targets
from portrait_train.targets.mouth import LEAD_S

JAW, PART, PRESS, ROUND, TUCK = (CHANNEL_INDEX[c] for c in ("jaw_open", "lips_part", "lips_press", "mouth_round", "lower_lip_tuck"))


def phones_from(spec: list[tuple[str, float]]) -> list[PhoneSegment]:
    out, t = [], 0.0
    for label, dur in spec:
        out.append(PhoneSegment(t, t + dur, label))
        t += dur
    return out


def motion_for(phones: list[PhoneSegment], seed: int = 0) -> np.ndarray:
    total = phones[-1].end
    t = np.arange(int(total * 16000)) / 16000
    audio = (0.2 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    return build_targets(phones, audio, seed)


def frame_at(t: float) -> int:
    return int(np.floor((t - LEAD_S) / 0.04))


def nearest_frame(t: float) -> int:
    return int(round((t - LEAD_S) / 0.04 - 0.5))


SENTENCE = phones_from([
    ("sil", 0.4), ("b", 0.06), ("aa", 0.15), ("p", 0.07), ("ah", 0.12), ("m", 0.08), ("iy", 0.1), ("sil", 0.45),
    ("f", 0.09), ("ae", 0.14), ("v", 0.07), ("uw", 0.16), ("t", 0.06), ("ow", 0.14), ("m", 0.05), ("ay", 0.18),
    ("sil", 0.5),
])


def test_shape_and_ranges():
    m = motion_for(SENTENCE)
    assert m.shape == (int(np.ceil(SENTENCE[-1].end * 16000 / 640)), 20)
    assert m.dtype == np.float32
    assert np.all(m[:, :7] >= 0) and np.all(m[:, :7] <= 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bilabials_sealed_at_centre(seed):
    m = motion_for(SENTENCE, seed)
    for seg in SENTENCE:
        if seg.label in ("p", "b", "m"):
            f = nearest_frame(0.5 * (seg.start + seg.end))
            assert m[f, PART] == 0.0, seg
            assert m[f, JAW] <= 0.05, seg
            assert m[f, PRESS] >= 0.7, seg


def test_labiodentals_tuck_lower_lip():
    m = motion_for(SENTENCE)
    for seg in SENTENCE:
        if seg.label in ("f", "v"):
            f = nearest_frame(0.5 * (seg.start + seg.end))
            assert m[f, TUCK] >= 0.6, seg


def test_closed_in_long_silence():
    m = motion_for(SENTENCE)
    for seg in SENTENCE:
        if seg.label == "sil":
            inner = range(frame_at(seg.start) + 3, frame_at(seg.end) - 2)
            assert len(inner) > 0
            for f in inner:
                assert np.all(m[f, :7] < 0.02), (seg, f, m[f, :7])


def test_open_vowels_open():
    m = motion_for(SENTENCE)
    for seg in SENTENCE:
        if seg.label in ("aa", "ae", "ah", "ay"):
            f = nearest_frame(0.5 * (seg.start + seg.end))
            assert m[f, JAW] >= 0.35, (seg, m[f, JAW])


def test_rounding_on_uw_and_ow():
    m = motion_for(SENTENCE)
    for seg in SENTENCE:
        if seg.label in ("uw", "ow"):
            f = nearest_frame(0.5 * (seg.start + seg.end))
            assert m[f, ROUND] >= 0.55, (seg, m[f, ROUND])
    assert m[:, ROUND].max() > 0.7


def test_mouth_leads_audio():
    """The jaw starts opening before the acoustic onset of the first vowel after a pause."""
    phones = phones_from([("sil", 0.6), ("aa", 0.3), ("sil", 0.6)])
    m = motion_for(phones)
    onset_frame = int(0.6 / 0.04)  # frame starting at the acoustic vowel onset
    assert m[onset_frame - 1, JAW] > 0.05
    assert m[onset_frame - 1, JAW] < m[onset_frame + 3, JAW]


def test_mouth_smooth_outside_closures():
    m = motion_for(SENTENCE)
    assert np.max(np.abs(np.diff(m[:, JAW]))) < 0.5


def test_short_bilabials_between_open_vowels_still_seal():
    phones = phones_from([("sil", 0.3), ("p", 0.025), ("aa", 0.09), ("m", 0.03), ("ae", 0.08), ("b", 0.04),
                          ("aa", 0.2), ("sil", 0.3)])
    m = motion_for(phones)
    for seg in phones:
        if seg.label in ("p", "b", "m"):
            f = nearest_frame(0.5 * (seg.start + seg.end))
            assert m[f, PART] == 0.0 and m[f, JAW] <= 0.05, seg
