"""Read a denoiser's weights back from an exported ONNX file into `MotionDenoiser`, to continue training a pack
whose checkpoint is not at hand. Named initializers map by name; the exporter stores linear weights transposed
under generated names, which are matched by exporting a model of the same configuration with distinct random
weights and finding which parameter each generated name holds (the exporter also adds leading unit dimensions)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .export import export_onnx
from .model import ModelConfig, MotionDenoiser


def _initializers(path: Path) -> dict[str, np.ndarray]:
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}


def _name_map(config: ModelConfig) -> dict[str, tuple[str, bool, int | None]]:
    """Generated initializer name -> (parameter name, transposed, row: the row of the parameter it holds, or None)."""
    probe = MotionDenoiser(config)
    generator = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for tensor in probe.state_dict().values():
            tensor.copy_(torch.randn(tensor.shape, generator=generator))
    params = {k: v.numpy() for k, v in probe.state_dict().items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.onnx"
        export_onnx(probe, path)
        exported = _initializers(path)
    mapping: dict[str, tuple[str, bool, int | None]] = {}
    for name, value in exported.items():
        for key, param in params.items():
            if param.size == value.size and np.array_equal(param.reshape(value.shape), value):
                mapping[name] = (key, False, None)
            elif param.ndim == 2 and param.T.shape == value.shape and np.array_equal(param.T, value):
                mapping[name] = (key, True, None)
            else:
                rows = [i for i in range(len(param)) if param.ndim == 2 and param[i].size == value.size
                        and np.array_equal(param[i].reshape(value.shape), value)]
                if not rows:
                    continue
                mapping[name] = (key, False, rows[0])
            break
    return mapping


def load_onnx_weights(path: Path, config: ModelConfig) -> MotionDenoiser:
    """A model of `config` holding the weights of the ONNX denoiser at `path`. Throws when a parameter is missing."""
    mapping = _name_map(config)
    model = MotionDenoiser(config)
    state = model.state_dict()
    found: set[str] = set()
    rows_found: dict[str, set[int]] = {}
    for name, value in _initializers(path).items():
        key, transposed, row = mapping.get(name, (name, False, None))
        if key not in state:
            continue
        if row is not None:
            state[key][row] = torch.from_numpy(np.array(value, np.float32).reshape(state[key][row].shape))
            rows_found.setdefault(key, set()).add(row)
            if len(rows_found[key]) == len(state[key]):
                found.add(key)
            continue
        array = value.T if transposed else value
        if array.size == state[key].numel():
            array = array.reshape(tuple(state[key].shape))
        if tuple(array.shape) != tuple(state[key].shape):
            raise ValueError(f"{path}: initializer {name} has shape {array.shape}, parameter {key} needs {tuple(state[key].shape)}")
        state[key] = torch.from_numpy(np.array(array, np.float32))
        found.add(key)
    missing = sorted(set(state) - found)
    if missing:
        raise ValueError(f"{path}: no weights for {missing[:5]}{'...' if len(missing) > 5 else ''} ({len(missing)} missing)")
    model.load_state_dict(state)
    return model
