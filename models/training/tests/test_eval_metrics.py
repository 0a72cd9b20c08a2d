"""Lip-sync metrics on hand-made curves, and the evaluation loop on a tiny exported pack."""
import shutil

import numpy as np
import pytest
import torch

from portrait_train.channels import CHANNEL_INDEX
from portrait_train.evaluate import OnnxDenoiser, evaluate, markdown_table
from portrait_train.export import export_pack
from portrait_train.metrics import group_metrics, head_diversity, onset_lag_ms, phone_counts
from portrait_train.model import ModelConfig, MotionDenoiser
from portrait_train.paths import AUDIO_MODELS_DIR
from portrait_train.synthetic import write_dataset

torch.set_num_threads(1)  # small models; one thread is fastest on a shared 2-core machine


def test_phone_counts_on_a_hand_made_curve():
    opening = np.zeros(50)
    opening[10:15] = 0.5  # "aa" at 0.40-0.60 s opens
    opening[18:27] = 0.3  # "p" at 0.80-1.00 s (+-20 ms) fails to close
    spans = np.array([[0.0, 0.4], [0.4, 0.6], [0.6, 0.8], [0.8, 1.0], [1.2, 1.6], [1.6, 2.0]])
    labels = np.array(["sil", "AA1", "m", "P", "ae", "sil"])
    c = phone_counts(opening, spans, labels)
    assert c.bilabial == [True, False]
    assert c.open_vowel == [True, False]
    assert all(c.silence) and len(c.silence) == 6 + 6  # frames 2..7 and 42..47


def test_onset_lag_recovers_a_known_delay():
    rng = np.random.default_rng(0)
    env = np.convolve((rng.random(400) < 0.1).astype(float), np.hanning(7), mode="same")
    delayed = np.concatenate([np.zeros(2), env[:-2]])
    assert onset_lag_ms([delayed], [env]) == pytest.approx(80, abs=8)
    assert onset_lag_ms([env], [delayed]) == pytest.approx(-80, abs=8)
    assert onset_lag_ms([env], [env]) == pytest.approx(0, abs=1)


def test_head_diversity_is_the_std_across_seeds():
    a = np.zeros((3, 10, 20))
    a[:, :, CHANNEL_INDEX["head_yaw"]] = np.array([-1.0, 0.0, 1.0])[:, None]
    assert head_diversity([a]) == pytest.approx(np.std([-1, 0, 1]) / 3)


def test_group_metrics_of_the_targets_themselves(tmp_path):
    data = write_dataset(tmp_path, utterances=6, seed=1)
    from portrait_train.dataset import load_split
    _, utts = load_split(data, "train")
    m = group_metrics([u["motion"] for u in utts], utts)
    assert m["corr_target"] == pytest.approx(1.0)
    assert m["silence_closure"] == 1.0 and m["lag_vs_target_ms"] == pytest.approx(0.0, abs=1)


def test_evaluate_runs_chained_windows_on_a_tiny_pack(tmp_path):
    shutil.copytree(AUDIO_MODELS_DIR, tmp_path / "audio", ignore=shutil.ignore_patterns("*.md"))
    torch.manual_seed(0)
    model = MotionDenoiser(ModelConfig(d_model=32, layers=1, heads=2)).eval()
    export_pack(model, [0.0] * 20, [1.0] * 20, tmp_path / "starter")
    data = write_dataset(tmp_path / "data", utterances=8, seed=2, heldout_fraction=0.5)
    result = evaluate(tmp_path / "starter", data, [1.0, 2.0], [3], seeds=2, max_utterances=3)
    assert len(result["rows"]) == len(result["groups"]) * 3
    table = markdown_table(result)
    assert any(line.startswith("| real* |") and "| targets |" in line for line in table.splitlines()), table
    den = OnnxDenoiser(tmp_path / "starter")
    feats = [np.random.default_rng(0).standard_normal((120, 224)).astype(np.float32)] * 2
    a, b = den.sample(feats, [5, 5], 2.0, 3)
    assert a.shape == (120, 20) and np.array_equal(a, b)
    c, = den.sample(feats[:1], [6], 2.0, 3)
    assert not np.array_equal(a, c)


def test_short_pauses_count_when_the_mouth_closes_somewhere_inside():
    from portrait_train.metrics import phone_counts
    spans = np.array([[0.0, 0.3], [0.3, 0.6], [0.6, 0.8], [0.8, 1.2], [1.2, 1.6]])
    labels = np.array(["aa", "ae", "sil", "ah", "sil"])
    opening = np.full(40, 0.5)
    assert phone_counts(opening, spans, labels).short_pause == [False]  # the final silence is not a pause
    opening[17] = 0.02
    assert phone_counts(opening, spans, labels).short_pause == [True]
