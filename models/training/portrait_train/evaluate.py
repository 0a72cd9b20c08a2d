"""Evaluate an exported pack on the heldout utterances through onnxruntime.

    python -m portrait_train.evaluate --pack ../starter --data data [--sets evaldata] [--guidance 1,2,3] [--steps 6,12,25]

Motion is sampled exactly as the engine does (models/SPEC.md, "Windows and segments"): features padded with the
features of digital silence to whole windows; window i conditioned on the last K frames of window i-1 (none for
window 0), with the seam continuity of the manifest's continuity_frames; the initial noise of window i drawn from
numpy's generator seeded with (seed, i); cond and uncond run as one batch. Metrics (portrait_train/metrics.py) are
reported per (guidance, steps) and group, with each group's speaking rate, plus a `targets` row measuring the training
targets themselves. Groups: the training data's held-out real speech (real*) and synthetic speech, and every set of
the natural-rate evaluation sets (`portrait_train.eval_sets`) given with --sets.
Prints a markdown table and writes JSON.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from .dataset import load_split, silence_feature
from .diffusion import SAMPLERS, alpha_bar_table, apply_continuity, continuity_ramp, to_x0
from .data.phones import VOWELS
from .data.record import phones_of
from .data.tempo import pooled_rate
from .metrics import group_metrics, head_diversity


def is_real(row: dict) -> bool:
    source = str(row.get("source", "")).lower()
    return bool(row.get("real")) or "asterisk" in source or source in ("real", "recorded")


class OnnxDenoiser:
    def __init__(self, pack: Path, threads: int = 1):
        self.pack = Path(pack)
        self.manifest = json.loads((self.pack / "manifest.json").read_text())
        den = self.manifest["denoiser"]
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.pack / den["file"]), options, providers=["CPUExecutionProvider"])
        self.window, self.context, self.kind = den["window"], den["context"], den["prediction"]
        self.alpha_bar = alpha_bar_table(den["schedule"])
        self.mean = np.array(self.manifest["channel_mean"], np.float32)
        self.std = np.array(self.manifest["channel_std"], np.float32)
        self.ramp = continuity_ramp(int(den.get("continuity_frames", 0)))
        self.calls = 0

    def guided(self, audio: np.ndarray, prev: np.ndarray, prev_keep: np.ndarray, guidance: float):
        b = audio.shape[0]

        def denoise(x: np.ndarray, t: int) -> np.ndarray:
            ts = np.full(b, float(t), np.float32)
            ab = float(self.alpha_bar[t])
            if guidance == 1.0:
                feeds = {"x_t": x.astype(np.float32), "timestep": ts, "audio": audio, "audio_keep": np.ones(b, np.float32),
                         "prev_motion": prev, "prev_keep": prev_keep}
                self.calls += 1
                return to_x0(self.session.run(None, feeds)[0], x, ab, self.kind)
            two = lambda a: np.concatenate([a, a])  # noqa: E731
            feeds = {"x_t": two(x.astype(np.float32)), "timestep": two(ts), "audio": two(audio),
                     "audio_keep": np.concatenate([np.ones(b, np.float32), np.zeros(b, np.float32)]),
                     "prev_motion": two(prev), "prev_keep": two(prev_keep)}
            self.calls += 1
            x0 = to_x0(self.session.run(None, feeds)[0], two(x), ab, self.kind)
            return x0[b:] + guidance * (x0[:b] - x0[b:])

        return denoise

    def sample(self, features: list[np.ndarray], seeds: list[int], guidance: float, steps: int,
               solver: str = "dpmpp-2m", max_batch: int = 256) -> list[np.ndarray]:
        """Motion [N_i, C] (channel units) for every (features[i], seeds[i]) pair, windows chained per item."""
        w, k = self.window, self.context
        pad = silence_feature()
        counts = [math.ceil(len(f) / w) for f in features]
        padded = [np.concatenate([f, np.repeat(pad[None], n * w - len(f), axis=0)]).astype(np.float32)
                  for f, n in zip(features, counts)]
        outputs = [np.zeros((n * w, len(self.mean)), np.float32) for n in counts]
        for i in range(max(counts)):
            items = [j for j, n in enumerate(counts) if n > i]
            for start in range(0, len(items), max_batch):
                chunk = items[start : start + max_batch]
                audio = np.stack([padded[j][i * w : (i + 1) * w] for j in chunk])
                if i == 0:
                    prev = np.zeros((len(chunk), k, len(self.mean)), np.float32)
                    keep = np.zeros(len(chunk), np.float32)
                else:
                    prev = np.stack([outputs[j][i * w - k : i * w] for j in chunk])
                    keep = np.ones(len(chunk), np.float32)
                noise = np.stack([np.random.default_rng([seeds[j], i]).standard_normal((w, len(self.mean)))
                                  for j in chunk]).astype(np.float32)
                z = SAMPLERS[solver](self.guided(audio, prev, keep, guidance), noise, self.alpha_bar, steps)
                if i > 0:
                    z = apply_continuity(z, prev, self.ramp)
                for row, j in enumerate(chunk):
                    outputs[j][i * w : (i + 1) * w] = z[row]
        return [(o[: len(f)] * self.std + self.mean).astype(np.float32) for o, f in zip(outputs, features)]


Groups = dict[str, tuple[list[dict], list[dict]]]  # name -> (index rows, utterances)


def _grouped(data: Path, key, max_utterances: int) -> Groups:
    rows, utts = load_split(data, "heldout")
    groups: Groups = {}
    for row, utt in zip(rows, utts):
        group = groups.setdefault(key(row), ([], []))
        group[0].append(row)
        group[1].append(utt)
    return {name: _subset(group, max_utterances) for name, group in groups.items()}


def heldout_groups(data: Path, max_utterances: int) -> Groups:
    """The training data's held-out utterances: real speech (real*) and synthetic speech."""
    groups = _grouped(data, lambda row: "real*" if is_real(row) else "synthetic", max_utterances)
    return {name: groups[name] for name in ("real*", "synthetic") if name in groups}


def set_groups(sets_dir: Path, max_utterances: int) -> Groups:
    """The evaluation sets of `portrait_train.eval_sets`, one group per set."""
    return dict(sorted(_grouped(sets_dir, lambda row: str(row.get("set", "unnamed")), max_utterances).items()))


def _subset(group: tuple[list[dict], list[dict]], max_utterances: int) -> tuple[list[dict], list[dict]]:
    rows, utts = group
    if len(rows) <= max_utterances:
        return rows, utts
    chosen = sorted(np.random.default_rng(0).choice(len(rows), size=max_utterances, replace=False).tolist())
    return [rows[i] for i in chosen], [utts[i] for i in chosen]


def group_rate(utts: list[dict]) -> dict[str, float]:
    """Speaking rate of a group: phones and syllables per second of speech (pauses of 150 ms or more excluded)."""
    phones_s, syllables_s, _ = pooled_rate([phones_of(u) for u in utts], frozenset(VOWELS))
    return {"phones_per_second": phones_s, "syllables_per_second": syllables_s}


def evaluate(pack: Path, data: Path | None, guidances: list[float], steps_list: list[int], seeds: int = 3,
             max_utterances: int = 40, solver: str | None = None, threads: int = 1,
             sets: list[Path] | None = None, only: list[str] | None = None) -> dict:
    denoiser = OnnxDenoiser(pack, threads)
    solver = solver or denoiser.manifest["denoiser"]["default_solver"]
    groups: Groups = {}
    if data is not None:
        groups.update(heldout_groups(data, max_utterances))
    for sets_dir in sets or []:
        groups.update(set_groups(sets_dir, max_utterances))
    if only:
        groups = {k: v for k, v in groups.items() if k in only}
    result: dict = {"solver": solver, "seeds": seeds, "groups": {k: len(v[0]) for k, v in groups.items()},
                    "seconds": {k: float(sum(r["seconds"] for r in v[0])) for k, v in groups.items()},
                    "rate": {k: group_rate(v[1]) for k, v in groups.items()}, "rows": []}
    for name, (_, utts) in groups.items():
        targets = group_metrics([u["motion"] for u in utts], utts, denoiser.window)
        result["rows"].append({"group": name, "guidance": None, "steps": None, "head_diversity_deg": None,
                               **result["rate"][name], **targets})
    chosen = [(name, j) for name, (_, utts) in groups.items() for j in range(len(utts))]
    for guidance in guidances:
        for steps in steps_list:
            t0 = time.time()
            feats = [groups[name][1][j]["features"] for name, j in chosen for _ in range(seeds)]
            seed_list = [s for _ in chosen for s in range(seeds)]
            motions = denoiser.sample(feats, seed_list, guidance, steps, solver)
            per_utt = {key: np.stack(motions[i * seeds : (i + 1) * seeds]) for i, key in enumerate(chosen)}
            for name, (_, utts) in groups.items():
                flat = [m for j in range(len(utts)) for m in per_utt[(name, j)]]
                metrics = group_metrics(flat, [u for u in utts for _ in range(seeds)], denoiser.window)
                result["rows"].append({"group": name, "guidance": guidance, "steps": steps, **result["rate"][name],
                                       "head_diversity_deg": head_diversity([per_utt[(name, j)] for j in range(len(utts))]),
                                       **metrics})
            print(f"guidance {guidance} steps {steps}: {time.time() - t0:.1f} s", flush=True)
    return result


COLUMNS = [("group", "group", "{}"), ("syllables_per_second", "syll/s", "{:.1f}"), ("guidance", "guidance", "{}"),
           ("steps", "steps", "{}"),
           ("bilabial_closure", "p/b/m closed", "{:.1%}"), ("open_vowel_opening", "open vowels open", "{:.1%}"),
           ("silence_closure", "silence closed", "{:.1%}"),
           ("short_pause_closure", "short pauses closed", "{:.1%}"), ("corr_target", "r(target)", "{:.2f}"),
           ("corr_envelope", "r(envelope)", "{:.2f}"), ("onset_lag_ms", "onset lag ms", "{:+.0f}"),
           ("lag_vs_target_ms", "lag vs target ms", "{:+.0f}"), ("seam_mouth", "seam mouth", "{:.2f}"),
           ("seam_head", "seam head", "{:.2f}"), ("head_yaw_std_deg", "yaw std deg", "{:.2f}"),
           ("head_pitch_std_deg", "pitch std deg", "{:.2f}"), ("head_diversity_deg", "head div. deg", "{:.2f}")]


def markdown_table(result: dict) -> str:
    lines = ["| " + " | ".join(c[1] for c in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in result["rows"]:
        cells = []
        for key, _, fmt in COLUMNS:
            value = row.get(key)
            if value is None:
                cells.append("targets" if key == "guidance" else "-")
            elif isinstance(value, float) and math.isnan(value):
                cells.append("n/a")
            else:
                cells.append(fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pack", type=Path)
    parser.add_argument("--data", type=Path, help="training data: its held-out utterances (real* and synthetic)")
    parser.add_argument("--sets", type=Path, nargs="*", default=[],
                        help="evaluation set folders (portrait_train.eval_sets): one group per set")
    parser.add_argument("--merge", type=Path, nargs="+", default=None,
                        help="instead of evaluating: merge the rows of these JSON results (runs split across processes)")
    parser.add_argument("--only", default=None, help="comma-separated groups to evaluate (default: all)")
    parser.add_argument("--guidance", default="1,2,3")
    parser.add_argument("--steps", default="6,12,25")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-utterances", type=int, default=40, help="per group")
    parser.add_argument("--solver", default=None, choices=sorted(SAMPLERS))
    parser.add_argument("--json", type=Path, default=Path("eval.json"))
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    args = parser.parse_args(argv)
    if args.merge:
        parts = [json.loads(p.read_text()) for p in args.merge]
        result = {**parts[0], "rows": []}
        seen = set()
        for part in parts:
            for row in part["rows"]:
                key = (row["group"], row["guidance"], row["steps"])
                if key not in seen:
                    seen.add(key)
                    result["rows"].append(row)
        result["rows"].sort(key=lambda r: (r["group"], r["guidance"] or 0, r["steps"] or 0))
        result["table"] = markdown_table(result)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
        print(result["table"])
        return
    if args.pack is None or (args.data is None and not args.sets):
        parser.error("--pack and --data or --sets are required unless --merge is given")
    result = evaluate(args.pack, args.data, [float(g) for g in args.guidance.split(",")],
                      [int(s) for s in args.steps.split(",")], args.seeds, args.max_utterances, args.solver,
                      args.threads, args.sets, args.only.split(",") if args.only else None)
    table = markdown_table(result)
    result["table"] = table
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(table)


if __name__ == "__main__":
    main()
