"""Converts the float TFLite graphs of MediaPipe's face models to ONNX.

Only the operators those models use are supported (CONV_2D, DEPTHWISE_CONV_2D, ADD, RELU, PRELU,
MAX_POOL_2D, PAD, RESHAPE, CONCATENATION, RESIZE_BILINEAR, DEQUANTIZE of float16 weights).
Activations run in NCHW inside the ONNX graph; the model input keeps TFLite's NHWC layout and
every output keeps its TFLite shape, so outputs compare one to one with the TFLite interpreter.
"""

from __future__ import annotations

import numpy as np
import onnx
import tflite
from onnx import TensorProto, helper, numpy_helper

_TFLITE_TO_NUMPY = {
    tflite.TensorType.FLOAT32: np.float32,
    tflite.TensorType.FLOAT16: np.float16,
    tflite.TensorType.INT32: np.int32,
    tflite.TensorType.INT64: np.int64,
}

_BUILTIN_NAMES = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith('_')}


class Converter:
    def __init__(self, tflite_bytes: bytes) -> None:
        self.model = tflite.Model.GetRootAsModel(tflite_bytes, 0)
        if self.model.SubgraphsLength() != 1:
            raise ValueError('only single-subgraph models are supported')
        self.graph = self.model.Subgraphs(0)
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.constants: dict[int, np.ndarray] = {}
        # tensor index -> ONNX value name holding it in NCHW (4-D) or as is (other ranks)
        self.values: dict[int, str] = {}
        self.counter = 0

    # --- helpers -------------------------------------------------------------------------------
    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f'{stem}__{self.counter}'

    def tensor(self, index: int) -> tflite.Tensor:
        return self.graph.Tensors(index)

    def shape(self, index: int) -> list[int]:
        t = self.tensor(index)
        return [int(d) for d in t.ShapeAsNumpy()] if t.ShapeLength() else []

    def name(self, index: int) -> str:
        return self.tensor(index).Name().decode()

    def buffer_array(self, index: int) -> np.ndarray | None:
        t = self.tensor(index)
        buf = self.model.Buffers(t.Buffer())
        if buf is None or buf.DataLength() == 0:
            return None
        dtype = _TFLITE_TO_NUMPY[t.Type()]
        return np.frombuffer(buf.DataAsNumpy().tobytes(), dtype=dtype).reshape(self.shape(index))

    def constant(self, index: int) -> np.ndarray:
        if index in self.constants:
            return self.constants[index]
        array = self.buffer_array(index)
        if array is None:
            raise ValueError(f'tensor {self.name(index)} is not a constant')
        return array

    def add_initializer(self, array: np.ndarray, stem: str) -> str:
        name = self.fresh(stem)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], stem: str, **attrs: object) -> str:
        out = self.fresh(stem)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def activation(self, value: str, fused: int, stem: str) -> str:
        if fused == tflite.ActivationFunctionType.NONE:
            return value
        if fused == tflite.ActivationFunctionType.RELU:
            return self.node('Relu', [value], stem)
        if fused == tflite.ActivationFunctionType.RELU6:
            return self.node('Clip', [value, self.add_initializer(np.array(0, np.float32), 'zero'),
                                      self.add_initializer(np.array(6, np.float32), 'six')], stem)
        raise ValueError(f'unsupported fused activation {fused}')

    @staticmethod
    def same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
        effective = (kernel - 1) * dilation + 1
        out = (size + stride - 1) // stride
        total = max((out - 1) * stride + effective - size, 0)
        return total // 2, total - total // 2

    def spatial_pads(self, in_shape: list[int], kh: int, kw: int, sh: int, sw: int, padding: int,
                     dh: int = 1, dw: int = 1) -> list[int]:
        if padding == tflite.Padding.VALID:
            return [0, 0, 0, 0]
        top, bottom = self.same_pads(in_shape[1], kh, sh, dh)
        left, right = self.same_pads(in_shape[2], kw, sw, dw)
        return [top, left, bottom, right]

    def options(self, op: tflite.Operator, cls: type) -> object:
        table = op.BuiltinOptions()
        opts = cls()
        opts.Init(table.Bytes, table.Pos)
        return opts

    # --- operators -----------------------------------------------------------------------------
    def convert_operator(self, op: tflite.Operator) -> None:
        code = self.model.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        kind = _BUILTIN_NAMES.get(builtin, str(builtin))
        inputs = [int(i) for i in op.InputsAsNumpy()]
        outputs = [int(i) for i in op.OutputsAsNumpy()]
        out = outputs[0]
        stem = self.name(out).replace('/', '_').replace(';', '_').replace(':', '_')

        if kind == 'DEQUANTIZE':
            self.constants[out] = self.constant(inputs[0]).astype(np.float32)
            return
        if kind == 'CONV_2D':
            o = self.options(op, tflite.Conv2DOptions)
            w = self.constant(inputs[1]).astype(np.float32)  # [O, kh, kw, I]
            pads = self.spatial_pads(self.shape(inputs[0]), w.shape[1], w.shape[2], o.StrideH(), o.StrideW(),
                                     o.Padding(), o.DilationHFactor(), o.DilationWFactor())
            args = [self.values[inputs[0]], self.add_initializer(w.transpose(0, 3, 1, 2).copy(), 'w')]
            if len(inputs) > 2 and inputs[2] >= 0:
                args.append(self.add_initializer(self.constant(inputs[2]).astype(np.float32), 'b'))
            y = self.node('Conv', args, stem, kernel_shape=[w.shape[1], w.shape[2]],
                          strides=[o.StrideH(), o.StrideW()], pads=pads,
                          dilations=[o.DilationHFactor(), o.DilationWFactor()])
            self.values[out] = self.activation(y, o.FusedActivationFunction(), stem + '_act')
            return
        if kind == 'DEPTHWISE_CONV_2D':
            o = self.options(op, tflite.DepthwiseConv2DOptions)
            w = self.constant(inputs[1]).astype(np.float32)  # [1, kh, kw, C*mult]
            channels_in = self.shape(inputs[0])[3]
            pads = self.spatial_pads(self.shape(inputs[0]), w.shape[1], w.shape[2], o.StrideH(), o.StrideW(),
                                     o.Padding(), o.DilationHFactor(), o.DilationWFactor())
            args = [self.values[inputs[0]], self.add_initializer(w.transpose(3, 0, 1, 2).copy(), 'dw')]
            if len(inputs) > 2 and inputs[2] >= 0:
                args.append(self.add_initializer(self.constant(inputs[2]).astype(np.float32), 'b'))
            y = self.node('Conv', args, stem, kernel_shape=[w.shape[1], w.shape[2]], group=channels_in,
                          strides=[o.StrideH(), o.StrideW()], pads=pads,
                          dilations=[o.DilationHFactor(), o.DilationWFactor()])
            self.values[out] = self.activation(y, o.FusedActivationFunction(), stem + '_act')
            return
        if kind == 'ADD':
            o = self.options(op, tflite.AddOptions)
            y = self.node('Add', [self.operand(inputs[0], out), self.operand(inputs[1], out)], stem)
            self.values[out] = self.activation(y, o.FusedActivationFunction(), stem + '_act')
            return
        if kind == 'RELU':
            self.values[out] = self.node('Relu', [self.values[inputs[0]]], stem)
            return
        if kind == 'PRELU':
            alpha = self.constant(inputs[1]).astype(np.float32)
            slope = alpha.reshape(-1)
            rank = len(self.shape(inputs[0]))
            slope = slope.reshape([-1, 1, 1]) if rank == 4 else alpha
            self.values[out] = self.node('PRelu', [self.values[inputs[0]], self.add_initializer(slope, 'alpha')], stem)
            return
        if kind == 'MAX_POOL_2D':
            o = self.options(op, tflite.Pool2DOptions)
            pads = self.spatial_pads(self.shape(inputs[0]), o.FilterHeight(), o.FilterWidth(), o.StrideH(),
                                     o.StrideW(), o.Padding())
            y = self.node('MaxPool', [self.values[inputs[0]]], stem, kernel_shape=[o.FilterHeight(), o.FilterWidth()],
                          strides=[o.StrideH(), o.StrideW()], pads=pads)
            self.values[out] = self.activation(y, o.FusedActivationFunction(), stem + '_act')
            return
        if kind == 'PAD':
            paddings = self.constant(inputs[1]).astype(np.int64)  # [rank, 2] in NHWC
            if paddings.shape[0] == 4:
                paddings = paddings[[0, 3, 1, 2]]
            pads = np.concatenate([paddings[:, 0], paddings[:, 1]]).astype(np.int64)
            self.values[out] = self.node('Pad', [self.values[inputs[0]], self.add_initializer(pads, 'pads')], stem)
            return
        if kind == 'RESHAPE':
            source = self.values[inputs[0]]
            if len(self.shape(inputs[0])) == 4:
                source = self.node('Transpose', [source], stem + '_nhwc', perm=[0, 2, 3, 1])
            target = np.array(self.shape(out), np.int64)
            y = self.node('Reshape', [source, self.add_initializer(target, 'shape')], stem)
            if len(target) == 4:
                y = self.node('Transpose', [y], stem + '_nchw', perm=[0, 3, 1, 2])
            self.values[out] = y
            return
        if kind == 'CONCATENATION':
            o = self.options(op, tflite.ConcatenationOptions)
            rank = len(self.shape(out))
            axis = o.Axis() % rank
            if rank == 4:
                axis = [0, 2, 3, 1][axis]
            y = self.node('Concat', [self.values[i] for i in inputs], stem, axis=axis)
            self.values[out] = self.activation(y, o.FusedActivationFunction(), stem + '_act')
            return
        if kind == 'RESIZE_BILINEAR':
            o = self.options(op, tflite.ResizeBilinearOptions)
            size = self.constant(inputs[1]).astype(np.int64)
            n, _, _, c = self.shape(inputs[0])
            sizes = np.array([n, c, int(size[0]), int(size[1])], np.int64)
            if o.AlignCorners():
                mode = 'align_corners'
            elif o.HalfPixelCenters():
                mode = 'half_pixel'
            else:
                mode = 'asymmetric'
            self.values[out] = self.node('Resize', [self.values[inputs[0]], '', '', self.add_initializer(sizes, 'sizes')],
                                         stem, mode='linear', coordinate_transformation_mode=mode)
            return
        raise ValueError(f'unsupported operator {kind}')

    def operand(self, index: int, like: int) -> str:
        """A value for an elementwise operand: activations as they are, constants laid out like `like`."""
        if index in self.values:
            return self.values[index]
        array = self.constant(index).astype(np.float32)
        if len(self.shape(like)) == 4 and array.ndim == 4:
            array = array.transpose(0, 3, 1, 2).copy()
        elif len(self.shape(like)) == 4 and array.ndim in (1, 3):
            array = array.reshape(-1)[:, None, None] if array.size > 1 else array.reshape(())
        return self.add_initializer(array, 'const')

    # --- graph ---------------------------------------------------------------------------------
    def convert(self, producer: str) -> onnx.ModelProto:
        graph_inputs = []
        for i in range(self.graph.InputsLength()):
            index = int(self.graph.Inputs(i))
            shape = self.shape(index)
            graph_inputs.append(helper.make_tensor_value_info(self.name(index), TensorProto.FLOAT, shape))
            value = self.name(index)
            if len(shape) == 4:
                value = self.node('Transpose', [value], 'input_nchw', perm=[0, 3, 1, 2])
            self.values[index] = value
        for i in range(self.graph.OperatorsLength()):
            self.convert_operator(self.graph.Operators(i))
        graph_outputs = []
        for i in range(self.graph.OutputsLength()):
            index = int(self.graph.Outputs(i))
            shape = self.shape(index)
            value = self.values[index]
            if len(shape) == 4:
                value = self.node('Transpose', [value], 'output_nhwc', perm=[0, 2, 3, 1])
            self.nodes.append(helper.make_node('Identity', [value], [self.name(index)], name=self.name(index)))
            graph_outputs.append(helper.make_tensor_value_info(self.name(index), TensorProto.FLOAT, shape))
        graph = helper.make_graph(self.nodes, 'converted', graph_inputs, graph_outputs, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name=producer)
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def convert_tflite(tflite_bytes: bytes, producer: str = 'portrait-farm tflite_to_onnx') -> onnx.ModelProto:
    return Converter(tflite_bytes).convert(producer)
