"""models/audio/embedding_sequence.onnx is what derive_embedding_sequence.py makes of embedding_model.onnx, and it
embeds every eighth window of a mel sequence exactly as the window model embeds each window alone."""
import importlib.util
from pathlib import Path

import numpy as np
import onnxruntime as ort

REPO = Path(__file__).resolve().parents[3]
AUDIO = REPO / "models" / "audio"
WINDOW = 76
STRIDE = 8


def _derive_module():
    spec = importlib.util.spec_from_file_location("derive_embedding_sequence", AUDIO / "derive" / "derive_embedding_sequence.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def test_committed_file_is_the_derivation_of_the_window_model():
    derived = _derive_module().derive(AUDIO / "embedding_model.onnx").SerializeToString()
    assert derived == (AUDIO / "embedding_sequence.onnx").read_bytes()


def test_sequence_run_equals_each_window_run_alone():
    rng = np.random.default_rng(7)
    frames = WINDOW + STRIDE * 20 + 5
    mel = rng.uniform(-1.0, 3.0, size=(frames, 32)).astype(np.float32)
    sequence = _session(AUDIO / "embedding_sequence.onnx").run(None, {"mel": mel[None, :, :, None]})[0]
    starts = range(0, frames - WINDOW + 1, STRIDE)
    windows = np.stack([mel[s:s + WINDOW] for s in starts])[:, :, :, None]
    alone = _session(AUDIO / "embedding_model.onnx").run(None, {"input_1": windows})[0].reshape(len(starts), 96)
    assert sequence.shape == (len(starts), 96)
    np.testing.assert_array_equal(sequence, alone)
