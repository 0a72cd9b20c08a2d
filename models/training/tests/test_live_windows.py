"""Training windows for a motion model run by realtime sessions: live rows instead of batch rows, the window hearing
only its hop and look-ahead, the frames past the hop counting less."""
import json

import numpy as np
import pytest
import torch

from portrait_train.dataset import LiveWindows, MotionStats, WindowBank, load_split, load_utterance
from portrait_train.synthetic import write_dataset
from portrait_train.train import TrainingData, main

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("synth-live"), utterances=16, seed=5)


def write_live_rows(data, out, transform=lambda f: f + 0.5):
    out.mkdir(parents=True, exist_ok=True)
    for line in (data / "index.jsonl").read_text().splitlines():
        row = json.loads(line)
        np.save(out / f"{row['id']}.npy", transform(load_utterance(data, row)["features"]).astype(np.float32))
    return out


def test_a_live_window_hears_its_hop_and_lookahead_and_counts_the_rest_less(data):
    _, utts = load_split(data, "train")
    stats = MotionStats.from_motion(np.concatenate([u["motion"] for u in utts]))
    pad = np.full(224, -3.0, np.float32)
    bank = WindowBank(utts, stats, 50, 10, pad)
    live = LiveWindows(hop=2, lookahead=1, rest_weight=0.25)
    plain = bank.sample(64, np.random.default_rng(9))
    windows = bank.sample(64, np.random.default_rng(9), live=live)
    assert torch.equal(windows.x0, plain.x0) and torch.equal(windows.prev_motion, plain.prev_motion)
    assert torch.equal(windows.audio[:, :3], plain.audio[:, :3])
    assert torch.all(windows.audio[:, 3:] == torch.from_numpy(pad))
    assert torch.equal(windows.frame_weight[:, :2], plain.frame_weight[:, :2])
    assert torch.allclose(windows.frame_weight[:, 2:], plain.frame_weight[:, 2:] * 0.25)
    again = bank.sample(64, np.random.default_rng(9))
    assert torch.equal(again.audio, plain.audio) and torch.equal(again.frame_weight, plain.frame_weight)


def test_live_windows_refuse_settings_a_session_cannot_run():
    with pytest.raises(ValueError, match="hop >= 1"):
        LiveWindows(hop=0, lookahead=0)
    with pytest.raises(ValueError, match="rest_weight"):
        LiveWindows(hop=2, lookahead=0, rest_weight=1.5)


def test_training_data_takes_the_live_rows_and_names_a_missing_or_wrong_file(data, tmp_path):
    rows = write_live_rows(data, tmp_path / "live")
    live = TrainingData(data, rows, LiveWindows(2, 0))
    batch = TrainingData(data)
    live.refresh()
    batch.refresh()
    for uid, cached in batch.cache.items():
        assert np.array_equal(live.cache[uid]["features"], cached["features"] + 0.5)
    missing = next(rows.iterdir())
    missing.unlink()
    with pytest.raises(FileNotFoundError, match=f"no live rows for utterance {missing.stem}"):
        TrainingData(data, rows).refresh()
    np.save(missing, np.zeros((3, 224), np.float32))
    with pytest.raises(ValueError, match="live rows must be float32"):
        TrainingData(data, rows).refresh()


def test_train_runs_on_live_rows(data, tmp_path):
    rows = write_live_rows(data, tmp_path / "live")
    main(["--data", str(data), "--out", str(tmp_path / "run"), "--minutes", "1", "--max-steps", "2",
          "--d-model", "32", "--layers", "1", "--heads", "2", "--batch", "8",
          "--live-rows", str(rows), "--live-hop", "2", "--live-lookahead", "1"])
    start = json.loads((tmp_path / "run" / "log.jsonl").read_text().splitlines()[0])
    assert start["live"] == {"rows": str(rows), "hop": 2, "lookahead": 1, "rest_weight": 0.25}
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)["step"] == 2
