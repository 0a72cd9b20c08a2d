"""Export a tiny model as a pack, then check it with onnxruntime, the manifest and the parity fixture."""
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from portrait_train.channels import CHANNELS
from portrait_train.export import decode, export_pack, torch_run
from portrait_train.manifest import sha256_of, validate_manifest
from portrait_train.model import ModelConfig, MotionDenoiser
from portrait_train.paths import AUDIO_MODELS_DIR

torch.set_num_threads(1)  # small models; one thread is fastest on a shared 2-core machine

TINY = ModelConfig(d_model=32, layers=1, heads=2)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    shutil.copytree(AUDIO_MODELS_DIR, root / "audio", ignore=shutil.ignore_patterns("*.md"))
    torch.manual_seed(0)
    model = MotionDenoiser(TINY)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    result = export_pack(model.eval(), [0.1] * 20, [0.5] * 20, root / "starter", provenance="# test\n")
    return root / "starter", model, result


def test_onnx_signature(pack):
    out, _, _ = pack
    graph = onnx.load(str(out / "denoiser.onnx")).graph
    assert [i.name for i in graph.input] == ["x_t", "timestep", "audio", "audio_keep", "prev_motion", "prev_keep"]
    assert [o.name for o in graph.output] == ["prediction"]
    dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in graph.input}
    assert dims["x_t"] == ["batch", 50, 20] and dims["audio"] == ["batch", 50, 224]
    assert dims["prev_motion"] == ["batch", 10, 20] and dims["timestep"] == ["batch"]
    opset = {o.domain: o.version for o in onnx.load(str(out / "denoiser.onnx")).opset_import}
    assert opset[""] == 17


def test_onnxruntime_matches_torch(pack):
    _, _, result = pack
    assert result["max_abs_error"] < 1e-4


def test_manifest_validates_and_hashes_match(pack):
    out, _, _ = pack
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["channels"] == list(CHANNELS)
    assert manifest["denoiser"]["prediction"] == "x0" and manifest["denoiser"]["default_solver"] == "dpmpp-2m"
    problems = validate_manifest(manifest, out)
    assert all("/face/" in p for p in problems), problems
    for rel in ("denoiser.onnx", "../audio/melspectrogram.onnx", "../audio/embedding_model.onnx"):
        assert manifest["files"][rel]["sha256"] == sha256_of(out / rel)
        assert manifest["files"][rel]["bytes"] == (out / rel).stat().st_size
    manifest["files"]["denoiser.onnx"]["sha256"] = "0" * 64
    assert any("sha256 of denoiser.onnx" in p for p in validate_manifest(manifest, out))


def test_parity_fixture_reproduces_with_onnxruntime(pack):
    out, model, _ = pack
    fixture = json.loads((out / "parity-fixture.json").read_text())
    assert (out / "parity-fixture.json").stat().st_size < 300_000
    feeds = {k: decode(v) for k, v in fixture["inputs"].items()}
    assert feeds["x_t"].shape == (2, 50, 20)
    session = ort.InferenceSession(str(out / "denoiser.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(None, feeds)[0]
    assert np.abs(got - decode(fixture["outputs"]["prediction"])).max() < 1e-4
    assert np.abs(torch_run(model, feeds) - decode(fixture["outputs"]["prediction"])).max() == 0
    assert set(fixture["sampling"]["results"]) == {"ddim", "dpmpp-2m"}


def test_refresh_files_rehashes_a_changed_file(tmp_path):
    from portrait_train.manifest import refresh_files
    shutil.copytree(AUDIO_MODELS_DIR, tmp_path / "audio", ignore=shutil.ignore_patterns("*.md"))
    export_pack(MotionDenoiser(TINY).eval(), [0.0] * 20, [1.0] * 20, tmp_path / "starter")
    with open(tmp_path / "audio" / "melspectrogram.onnx", "ab") as f:
        f.write(b"\0")
    manifest = json.loads((tmp_path / "starter" / "manifest.json").read_text())
    assert any("melspectrogram" in p for p in validate_manifest(manifest, tmp_path / "starter"))
    refreshed = refresh_files(tmp_path / "starter")
    assert not [p for p in validate_manifest(refreshed, tmp_path / "starter") if "/face/" not in p]
