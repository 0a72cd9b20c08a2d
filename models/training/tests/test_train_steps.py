"""Windows from the dataset and a few training steps on synthetic data."""
import numpy as np
import pytest
import torch

from portrait_train.dataset import MotionStats, WindowBank, load_split
from portrait_train.diffusion import Schedule
from portrait_train.model import ModelConfig, MotionDenoiser
from portrait_train.synthetic import write_dataset
from portrait_train.train import Trainer, lr_at, main

torch.set_num_threads(1)  # small models; one thread is fastest on a shared 2-core machine


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("synth"), utterances=24, seed=3)


def bank_for(data, config=ModelConfig()):
    _, utts = load_split(data, "train")
    stats = MotionStats.from_motion(np.concatenate([u["motion"] for u in utts]))
    return WindowBank(utts, stats, config.window, config.context), stats


def test_heldout_utterances_stay_out_of_training(data):
    train_rows, _ = load_split(data, "train")
    held_rows, _ = load_split(data, "heldout")
    assert held_rows and train_rows
    assert not {r["id"] for r in train_rows} & {r["id"] for r in held_rows}


def test_windows_shapes_context_and_dropout(data):
    bank, _ = bank_for(data)
    batch = bank.sample(2000, np.random.default_rng(0))
    assert batch.x0.shape == (2000, 50, 20) and batch.audio.shape == (2000, 50, 224)
    assert batch.prev_motion.shape == (2000, 10, 20)
    assert 0.08 < 1 - float(batch.audio_keep.mean()) < 0.16
    no_ctx = batch.prev_keep == 0
    assert 0.15 < float(no_ctx.float().mean()) < 0.35
    assert torch.all(batch.prev_motion[no_ctx] == 0)


def test_context_is_the_k_frames_before_the_window(data):
    bank, _ = bank_for(data)
    batch = bank.sample(400, np.random.default_rng(1), first_window_p=0.0, context_drop_p=0.0)
    motion = bank.motion.numpy()
    for i in range(20):
        window = batch.x0[i].numpy()
        starts = [s for s in range(10, len(motion) - 49) if np.array_equal(motion[s : s + 50], window)]
        assert any(np.array_equal(motion[s - 10 : s], batch.prev_motion[i].numpy()) for s in starts)


def test_normalisation_uses_train_statistics(data):
    _, utts = load_split(data, "train")
    stats = MotionStats.from_motion(np.concatenate([u["motion"] for u in utts]))
    z = stats.normalise(np.concatenate([u["motion"] for u in utts]))
    moving = z.std(axis=0) > 0
    assert np.allclose(z.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(z.std(axis=0)[moving], 1, atol=1e-3)


def test_a_few_steps_lower_the_loss(data):
    torch.manual_seed(0)
    config = ModelConfig(d_model=32, layers=1, heads=2, window=20, context=4)
    bank, _ = bank_for(data, config)
    trainer = Trainer(MotionDenoiser(config), Schedule.create(), lr=3e-3)
    fixed = bank.sample(64, np.random.default_rng(5))
    before = trainer.eval_loss(fixed)
    rng = np.random.default_rng(0)
    for step in range(40):
        trainer.train_step(bank.sample(16, rng), lr_at(step / 40, 3e-3, warmup=0.05))
    trainer.ema.load_state_dict(trainer.model.state_dict())
    assert trainer.eval_loss(fixed) < 0.6 * before


def test_lr_schedule_warms_up_and_decays():
    assert lr_at(0.0, 1.0) < 0.05
    assert lr_at(0.03, 1.0) == pytest.approx(1.0)
    assert lr_at(1.0, 1.0) == pytest.approx(0.05)


def test_cli_writes_a_checkpoint(data, tmp_path):
    main(["--data", str(data), "--out", str(tmp_path / "run"), "--minutes", "1", "--max-steps", "3",
          "--d-model", "32", "--layers", "1", "--heads", "2", "--batch", "8"])
    ckpt = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    assert ckpt["step"] == 3 and len(ckpt["channel_std"]) == 20
    assert (tmp_path / "run" / "log.jsonl").read_text().count("\n") >= 2
