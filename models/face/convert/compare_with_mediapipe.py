"""Compares portrait-farm's 478 face landmarks with MediaPipe's own Face Mesh solution on one image.

MediaPipe's legacy Python solution (refine_landmarks=True: attention mesh with iris) is the reference.
It needs its own environment, apart from the converter's (its protobuf pin clashes with onnx's):

    python -m venv /tmp/mpvenv
    /tmp/mpvenv/bin/pip install "numpy<2" absl-py "protobuf<5" attrs opencv-python-headless==4.10.0.84
    /tmp/mpvenv/bin/pip install --no-deps mediapipe==0.10.14
    # mediapipe imports matplotlib only for drawing helpers; an empty stand-in package is enough:
    mkdir -p /tmp/mpstub/matplotlib && touch /tmp/mpstub/matplotlib/__init__.py /tmp/mpstub/matplotlib/pyplot.py
    PYTHONPATH=/tmp/mpstub /tmp/mpvenv/bin/python compare_with_mediapipe.py IMAGE OURS.json

OURS.json holds `Array.from(analysis.landmarks)` (478 x 3 numbers) from @portrait-farm/face for IMAGE.
Prints the mean and largest 2-D distance in pixels for the mesh (0-467) and the irises (468-477).
"""

from __future__ import annotations

import json
import sys

import cv2
import numpy as np
from mediapipe.python.solutions import face_mesh


def mediapipe_landmarks(path: str) -> np.ndarray:
    image = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
    height, width = image.shape[:2]
    with face_mesh.FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=1) as mesh:
        result = mesh.process(image)
    if not result.multi_face_landmarks:
        raise SystemExit(f'MediaPipe found no face in {path}')
    return np.array([[p.x * width, p.y * height, p.z * width] for p in result.multi_face_landmarks[0].landmark])


def main() -> None:
    reference = mediapipe_landmarks(sys.argv[1])
    ours = np.array(json.load(open(sys.argv[2])), dtype=np.float64).reshape(478, 3)
    distance = np.linalg.norm(ours[:, :2] - reference[:, :2], axis=1)
    eyes = np.linalg.norm(reference[468, :2] - reference[473, :2])
    print(f'inter-iris distance {eyes:.1f} px')
    print(f'mesh 0-467:   mean {distance[:468].mean():.2f} px, max {distance[:468].max():.2f} px')
    print(f'iris 468-477: mean {distance[468:].mean():.2f} px, max {distance[468:].max():.2f} px')


if __name__ == '__main__':
    main()
