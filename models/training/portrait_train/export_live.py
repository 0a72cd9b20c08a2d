"""Add a motion model trained for realtime sessions (`train --live-rows ...`) to an exported pack, as its
`live_denoiser` (models/SPEC.md): denoiser_live.onnx beside the pack's denoiser, the manifest section naming the
session timing it was trained for, and a section of PROVENANCE.md.

    python -m portrait_train.export_live --run runs/live-h2-l0b --pack ../starter --hop 2 --lookahead 0 \\
        --feature-lookahead-ms 40 [--steps 6]

The run must have the pack denoiser's configuration (window, context, prediction) and normalisation: a session
swaps one model for the other on the same motion space. Re-running replaces the file and both sections.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from .export import OPSET, export_onnx, load_run, verify_onnx
from .manifest import add_live_denoiser, live_denoiser_problems, validate_manifest, write_json
from .model import parameter_count

LIVE_FILE = "denoiser_live.onnx"
PROVENANCE_HEADING = "## The motion model for realtime sessions (denoiser_live.onnx)"


class LiveExportError(ValueError):
    pass


def check_compatible(ckpt: dict, manifest: dict) -> None:
    """The run can stand in for the pack's denoiser: same window, context, prediction and normalisation."""
    den = manifest["denoiser"]
    config = ckpt["config"]
    for key in ("window", "context", "prediction"):
        if config[key] != den[key]:
            raise LiveExportError(f"the run's {key} is {config[key]!r}, the pack's denoiser.{key} is {den[key]!r}")
    for key in ("channel_mean", "channel_std"):
        run, pack = np.array(ckpt[key], np.float64), np.array(manifest[key], np.float64)
        if run.shape != pack.shape or not np.allclose(run, pack, rtol=0, atol=1e-6):
            raise LiveExportError(f"the run's {key} differs from the pack's (largest difference "
                                  f"{float(np.abs(run - pack).max()) if run.shape == pack.shape else 'shape'}): "
                                  "a session could not swap one model for the other")
    live = ckpt.get("live")
    if live is None and "init" not in ckpt and "init_pack" not in ckpt:
        raise LiveExportError("the checkpoint records no live training (train --live-rows)")


def provenance_section(ckpt: dict, run: Path, hop: int, lookahead: int, feature_lookahead_ms: int, params: int,
                       onnx_bytes: int, prior: str, trained_lookahead: int) -> str:
    run_at = "" if trained_lookahead == lookahead else (
        f" Trained with look-ahead {trained_lookahead}; the manifest runs it at {lookahead} (TRAINING.md has the measurement).")
    return f"""{PROVENANCE_HEADING}

| file | made by | license |
|---|---|---|
| denoiser_live.onnx | trained by `models/training` (`portrait_train.train --live-rows ...`, then `portrait_train.export_live`) | Apache-2.0 |

The same network as denoiser.onnx ({params} parameters, {onnx_bytes / 1e6:.2f} MB ONNX, opset {OPSET}), trained for
sessions: its audio rows are the ones a session's feature stream makes ({feature_lookahead_ms} ms look-ahead, written by
packages/audio-features/scripts/live-training-rows.ts), and each window hears only its first {hop} + {trained_lookahead} frames of
rows, silence after, as a session with hop {hop} and look-ahead {trained_lookahead} feeds it.{run_at} {float(ckpt.get('minutes', 0)):.1f} minutes
({ckpt['step']} steps) of run `{run.name}`{prior}, on the same data as denoiser.onnx. No third-party weights are included.
See models/training/TRAINING.md, "A motion model for realtime sessions".
"""


def prior_text(ckpt: dict) -> str:
    if ckpt.get("init_pack"):
        return f", continued from the weights of pack {ckpt['init_pack']}"
    if ckpt.get("init"):
        earlier = Path(ckpt["init"]) / "checkpoint.pt"
        chain = ""
        if earlier.exists():
            before = torch.load(earlier, map_location="cpu", weights_only=False)
            chain = (f" ({before['step']} steps, {float(before.get('minutes', 0)):.1f} minutes"
                     f"{prior_text(before)})")
        return f", continued from the EMA weights of run `{Path(ckpt['init']).name}`{chain}"
    return ", trained from scratch"


def write_provenance(path: Path, section: str) -> None:
    text = path.read_text() if path.exists() else ""
    if PROVENANCE_HEADING in text:
        text = text[: text.index(PROVENANCE_HEADING)].rstrip("\n") + "\n"
    path.write_text(text.rstrip("\n") + "\n\n" + section)


def export_live(run: Path, pack: Path, hop: int, lookahead: int, feature_lookahead_ms: int, steps: int,
                weights: str = "ema", trained_lookahead: int | None = None) -> dict:
    """`trained_lookahead`: the run's look-ahead, for checkpoints written before train recorded it."""
    manifest = json.loads((pack / "manifest.json").read_text())
    model, ckpt = load_run(run, weights)
    check_compatible(ckpt, manifest)
    trained = ckpt.get("live")
    if trained is None and trained_lookahead is not None:
        trained = {"hop": hop, "lookahead": trained_lookahead}
    if trained is not None and (trained["hop"] != hop or lookahead < trained["lookahead"]):
        raise LiveExportError(f"the run was trained for hop {trained['hop']} and look-ahead {trained['lookahead']}: "
                              f"sessions may give it more look-ahead, not another hop or less (asked: {hop} and {lookahead})")
    wanted = {"file": LIVE_FILE, "hop_frames": hop, "lookahead_frames": lookahead,
              "feature_lookahead_ms": feature_lookahead_ms, "default_steps": steps}
    problems = live_denoiser_problems({**manifest, "live_denoiser": wanted})
    if problems:
        raise LiveExportError("; ".join(problems))
    onnx_path = pack / LIVE_FILE
    export_onnx(model, onnx_path)
    error = verify_onnx(model, onnx_path)
    if error > 1e-3:
        raise RuntimeError(f"onnxruntime differs from PyTorch by {error:.3g} (allowed 1e-3)")
    manifest = add_live_denoiser(manifest, LIVE_FILE, hop, lookahead, feature_lookahead_ms, steps, pack)
    problems = [p for p in validate_manifest(manifest, pack) if "/face/" not in p]
    if problems:
        raise RuntimeError("manifest invalid: " + "; ".join(problems))
    write_json(pack / "manifest.json", manifest)
    size = onnx_path.stat().st_size
    write_provenance(pack / "PROVENANCE.md", provenance_section(ckpt, run, hop, lookahead, feature_lookahead_ms,
                                                                parameter_count(model), size, prior_text(ckpt),
                                                                lookahead if trained is None else trained["lookahead"]))
    return {"onnx": str(onnx_path), "bytes": size, "onnx_vs_torch_max_abs_error": error,
            "live_denoiser": manifest["live_denoiser"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--pack", type=Path, required=True, help="an exported pack (its manifest.json is updated)")
    parser.add_argument("--hop", type=int, required=True, help="frames a session keeps per window (train --live-hop)")
    parser.add_argument("--lookahead", type=int, required=True,
                        help="frames of rows past the hop sessions give it (at least train --live-lookahead)")
    parser.add_argument("--feature-lookahead-ms", type=int, required=True,
                        help="the feature stream's look-ahead of the live rows it was trained on")
    parser.add_argument("--steps", type=int, default=6, help="denoiser steps of a session's window")
    parser.add_argument("--weights", default="ema", choices=["ema", "model"])
    parser.add_argument("--trained-lookahead", type=int, default=None,
                        help="the run's train --live-lookahead, where its checkpoint does not record it")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    try:
        result = export_live(args.run, args.pack, args.hop, args.lookahead, args.feature_lookahead_ms, args.steps,
                             args.weights, args.trained_lookahead)
    except LiveExportError as error:
        raise SystemExit(f"export_live: {error}") from None
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
