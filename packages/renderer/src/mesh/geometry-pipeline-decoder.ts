import { RendererError } from '../errors.ts';

/** Byte range of `geometry_pipeline_metadata_landmarks.binarypb` inside @mediapipe/face_mesh's packed assets. */
export const GEOMETRY_PIPELINE_RANGE = Object.freeze({ start: 3_737_848, end: 3_757_224 });

/** The canonical face mesh stored in MediaPipe's geometry pipeline metadata. */
export interface CanonicalMeshData {
  /** Vertex count (468). */
  vertexCount: number;
  /** x, y, z (centimetres, y up, z towards the viewer) and u, v per vertex. */
  vertices: Float32Array;
  /** Triangle vertex indices, three per triangle. */
  triangles: Uint16Array;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

/** Minimal protobuf wire-format reader over a byte range. */
class WireReader {
  private pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new RendererError('MESH_DECODE', 'truncated varint in the canonical mesh protobuf');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  }

  fixed32Float(view: DataView): number {
    const value = view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** Returns [start, end) of a length-delimited field and skips it. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new RendererError('MESH_DECODE', 'truncated field in the canonical mesh protobuf');
    return [start, this.pos];
  }

  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_FIXED64) this.pos += 8;
    else if (wireType === WIRE_LENGTH) this.lengthDelimited();
    else if (wireType === WIRE_FIXED32) this.pos += 4;
    else throw new RendererError('MESH_DECODE', `unsupported protobuf wire type ${wireType}`);
  }

  get position(): number {
    return this.pos;
  }
}

/**
 * Decodes a GeometryPipelineMetadata message (field 1: canonical Mesh3d with vertex_buffer = 3 as floats
 * x,y,z,u,v and index_buffer = 4 as triangle indices; packed or unpacked encodings both accepted).
 */
export function decodeGeometryPipeline(bytes: Uint8Array): CanonicalMeshData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const top = new WireReader(bytes);
  let mesh: [number, number] | null = null;
  while (!top.done()) {
    const key = top.varint();
    if (key >>> 3 === 1 && (key & 7) === WIRE_LENGTH) mesh = top.lengthDelimited();
    else top.skip(key & 7);
  }
  if (mesh === null) throw new RendererError('MESH_DECODE', 'the geometry pipeline metadata has no canonical mesh (field 1)');
  const floats: number[] = [];
  const indices: number[] = [];
  const reader = new WireReader(bytes, mesh[0], mesh[1]);
  while (!reader.done()) {
    const key = reader.varint();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 3 && wire === WIRE_FIXED32) floats.push(reader.fixed32Float(view));
    else if (field === 3 && wire === WIRE_LENGTH) {
      const [start, end] = reader.lengthDelimited();
      for (let at = start; at < end; at += 4) floats.push(view.getFloat32(at, true));
    } else if (field === 4 && wire === WIRE_VARINT) indices.push(reader.varint());
    else if (field === 4 && wire === WIRE_LENGTH) {
      const [start, end] = reader.lengthDelimited();
      const packed = new WireReader(bytes, start, end);
      while (!packed.done()) indices.push(packed.varint());
    } else reader.skip(wire);
  }
  if (floats.length % 5 !== 0) {
    throw new RendererError('MESH_DECODE', `vertex buffer must hold 5 floats per vertex, got ${floats.length} floats`);
  }
  const vertexCount = floats.length / 5;
  if (indices.length % 3 !== 0) {
    throw new RendererError('MESH_DECODE', `index buffer must hold 3 indices per triangle, got ${indices.length}`);
  }
  for (const index of indices) {
    if (index >= vertexCount) {
      throw new RendererError('MESH_DECODE', `triangle index must be below ${vertexCount}, got ${index}`);
    }
  }
  return { vertexCount, vertices: Float32Array.from(floats), triangles: Uint16Array.from(indices) };
}
