"""Derives embedding_sequence.onnx from embedding_model.onnx: the same network and weights, run over a whole mel sequence.

embedding_model.onnx embeds one window of 76 mel frames ([N, 76, 32, 1] -> [N, 1, 1, 96]). Along time its layers are
unpadded convolutions and three 2x max-pools, so over a sequence of T mel frames the same layers give the embeddings of
the windows starting at mel frames 0, 8, 16, ... in one run ([1, T, 32, 1] -> [floor((T - 76) / 8) + 1, 96]), each
computed from the same inputs with the same weights as its own window. Only the two reshapes and the input and output
declarations change.

    python3 models/audio/derive/derive_embedding_sequence.py [--source models/audio/embedding_model.onnx] [--out models/audio/embedding_sequence.onnx]
"""
import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

AUDIO_DIR = Path(__file__).resolve().parent.parent
MEL_BINS = 32
EMB_DIM = 96
INPUT_RESHAPE = 'new_shape__262'
OUTPUT_RESHAPE = 'new_shape__273'
WINDOW_INPUT = 'input_1'
WINDOW_OUTPUT = 'conv2d_19'
SEQUENCE_INPUT = 'mel'
SEQUENCE_OUTPUT = 'embeddings'


def derive(source: Path) -> onnx.ModelProto:
    model = onnx.load(str(source))
    graph = model.graph
    shapes = {INPUT_RESHAPE: [1, 1, -1, MEL_BINS], OUTPUT_RESHAPE: [EMB_DIM, -1]}
    replaced = set()
    for initializer in graph.initializer:
        if initializer.name in shapes:
            initializer.CopyFrom(numpy_helper.from_array(np.array(shapes[initializer.name], dtype=np.int64), initializer.name))
            replaced.add(initializer.name)
    if replaced != set(shapes):
        raise SystemExit(f'{source}: expected reshape constants {sorted(shapes)}, found {sorted(replaced)}')
    for node in graph.node:
        node.input[:] = [SEQUENCE_INPUT if name == WINDOW_INPUT else name for name in node.input]
        if node.output[:] == [WINDOW_OUTPUT]:
            node.output[0] = 'embeddings_by_channel'
    graph.node.append(helper.make_node('Transpose', ['embeddings_by_channel'], [SEQUENCE_OUTPUT], perm=[1, 0], name='embeddings_by_window'))
    del graph.input[:]
    graph.input.append(helper.make_tensor_value_info(SEQUENCE_INPUT, TensorProto.FLOAT, [1, 'mel_frames', MEL_BINS, 1]))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info(SEQUENCE_OUTPUT, TensorProto.FLOAT, ['windows', EMB_DIM]))
    del graph.value_info[:]
    graph.name = 'embedding_sequence'
    onnx.checker.check_model(model)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--source', type=Path, default=AUDIO_DIR / 'embedding_model.onnx')
    parser.add_argument('--out', type=Path, default=AUDIO_DIR / 'embedding_sequence.onnx')
    args = parser.parse_args()
    args.out.write_bytes(derive(args.source).SerializeToString())
    print(args.out)


if __name__ == '__main__':
    main()
