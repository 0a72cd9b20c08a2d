"""The committed starter pack matches this toolkit's contract: manifest, hashes, ONNX signature, parity fixture."""
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from portrait_train.channels import CHANNELS
from portrait_train.export import decode
from portrait_train.manifest import DENOISER_INPUTS, validate_manifest
from portrait_train.paths import MODELS_DIR

PACK = MODELS_DIR / "starter"
pytestmark = pytest.mark.skipif(not (PACK / "manifest.json").exists(), reason="no starter pack exported yet")


def test_manifest_is_valid_and_every_named_file_hashes_right():
    manifest = json.loads((PACK / "manifest.json").read_text())
    assert manifest["channels"] == list(CHANNELS)
    assert validate_manifest(manifest, PACK) == []


def test_denoiser_signature_and_parity_fixture():
    manifest = json.loads((PACK / "manifest.json").read_text())
    path = PACK / manifest["denoiser"]["file"]
    assert [i.name for i in onnx.load(str(path)).graph.input] == list(DENOISER_INPUTS)
    fixture = json.loads((PACK / "parity-fixture.json").read_text())
    feeds = {k: decode(v) for k, v in fixture["inputs"].items()}
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    assert np.abs(got - decode(fixture["outputs"]["prediction"])).max() < fixture["tolerance"]
