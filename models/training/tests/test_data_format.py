"""Augmentation keeps length and alignment; the npz format round trip; one job end to end."""
import json

import numpy as np
import pytest

from portrait_train.data import augment
from portrait_train.data.jobs import Job, retarget, run_job
from portrait_train.data.phones import PhoneSegment
from portrait_train.data.record import load_utterance, phones_of, save_utterance


def speechlike(seconds: float = 1.5) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * 16000)) / 16000
    env = (np.sin(2 * np.pi * 3 * t) > 0.2).astype(np.float32)
    return (0.3 * env * (np.sin(2 * np.pi * 180 * t) + 0.3 * rng.standard_normal(len(t)))).astype(np.float32)


@pytest.mark.parametrize("kind", augment.AUGMENTS)
def test_augmentation_keeps_length_and_alignment(kind):
    audio = speechlike()
    out = augment.apply(audio, kind, np.random.default_rng(1))
    assert out.shape == audio.shape and out.dtype == np.float32
    assert np.all(np.isfinite(out))
    if kind != "gain":
        assert not np.allclose(out, audio)
    assert augment._best_lag(audio, out, 400) == 0


def test_npz_round_trip(tmp_path):
    audio = speechlike(1.0)
    n = -(-len(audio) // 640)
    phones = [PhoneSegment(0.0, 0.3, "sil"), PhoneSegment(0.3, 0.5, "m"), PhoneSegment(0.5, 1.0, "aa")]
    features = np.random.default_rng(0).standard_normal((n, 224)).astype(np.float32)
    motion = np.random.default_rng(1).standard_normal((n, 20)).astype(np.float32)
    env = np.abs(features[:, 0])
    save_utterance(tmp_path / "x.npz", features, motion, audio, phones, env)
    r = load_utterance(tmp_path / "x.npz")
    assert r["audio"].dtype == np.int16 and len(r["audio"]) == len(audio)
    assert np.max(np.abs(r["audio"] / 32768.0 - audio)) < 1e-4
    assert np.array_equal(r["features"], features) and np.array_equal(r["motion"], motion)
    assert r["phone_labels"].tolist() == ["sil", "m", "aa"]
    assert phones_of(r) == [PhoneSegment(p.start, p.end, p.label) for p in phones_of(r)]
    assert r["phone_start_end"].dtype == np.float32 and r["envelope"].shape == (n,)
    with pytest.raises(ValueError):
        save_utterance(tmp_path / "y.npz", features[:-1], motion, audio, phones, env)
    with pytest.raises(ValueError):
        save_utterance(tmp_path / "y.npz", features, motion, audio, [PhoneSegment(0, 1, "zz")], env)


def test_job_end_to_end(tmp_path):
    job = Job("flite", [{"id": "flite-test", "voice": "kal16", "lang": "en", "split": "train", "augments": ["opus"],
                         "params": {"text": "Pay me.", "stretch": 1.0, "f0_mean": 110.0}}])
    entries = run_job(job, tmp_path)
    assert [e["id"] for e in entries] == ["flite-test", "flite-test-opus"]
    assert entries[1]["augment"] == "opus" and entries[0]["augment"] is None
    clean = load_utterance(tmp_path / entries[0]["file"])
    noisy = load_utterance(tmp_path / entries[1]["file"])
    n = -(-len(clean["audio"]) // 640)
    assert clean["features"].shape == (n, 224) and clean["motion"].shape == (n, 20)
    assert np.array_equal(clean["motion"], noisy["motion"]) and np.array_equal(clean["envelope"], noisy["envelope"])
    assert len(noisy["audio"]) == len(clean["audio"]) and not np.array_equal(noisy["features"], clean["features"])
    assert run_job(job, tmp_path) == [json.loads(json.dumps(e)) for e in entries]  # reused, not rebuilt
    before = clean["motion"].copy()
    retarget("flite-test", ["flite-test", "flite-test-opus"], tmp_path)
    assert np.allclose(load_utterance(tmp_path / entries[1]["file"])["motion"], before)
