/**
 * A minimal writer of ONNX ModelProto in protobuf wire format (onnx/onnx.proto), enough to build small test models
 * from standard operators with constant initializers. Field numbers are those of onnx.proto.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_BYTES = 2;

/** ONNX TensorProto.DataType values used here. */
export const ONNX_TYPE = Object.freeze({ float32: 1, int64: 7 } as const);
export type OnnxElementType = keyof typeof ONNX_TYPE;

class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  private push(bytes: number[] | Uint8Array): void {
    this.chunks.push(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  }

  private varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(out);
  }

  private tag(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.varint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  finish(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** A constant tensor: float32 or int64 values with their shape. */
export interface OnnxTensor {
  name: string;
  type: OnnxElementType;
  dims: readonly number[];
  values: ArrayLike<number>;
}

/** A node attribute: integer, float, list of integers or list of floats. */
export type OnnxAttribute =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; ints: readonly number[] }
  | { name: string; floats: readonly number[] };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly OnnxAttribute[];
}

/** A graph input or output: element type and shape (a string is a symbolic dimension). */
export interface OnnxValueInfo {
  name: string;
  type: OnnxElementType;
  shape: ReadonlyArray<number | string>;
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

function encodeTensor(tensor: OnnxTensor): Uint8Array {
  const w = new ProtoWriter();
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, ONNX_TYPE[tensor.type]);
  w.string(8, tensor.name);
  const size = tensor.type === 'float32' ? 4 : 8;
  const raw = new Uint8Array(tensor.values.length * size);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < tensor.values.length; i++) {
    if (tensor.type === 'float32') view.setFloat32(i * 4, tensor.values[i]!, true);
    else view.setBigInt64(i * 8, BigInt(tensor.values[i]!), true);
  }
  return w.bytes(9, raw).finish();
}

function encodeAttribute(attribute: OnnxAttribute): Uint8Array {
  const w = new ProtoWriter().string(1, attribute.name);
  if ('int' in attribute) return w.int(3, attribute.int).int(20, 2).finish();
  if ('float' in attribute) return w.float(2, attribute.float).int(20, 1).finish();
  if ('ints' in attribute) {
    for (const v of attribute.ints) w.int(8, v);
    return w.int(20, 7).finish();
  }
  for (const v of attribute.floats) w.float(7, v);
  return w.int(20, 6).finish();
}

function encodeNode(node: OnnxNode, index: number): Uint8Array {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, `${node.op.toLowerCase()}_${index}`);
  w.string(4, node.op);
  for (const attribute of node.attributes ?? []) w.bytes(5, encodeAttribute(attribute));
  return w.finish();
}

function encodeValueInfo(value: OnnxValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of value.shape) {
    const dim = typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
    shape.bytes(1, dim.finish());
  }
  const tensorType = new ProtoWriter().int(1, ONNX_TYPE[value.type]).bytes(2, shape.finish()).finish();
  const typeProto = new ProtoWriter().bytes(1, tensorType).finish();
  return new ProtoWriter().string(1, value.name).bytes(2, typeProto).finish();
}

/** Serialises a graph as an ONNX model (IR version 8, default domain at the given opset). */
export function encodeOnnxModel(graph: OnnxGraph, opset = 17, producer = 'portrait-farm test'): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((node, i) => g.bytes(1, encodeNode(node, i)));
  g.string(2, graph.name);
  for (const tensor of graph.initializers) g.bytes(5, encodeTensor(tensor));
  for (const input of graph.inputs) g.bytes(11, encodeValueInfo(input));
  for (const output of graph.outputs) g.bytes(12, encodeValueInfo(output));
  const opsetId = new ProtoWriter().string(1, '').int(2, opset).finish();
  return new ProtoWriter().int(1, 8).string(2, producer).bytes(7, g.finish()).bytes(8, opsetId).finish();
}
