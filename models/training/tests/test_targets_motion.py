"""Blinks, head motion, brows, gaze and smile: rates, durations and smoothness in natural ranges."""
import numpy as np

from portrait_train.channels import CHANNEL_INDEX
from portrait_train.data.phones import PhoneSegment
from portrait_train.targets import build_targets
from portrait_train.targets.eyes import blinks


def test_blink_rate_and_duration():
    rng = np.random.default_rng(7)
    frames = 25 * 600  # ten minutes
    left, right, events = blinks(rng, frames, pause_starts=[])
    per_min = len(events) / 10.0
    assert 12.0 <= per_min <= 24.0, per_min
    durations = np.array([d for _, d in events])
    assert durations.min() >= 0.1 and durations.max() <= 0.3
    onsets = np.array([o for o, _ in events])
    assert np.min(np.diff(onsets)) >= 0.5  # refractory period
    assert np.max(left) == 1.0
    assert np.max(np.abs(left - right)) < 0.5  # both eyes together
    assert np.corrcoef(left, right)[0, 1] > 0.9


def test_blinks_prefer_phrase_boundaries():
    rng = np.random.default_rng(3)
    frames = 25 * 600
    pauses = list(np.arange(2.0, 600.0, 6.0))
    _, _, events = blinks(rng, frames, pauses)
    near = sum(any(0 <= o - p <= 0.2 for p in pauses) for o, _ in events)
    assert near / len(events) > 0.25  # by chance about 0.2 / 6 = 3 %
    assert 12.0 <= len(events) / 10.0 <= 26.0


def _utterance(seconds: float, seed: int) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    syllable = (np.sin(2 * np.pi * 3.5 * t) > 0).astype(np.float32)
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.3 * t)
    audio = (0.3 * syllable * np.sin(2 * np.pi * np.cumsum(f0) / 16000)).astype(np.float32)
    phones, x, labels = [], 0.0, ["b", "aa", "d", "iy", "m", "ow"]
    while x < seconds - 0.3:
        phones.append(PhoneSegment(x, x + 0.1, labels[len(phones) % len(labels)]))
        x += 0.1
    phones.append(PhoneSegment(x, seconds, "sil"))
    return build_targets(phones, audio, seed)


def test_head_motion_of_a_talker_and_smooth():
    stds = {name: [] for name in ("head_yaw", "head_pitch", "head_roll")}
    for seed in range(4):
        m = _utterance(20.0, seed)
        for name, limit, step in (("head_yaw", 12.0, 1.2), ("head_pitch", 8.0, 1.2), ("head_roll", 6.0, 0.6)):
            x = m[:, CHANNEL_INDEX[name]]
            assert np.max(np.abs(x)) <= limit, (name, np.max(np.abs(x)))
            assert np.max(np.abs(np.diff(x))) <= step, (name, np.max(np.abs(np.diff(x))))
            second = np.abs(np.diff(x, 2))
            assert np.max(second) <= step / 3, (name, np.max(second))  # no jerks
            stds[name].append(float(np.std(x)))
        for name in ("head_tx", "head_ty", "head_scale"):
            assert np.max(np.abs(m[:, CHANNEL_INDEX[name]])) < 0.08
    # a few degrees, as real talkers move: not the frozen head of a fraction of a degree
    assert 1.5 <= np.mean(stds["head_yaw"]) <= 5.0, stds["head_yaw"]
    assert 1.2 <= np.mean(stds["head_pitch"]) <= 4.0, stds["head_pitch"]
    assert 0.5 <= np.mean(stds["head_roll"]) <= 2.5, stds["head_roll"]


def test_seeded_and_varied():
    a, b, c = _utterance(6.0, 1), _utterance(6.0, 1), _utterance(6.0, 2)
    assert np.array_equal(a, b)
    assert not np.allclose(a[:, CHANNEL_INDEX["head_yaw"]], c[:, CHANNEL_INDEX["head_yaw"]])


def test_brows_gaze_smile_ranges():
    m = _utterance(30.0, 5)
    brow = m[:, CHANNEL_INDEX["brow_raise"]]
    assert brow.max() > 0.1 and np.all(np.abs(brow) <= 1)
    assert np.all((m[:, CHANNEL_INDEX["brow_furrow"]] >= 0) & (m[:, CHANNEL_INDEX["brow_furrow"]] <= 1))
    gx, gy = m[:, CHANNEL_INDEX["gaze_x"]], m[:, CHANNEL_INDEX["gaze_y"]]
    assert np.max(np.abs(gx)) < 0.4 and np.max(np.abs(gy)) < 0.4
    jumps = np.abs(np.diff(gx)) > 0.02
    assert 3 <= jumps.sum() <= 90  # saccades between fixations, not constant jitter
    smile = m[:, CHANNEL_INDEX["smile"]]
    assert -0.2 <= smile.mean() <= 0.5 and np.std(smile) < 0.05


def test_short_utterances_stay_in_range():
    for seed in range(20):
        m = _utterance(0.6, seed)
        assert np.max(np.abs(m[:, CHANNEL_INDEX["smile"]])) < 0.6
        assert np.max(np.abs(m[:, CHANNEL_INDEX["head_yaw"]])) < 5.0
        assert np.max(np.abs(m[:, CHANNEL_INDEX["head_scale"]])) < 0.03
        assert np.max(np.abs(m[:, CHANNEL_INDEX["brow_raise"]])) < 0.8
