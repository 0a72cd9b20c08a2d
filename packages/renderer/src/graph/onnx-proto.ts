/**
 * A minimal writer of ONNX models (onnx.proto3's ModelProto, the fields a graph of standard operators needs), so that
 * the project makes its own graphs as bytes for onnxruntime without a protobuf dependency. Field numbers are
 * onnx.proto's.
 */

/** TensorProto.DataType values used here. */
export const ONNX_TYPE = { float: 1, uint8: 2, int32: 6, int64: 7 } as const;
export type OnnxElementType = (typeof ONNX_TYPE)[keyof typeof ONNX_TYPE];

export type AttributeValue = number | string | number[] | { floats: number[] } | OnnxTensor;

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integers are written as INT (or INTS), `{ floats }` and non-integers as FLOAT(S). */
  attributes?: Record<string, AttributeValue>;
}

/** A constant tensor (initializer or Constant value), float32 or int64. */
export interface OnnxTensor {
  name: string;
  type: typeof ONNX_TYPE.float | typeof ONNX_TYPE.int64;
  dims: number[];
  values: number[];
}

/** A graph input or output: element type and shape (a string is a symbolic dimension). */
export interface OnnxValue {
  name: string;
  type: OnnxElementType;
  shape: Array<number | string>;
}

export interface OnnxModel {
  name: string;
  opset: number;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers: OnnxTensor[];
  nodes: OnnxNode[];
}

class ProtoWriter {
  private readonly bytes: number[] = [];

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.bytes.push(view.getUint8(i));
  }

  raw(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    for (const byte of data) this.bytes.push(byte);
  }

  string(field: number, value: string): void {
    this.raw(field, new TextEncoder().encode(value));
  }

  message(field: number, write: (writer: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    write(inner);
    this.raw(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  for (const dim of tensor.dims) w.int(1, dim);
  w.int(2, tensor.type);
  w.string(8, tensor.name);
  const data = tensor.type === ONNX_TYPE.float ? new Float32Array(tensor.values) : BigInt64Array.from(tensor.values.map((v) => BigInt(v)));
  w.raw(9, new Uint8Array(data.buffer));
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function writeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'string') {
    w.string(4, value);
    w.int(20, ATTRIBUTE_TYPE.string);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      w.int(3, value);
      w.int(20, ATTRIBUTE_TYPE.int);
    } else {
      w.float(2, value);
      w.int(20, ATTRIBUTE_TYPE.float);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, ATTRIBUTE_TYPE.ints);
  } else if ('floats' in value) {
    for (const v of value.floats) w.float(7, v);
    w.int(20, ATTRIBUTE_TYPE.floats);
  } else {
    w.message(5, (t) => writeTensor(t, value));
    w.int(20, ATTRIBUTE_TYPE.tensor);
  }
}

function writeValueInfo(w: ProtoWriter, value: OnnxValue): void {
  w.string(1, value.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, value.type);
      tensorType.message(2, (shape) => {
        for (const dim of value.shape) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

/** Serialises `model` as an ONNX ModelProto (IR version 8), the bytes onnxruntime loads. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8);
  w.string(2, 'portrait-farm');
  w.message(7, (graph) => {
    model.nodes.forEach((node, index) =>
      graph.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `${node.op}_${index}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, value));
      }),
    );
    graph.string(2, model.name);
    for (const tensor of model.initializers) graph.message(5, (t) => writeTensor(t, tensor));
    for (const input of model.inputs) graph.message(11, (v) => writeValueInfo(v, input));
    for (const output of model.outputs) graph.message(12, (v) => writeValueInfo(v, output));
  });
  w.message(8, (opset) => {
    opset.string(1, '');
    opset.int(2, model.opset);
  });
  return w.finish();
}
