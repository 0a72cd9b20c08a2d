"""export_live: a run trained for sessions added to an exported pack as its live_denoiser."""
import json
import shutil

import numpy as np
import onnxruntime as ort
import pytest
import torch

from portrait_train.export import export_pack, example_inputs, torch_run
from portrait_train.export_live import LIVE_FILE, PROVENANCE_HEADING, LiveExportError, export_live
from portrait_train.manifest import sha256_of, validate_manifest
from portrait_train.model import ModelConfig, MotionDenoiser
from portrait_train.paths import AUDIO_MODELS_DIR

torch.set_num_threads(1)

TINY = ModelConfig(d_model=32, layers=1, heads=2)
MEAN, STD = [0.1] * 20, [0.5] * 20


def tiny_model(seed: int) -> MotionDenoiser:
    torch.manual_seed(seed)
    model = MotionDenoiser(TINY)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return model.eval()


def write_run(path, model, mean=MEAN, live=None):
    path.mkdir(parents=True)
    extra = {} if live is None else {"live": live}
    torch.save({"config": model.config.to_dict(), "ema": model.state_dict(), "model": model.state_dict(), "step": 42,
                "minutes": 1.5, "channel_mean": mean, "channel_std": STD, "init_pack": "starter 0.2.0", **extra},
               path / "checkpoint.pt")
    return path


@pytest.fixture()
def pack(tmp_path):
    shutil.copytree(AUDIO_MODELS_DIR, tmp_path / "audio", ignore=shutil.ignore_patterns("*.md"))
    export_pack(tiny_model(0), MEAN, STD, tmp_path / "starter", provenance="# Starter pack provenance\n")
    return tmp_path / "starter"


def test_adds_the_file_the_section_and_provenance(pack, tmp_path):
    live_model = tiny_model(1)
    run = write_run(tmp_path / "runs" / "live", live_model, live={"hop": 2, "lookahead": 0, "rest_weight": 0.25})
    result = export_live(run, pack, hop=2, lookahead=0, feature_lookahead_ms=40, steps=6)
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["live_denoiser"] == {"file": LIVE_FILE, "hop_frames": 2, "lookahead_frames": 0,
                                         "feature_lookahead_ms": 40, "default_steps": 6}
    assert manifest["files"][LIVE_FILE]["sha256"] == sha256_of(pack / LIVE_FILE)
    assert manifest["denoiser"]["file"] == "denoiser.onnx"
    assert all("/face/" in p for p in validate_manifest(manifest, pack))
    assert result["onnx_vs_torch_max_abs_error"] < 1e-4
    inputs = example_inputs(TINY, 2, seed=7)
    got = ort.InferenceSession(str(pack / LIVE_FILE), providers=["CPUExecutionProvider"]).run(["prediction"], inputs)[0]
    np.testing.assert_allclose(got, torch_run(live_model, inputs), atol=1e-4)
    provenance = (pack / "PROVENANCE.md").read_text()
    assert provenance.startswith("# Starter pack provenance") and provenance.count(PROVENANCE_HEADING) == 1

    export_live(run, pack, hop=2, lookahead=0, feature_lookahead_ms=40, steps=4)
    again = json.loads((pack / "manifest.json").read_text())
    assert again["live_denoiser"]["default_steps"] == 4
    assert (pack / "PROVENANCE.md").read_text().count(PROVENANCE_HEADING) == 1


def test_refuses_another_normalisation(pack, tmp_path):
    run = write_run(tmp_path / "runs" / "other", tiny_model(1), mean=[0.2] * 20)
    with pytest.raises(LiveExportError, match="channel_mean"):
        export_live(run, pack, hop=2, lookahead=0, feature_lookahead_ms=40, steps=6)
    assert "live_denoiser" not in json.loads((pack / "manifest.json").read_text())


def test_refuses_a_timing_it_was_not_trained_for(pack, tmp_path):
    run = write_run(tmp_path / "runs" / "live", tiny_model(1), live={"hop": 2, "lookahead": 0, "rest_weight": 0.25})
    with pytest.raises(LiveExportError, match="hop 2 and look-ahead 0"):
        export_live(run, pack, hop=3, lookahead=0, feature_lookahead_ms=40, steps=6)
    assert not (pack / LIVE_FILE).exists()
    fewer = write_run(tmp_path / "runs" / "l1", tiny_model(1), live={"hop": 2, "lookahead": 1, "rest_weight": 0.25})
    with pytest.raises(LiveExportError, match="not another hop or less"):
        export_live(fewer, pack, hop=2, lookahead=0, feature_lookahead_ms=40, steps=6)


def test_may_run_with_more_look_ahead_than_trained_and_says_so(pack, tmp_path):
    run = write_run(tmp_path / "runs" / "live", tiny_model(1), live={"hop": 2, "lookahead": 0, "rest_weight": 0.25})
    export_live(run, pack, hop=2, lookahead=1, feature_lookahead_ms=40, steps=6)
    assert json.loads((pack / "manifest.json").read_text())["live_denoiser"]["lookahead_frames"] == 1
    assert "Trained with look-ahead 0; the manifest runs it at 1" in (pack / "PROVENANCE.md").read_text()
