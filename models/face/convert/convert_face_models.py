"""Builds models/face/*.onnx from MediaPipe's TFLite face models and checks them against TFLite.

Run once, offline, from anywhere (not part of CI):

    pip install tflite==2.18.0 ai-edge-litert==2.3.0 pillow onnx onnxruntime numpy
    pip download --no-deps mediapipe==0.10.14 -d /tmp/wheels   # only for iris_landmark.tflite
    npm install                                                 # @mediapipe/face_mesh, @mediapipe/face_detection
    python models/face/convert/convert_face_models.py --mediapipe-wheel /tmp/wheels/mediapipe-0.10.14-*.whl

Writes the ONNX files next to this folder and prints, per model, the maximum absolute difference between
onnxruntime and the TFLite interpreter on inputs cut from test/fixtures/astronaut.png.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image

from tflite_to_onnx import convert_tflite

HERE = Path(__file__).resolve().parent
FACE_DIR = HERE.parent
REPO = FACE_DIR.parent.parent
FACE_MESH_DATA = REPO / 'node_modules/@mediapipe/face_mesh/face_mesh_solution_packed_assets.data'
FACE_DETECTION_DIR = REPO / 'node_modules/@mediapipe/face_detection'
IRIS_IN_WHEEL = 'mediapipe/modules/iris_landmark/iris_landmark.tflite'
FIXTURE = REPO / 'test/fixtures/astronaut.png'

# Byte range of face_landmark.tflite inside face_mesh_solution_packed_assets.data (@mediapipe/face_mesh).
FACE_LANDMARK_RANGE = (2495952, 3737848)


def sources(wheel: str) -> dict[str, bytes]:
    packed = FACE_MESH_DATA.read_bytes()
    with zipfile.ZipFile(glob.glob(wheel)[0]) as archive:
        iris = archive.read(IRIS_IN_WHEEL)
    return {
        'face_detector.onnx': (FACE_DETECTION_DIR / 'face_detection_short_range.tflite').read_bytes(),
        'face_detector_full.onnx': (FACE_DETECTION_DIR / 'face_detection_full_range.tflite').read_bytes(),
        'face_landmarks.onnx': packed[FACE_LANDMARK_RANGE[0]:FACE_LANDMARK_RANGE[1]],
        'iris_landmarks.onnx': iris,
    }


def crop(image: Image.Image, box: tuple[int, int, int, int], size: int, low: float) -> np.ndarray:
    """Crops box (left, top, right, bottom), resizes to size x size, scales to [low, 1], NHWC batch of 1."""
    pixels = np.asarray(image.crop(box).resize((size, size), Image.BILINEAR), np.float32) / 255.0
    return (pixels * (1.0 - low) + low)[None].astype(np.float32)


def test_inputs() -> dict[str, np.ndarray]:
    image = Image.open(FIXTURE).convert('RGB')
    return {
        'face_detector.onnx': crop(image, (0, 0, 512, 512), 128, -1.0),
        'face_detector_full.onnx': crop(image, (0, 0, 512, 512), 192, -1.0),
        'face_landmarks.onnx': crop(image, (140, 40, 320, 220), 192, 0.0),
        'iris_landmarks.onnx': crop(image, (190, 90, 240, 140), 64, 0.0),
    }


def max_errors(tflite_bytes: bytes, onnx_path: Path, feed: np.ndarray) -> dict[str, float]:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=tflite_bytes)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]['index'], feed)
    interpreter.invoke()
    expected = {d['name']: interpreter.get_tensor(d['index']) for d in interpreter.get_output_details()}
    session = ort.InferenceSession(str(onnx_path), providers=['CPUExecutionProvider'])
    names = [o.name for o in session.get_outputs()]
    actual = dict(zip(names, session.run(None, {session.get_inputs()[0].name: feed})))
    return {
        name: {'max_abs_error': float(np.max(np.abs(actual[name] - value))), 'max_abs_value': float(np.max(np.abs(value)))}
        for name, value in expected.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--mediapipe-wheel', required=True, help='path (glob allowed) of mediapipe-0.10.14 wheel')
    args = parser.parse_args()
    report = {}
    inputs = test_inputs()
    for name, tflite_bytes in sources(args.mediapipe_wheel).items():
        model = convert_tflite(tflite_bytes, producer=f'portrait-farm convert_face_models.py ({name})')
        path = FACE_DIR / name
        onnx.save(model, str(path))
        report[name] = {
            'source_sha256': hashlib.sha256(tflite_bytes).hexdigest(),
            'onnx_sha256': hashlib.sha256(path.read_bytes()).hexdigest(),
            'bytes': path.stat().st_size,
            'outputs': max_errors(tflite_bytes, path, inputs[name]),
        }
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()
