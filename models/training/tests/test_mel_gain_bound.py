"""The constants the TS front-end uses to skip mel blocks that cannot hold the clip's peak
(packages/audio-features/src/front-end-layout.ts) match melspectrogram.onnx's weights."""
import re
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

REPO = Path(__file__).resolve().parents[3]
LAYOUT = REPO / "packages" / "audio-features" / "src" / "front-end-layout.ts"
MEL_MODEL = REPO / "models" / "audio" / "melspectrogram.onnx"


def _weights():
    weights = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in onnx.load(str(MEL_MODEL)).graph.initializer}
    return weights["0.stft.conv_real.weight"][:, 0, :], weights["0.stft.conv_imag.weight"][:, 0, :], weights["1.melW"]


def test_window_support_is_where_the_stft_weights_are_nonzero():
    real, imag, _ = _weights()
    nonzero = np.nonzero(np.abs(real).sum(0) + np.abs(imag).sum(0))[0]
    text = LAYOUT.read_text()
    first = int(re.search(r"MEL_WINDOW_SUPPORT = \{ first: (\d+), end: (\d+) \}", text).group(1))
    end = int(re.search(r"MEL_WINDOW_SUPPORT = \{ first: (\d+), end: (\d+) \}", text).group(2))
    assert (first, end) == (nonzero.min(), nonzero.max() + 1)


def test_gain_bound_is_the_largest_eigenvalue_of_the_mel_bands_rounded_up():
    real, imag, mel = _weights()
    largest = max(
        np.linalg.eigvalsh((real.T * mel[:, band]) @ real + (imag.T * mel[:, band]) @ imag)[-1] for band in range(mel.shape[1])
    )
    bound = float(re.search(r"MEL_GAIN_BOUND = ([0-9.]+);", LAYOUT.read_text()).group(1))
    assert largest <= bound <= largest * 1.0001
