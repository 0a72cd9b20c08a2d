"""Train the motion denoiser.

    python -m portrait_train.train --data data --out runs/NAME --minutes 45 [--device auto]

Time-budgeted: the learning rate follows a cosine over the wall-clock budget (after a short warm-up), so a run
ends with a decayed learning rate whatever the machine's speed. Keeps an EMA of the weights (exported), writes
runs/NAME/checkpoint.pt every few minutes and at the end, and logs to runs/NAME/log.jsonl.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch

from .channels import CHANNEL_INDEX, NUM_CHANNELS
from .dataset import LiveWindows, MotionStats, WindowBank, check_motion_shape, live_rows_of, load_index, load_utterance, silence_feature
from .diffusion import DEFAULT_SCHEDULE, Schedule, diffusion_loss, training_target
from .model import ModelConfig, MotionDenoiser, parameter_count
from .onnx_weights import load_onnx_weights


def channel_weights(mouth: float = 2.0, key: float = 3.0) -> torch.Tensor:
    w = torch.ones(NUM_CHANNELS)
    w[: CHANNEL_INDEX["smile"] + 1] = mouth
    for name in ("jaw_open", "lips_part", "lips_press"):
        w[CHANNEL_INDEX[name]] = key
    return w / w.mean()


def open_signs() -> torch.Tensor:
    """+1 on the channels whose larger value opens the mouth, -1 on lips_press (larger seals), 0 elsewhere."""
    sign = torch.zeros(NUM_CHANNELS)
    sign[CHANNEL_INDEX["jaw_open"]] = 1.0
    sign[CHANNEL_INDEX["lips_part"]] = 1.0
    sign[CHANNEL_INDEX["lips_press"]] = -1.0
    return sign


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


class Trainer:
    def __init__(self, model: MotionDenoiser, schedule: Schedule, lr: float = 1e-3, weight_decay: float = 0.01,
                 ema_decay: float = 0.999, device: torch.device = torch.device("cpu"), velocity_weight: float = 1.0,
                 closure_hinge: float = 0.0):
        self.model = model.to(device)
        self.ema = copy.deepcopy(model).to(device).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.schedule = schedule
        self.alpha_bar = schedule.alpha_bar.to(device)
        self.device = device
        self.base_lr = lr
        self.ema_decay = ema_decay
        self.velocity_weight = velocity_weight
        self.weights = channel_weights().to(device)
        self.open_sign = open_signs().to(device)
        self.closure_hinge = closure_hinge
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, betas=(0.9, 0.99))
        self.step = 0

    def loss(self, model: MotionDenoiser, batch, generator: torch.Generator | None = None) -> tuple[torch.Tensor, dict]:
        dev = self.device
        x0 = batch.x0.to(dev)
        b = x0.shape[0]
        t = torch.randint(0, self.schedule.timesteps, (b,), generator=generator).to(dev)
        noise = torch.randn(x0.shape, generator=generator).to(dev)
        x_t = self.schedule.q_sample(x0, t, noise)
        prev, prev_keep = batch.prev_motion.to(dev), batch.prev_keep.to(dev)
        pred = model(x_t, t.float(), batch.audio.to(dev), batch.audio_keep.to(dev), prev, prev_keep)
        kind = model.config.prediction
        target = training_target(x0, noise, self.alpha_bar[t], kind)
        frame_weight = None if batch.frame_weight is None else batch.frame_weight.to(dev)
        if kind == "x0":
            # Without audio the model cannot know where a p/b/m falls: the unconditional branch stays unbiased, or
            # guidance (2 x cond - uncond) would turn its extra closing into extra opening.
            sealed = None if batch.sealed is None else batch.sealed.to(dev) * batch.audio_keep.to(dev)[:, None]
            return diffusion_loss(pred, target, self.weights, self.velocity_weight, prev, prev_keep, frame_weight,
                                  sealed, self.open_sign, self.closure_hinge)
        return diffusion_loss(pred, target, self.weights, 0.0, frame_weight=frame_weight)

    def train_step(self, batch, lr: float) -> dict:
        self.model.train()
        for group in self.opt.param_groups:
            group["lr"] = lr
        loss, parts = self.loss(self.model, batch)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.step += 1
        decay = min(self.ema_decay, (1 + self.step) / (10 + self.step))
        with torch.no_grad():
            for pe, p in zip(self.ema.parameters(), self.model.parameters()):
                pe.lerp_(p, 1 - decay)
        return {"loss": float(loss.detach()), "grad_norm": float(grad_norm), **parts}

    @torch.no_grad()
    def eval_loss(self, batch, seed: int = 0) -> float:
        g = torch.Generator().manual_seed(seed)
        return float(self.loss(self.ema, batch, g)[0])


class TrainingData:
    """Utterances of the dataset (index.jsonl, plus entries/*.json of a build in progress), loaded once each;
    `refresh` picks up utterances added or rewritten since. With `live_rows`, each utterance's audio rows are the
    ones a realtime session makes of it (`dataset.live_rows_of`) instead of its batch features."""

    def __init__(self, data_dir: Path, live_rows: Path | None = None, live: LiveWindows | None = None):
        self.data_dir = Path(data_dir)
        self.live_rows, self.live = live_rows, live
        self.cache: dict[str, dict] = {}
        self.rows: dict[str, dict] = {}
        self.train: list[dict] = []
        self.held: list[dict] = []
        self.hours_by_source: dict[str, float] = {}

    def refresh(self) -> bool:
        """Load utterances that are new or rewritten (e.g. retargeted) since the last call. Utterances missing from
        the current index stay (the builder rewrites the index as it goes, so it may list only part of the set)."""
        try:
            index = load_index(self.data_dir)
        except (OSError, ValueError):  # the builder may be replacing the index right now
            return False
        for path in sorted((self.data_dir / "entries").glob("*.json")):  # finished items of a build in progress
            try:
                index += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            except (OSError, ValueError):
                continue
        changed = False
        for row in index:
            if row.get("split") not in ("train", "heldout"):
                continue
            if self.rows.get(row["id"], {}).get("split") != row["split"]:
                changed = True
            self.rows[row["id"]] = row
        for uid, row in self.rows.items():
            try:
                file_mtime = (self.data_dir / row["file"]).stat().st_mtime
                cached = self.cache.get(uid)
                if cached is not None and cached["mtime"] == file_mtime:
                    continue
                utt = load_utterance(self.data_dir, row)
            except (OSError, ValueError, KeyError):
                continue
            check_motion_shape(utt)
            features = utt["features"] if self.live_rows is None else live_rows_of(self.live_rows, uid, utt["features"])
            self.cache[uid] = {"features": features, "motion": utt["motion"], "mtime": file_mtime}
            changed = True
        if not changed:
            return False
        rows = [r for uid, r in sorted(self.rows.items()) if uid in self.cache]
        self.train = [self.cache[r["id"]] for r in rows if r["split"] == "train"]
        self.held = [self.cache[r["id"]] for r in rows if r["split"] == "heldout"]
        hours: dict[str, float] = {}
        for r in rows:
            if r["split"] == "train":
                hours[r["source"]] = hours.get(r["source"], 0.0) + float(r["seconds"]) / 3600
        self.hours_by_source = hours
        return True

    def banks(self, stats: MotionStats, config: ModelConfig, pad: np.ndarray):
        bank = WindowBank(self.train, stats, config.window, config.context, pad)
        held = None
        if self.held:
            held_bank = WindowBank(self.held, stats, config.window, config.context, pad)
            held = held_bank.sample(256, np.random.default_rng(123), audio_drop_p=0.0, live=self.live)
        return bank, held


def lr_at(fraction: float, base: float, warmup: float = 0.03, floor: float = 0.05) -> float:
    if fraction < warmup:
        return base * max(fraction / warmup, 0.02)
    progress = min(1.0, (fraction - warmup) / (1 - warmup))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def save_checkpoint(path: Path, trainer: Trainer, stats: MotionStats, extra: dict) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({
        "config": trainer.model.config.to_dict(), "model": trainer.model.state_dict(),
        "ema": trainer.ema.state_dict(), "optimizer": trainer.opt.state_dict(), "step": trainer.step,
        "channel_mean": stats.mean.tolist(), "channel_std": stats.std.tolist(),
        "schedule": DEFAULT_SCHEDULE, **extra,
    }, tmp)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch", type=int, default=96)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--d-model", type=int, default=ModelConfig.d_model)
    parser.add_argument("--layers", type=int, default=ModelConfig.layers)
    parser.add_argument("--heads", type=int, default=ModelConfig.heads)
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads; 0 = 2 on an idle machine, 1 when the load average exceeds 1 (on a busy "
                             "2-core machine two threads were measured 10x slower than one)")
    parser.add_argument("--closure-hinge", type=float, default=0.0,
                        help="weight of the one-sided penalty on a mouth more open than its target at the frames that "
                             "seal a p/b/m (diffusion_loss); 0 = the symmetric loss of packs 0.1.0 and 0.2.0")
    parser.add_argument("--live-rows", type=Path, default=None,
                        help="train a model for realtime sessions: audio rows from this folder of live-training-rows.ts output")
    parser.add_argument("--live-hop", type=int, default=2, help="with --live-rows: frames a session keeps per window")
    parser.add_argument("--live-lookahead", type=int, default=0,
                        help="with --live-rows: frames of rows a window hears past its hop (silence after)")
    parser.add_argument("--live-rest-weight", type=float, default=0.25,
                        help="with --live-rows: loss weight of the frames past the hop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint-minutes", type=float, default=3.0)
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--init", type=Path, default=None,
                        help="start from this run's checkpoint (its EMA weights, configuration and normalisation)")
    parser.add_argument("--init-pack", type=Path, default=None,
                        help="start from the denoiser of this exported pack (e.g. ../starter: its weights read back "
                             "from ONNX); normalisation statistics come from the data")
    parser.add_argument("--reload-minutes", type=float, default=0.0,
                        help="while the dataset is still being built: re-read index.jsonl this often and add new "
                             "utterances (normalisation statistics stay those of the first load)")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    if args.threads <= 0:
        args.threads = 1 if os.getloadavg()[0] > 1.0 else 2
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    t_load = time.time()
    live = None if args.live_rows is None else LiveWindows(args.live_hop, args.live_lookahead, args.live_rest_weight)
    data = TrainingData(args.data, args.live_rows, live)
    data.refresh()
    if args.init is not None:
        init = torch.load(args.init / "checkpoint.pt", map_location="cpu", weights_only=False)
        config = ModelConfig.from_dict(init["config"])
        stats = MotionStats(np.array(init["channel_mean"], np.float32), np.array(init["channel_std"], np.float32))
        model = MotionDenoiser(config)
        model.load_state_dict(init["ema"])
        prior = {"init": str(args.init), "init_steps": int(init["step"]), "init_minutes": float(init.get("minutes", 0))}
    elif args.init_pack is not None:
        manifest = json.loads((args.init_pack / "manifest.json").read_text())
        den = manifest["denoiser"]
        config = ModelConfig(window=den["window"], context=den["context"], d_model=args.d_model, layers=args.layers,
                             heads=args.heads)
        model = load_onnx_weights(args.init_pack / den["file"], config)
        prior = {"init_pack": f"{manifest['name']} {manifest['version']}"}
    else:
        config = ModelConfig(d_model=args.d_model, layers=args.layers, heads=args.heads)
        feats = np.concatenate([u["features"] for u in data.train])
        model = MotionDenoiser(config)
        model.set_feature_stats(feats.mean(axis=0), feats.std(axis=0))
        del feats
        prior = {}
    if live is not None:  # recorded in the checkpoint: export_live checks the timing it is exported for
        prior["live"] = {"hop": live.hop, "lookahead": live.lookahead, "rest_weight": live.rest_weight}
    if args.init is None:  # a run's checkpoint carries its normalisation; a pack continues on the new data's
        stats = MotionStats.from_motion(np.concatenate([u["motion"] for u in data.train]))
    pad = silence_feature()
    bank, held_batch = data.banks(stats, config, pad)
    trainer = Trainer(model, Schedule.create(), lr=args.lr, device=device, closure_hinge=args.closure_hinge)
    rng = np.random.default_rng(args.seed)
    log = (args.out / "log.jsonl").open("a")
    info = {"event": "start", "train_utterances": len(data.train), "heldout_utterances": len(data.held),
            "train_frames": bank.frames, "train_hours": bank.frames / 25 / 3600, "params": parameter_count(model),
            "device": str(device), "threads": args.threads, "batch": args.batch, "config": config.to_dict(),
            "load_seconds": round(time.time() - t_load, 1), "closure_hinge": args.closure_hinge,
            **prior, "live": None if live is None else {"rows": str(args.live_rows), **prior["live"]}}
    print(json.dumps(info), flush=True)
    log.write(json.dumps(info) + "\n")
    last_reload = time.time()
    budget = args.minutes * 60
    start = last_ckpt = last_log = time.time()
    recent: list[float] = []
    while True:
        elapsed = time.time() - start
        if elapsed >= budget or (args.max_steps is not None and trainer.step >= args.max_steps):
            break
        batch = bank.sample(args.batch, rng, live=live)
        out = trainer.train_step(batch, lr_at(elapsed / budget, args.lr))
        recent.append(out["loss"])
        now = time.time()
        if now - last_log >= 30 or trainer.step == 1:
            entry = {"step": trainer.step, "minutes": round((now - start) / 60, 2), "loss": float(np.mean(recent)),
                     "mse": out["mse"], "vel": out["vel"], "hinge": out.get("hinge"), "lr": lr_at(elapsed / budget, args.lr),
                     "steps_per_s": trainer.step / max(now - start, 1e-6)}
            if held_batch is not None and now - last_ckpt >= args.checkpoint_minutes * 60 - 30:
                entry["heldout_loss_ema"] = trainer.eval_loss(held_batch)
            print(json.dumps(entry), flush=True)
            log.write(json.dumps(entry) + "\n")
            log.flush()
            recent, last_log = [], now
        if args.reload_minutes > 0 and now - last_reload >= args.reload_minutes * 60 and data.refresh():
            bank, held_batch = data.banks(stats, config, pad)
            entry = {"event": "reload", "step": trainer.step, "train_utterances": len(data.train),
                     "heldout_utterances": len(data.held), "train_hours": bank.frames / 25 / 3600}
            print(json.dumps(entry), flush=True)
            log.write(json.dumps(entry) + "\n")
        if args.reload_minutes > 0 and now - last_reload >= args.reload_minutes * 60:
            last_reload = now
        if now - last_ckpt >= args.checkpoint_minutes * 60:
            save_checkpoint(args.out / "checkpoint.pt", trainer, stats, {"minutes": (now - start) / 60, **prior})
            last_ckpt = now
    minutes = (time.time() - start) / 60
    final = {"event": "end", "step": trainer.step, "minutes": round(minutes, 2)}
    if held_batch is not None:
        final["heldout_loss_ema"] = trainer.eval_loss(held_batch)
    save_checkpoint(args.out / "checkpoint.pt", trainer, stats, {"minutes": minutes, "device": str(device),
                                                                   "train_hours": bank.frames / 25 / 3600,
                                                                   "train_hours_by_source": data.hours_by_source,
                                                                   **prior})
    print(json.dumps(final), flush=True)
    log.write(json.dumps(final) + "\n")
    log.close()


if __name__ == "__main__":
    main()
