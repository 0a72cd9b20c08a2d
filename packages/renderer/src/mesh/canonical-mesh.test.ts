import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CANONICAL_TRIANGLES, CANONICAL_TRIANGLE_COUNT_ORIGINAL, CANONICAL_VERTEX_COUNT, CANONICAL_VERTICES } from './canonical-mesh.ts';
import { buildFaceTopology, LANDMARK_COUNT } from './face-topology.ts';
import { canonicalLandmarks } from './canonical-face.ts';
import { GEOMETRY_PIPELINE_RANGE, decodeGeometryPipeline } from './geometry-pipeline-decoder.ts';
import { INNER_LOWER, INNER_UPPER } from './landmark-indices.ts';
import { RendererError } from '../errors.ts';

function packedGeometry(): Uint8Array {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@mediapipe/face_mesh/package.json'));
  const packed = readFileSync(join(dir, 'face_mesh_solution_packed_assets.data'));
  return new Uint8Array(packed.buffer, packed.byteOffset + GEOMETRY_PIPELINE_RANGE.start, GEOMETRY_PIPELINE_RANGE.end - GEOMETRY_PIPELINE_RANGE.start);
}

describe('canonical face mesh', () => {
  it('decodes MediaPipe geometry pipeline metadata: 468 vertices, 898 triangles, valid indices', () => {
    const mesh = decodeGeometryPipeline(packedGeometry());
    expect(mesh.vertexCount).toBe(468);
    expect(mesh.vertices.length).toBe(468 * 5);
    expect(mesh.triangles.length / 3).toBe(898);
    expect(Math.max(...mesh.triangles)).toBeLessThan(468);
    // The nose tip is the frontmost vertex on the symmetry plane.
    expect(mesh.vertices[1 * 5]).toBeCloseTo(0, 5);
    let frontmost = 0;
    for (let v = 0; v < 468; v++) if (mesh.vertices[v * 5 + 2]! > mesh.vertices[frontmost * 5 + 2]!) frontmost = v;
    expect(frontmost).toBe(4);
  });

  it('matches the generated file, with the mouth opening left open', () => {
    const mesh = decodeGeometryPipeline(packedGeometry());
    expect(CANONICAL_VERTEX_COUNT).toBe(mesh.vertexCount);
    expect(CANONICAL_TRIANGLE_COUNT_ORIGINAL).toBe(898);
    for (let v = 0; v < mesh.vertexCount; v++) {
      for (let k = 0; k < 3; k++) expect(Math.abs(CANONICAL_VERTICES[v * 3 + k]! - mesh.vertices[v * 5 + k]!)).toBeLessThan(1e-4);
    }
    const lip = new Set<number>([...INNER_UPPER, ...INNER_LOWER]);
    const inLip = (t: number): boolean => [0, 1, 2].every((k) => lip.has(CANONICAL_TRIANGLES[t * 3 + k]!));
    const kept = CANONICAL_TRIANGLES.length / 3;
    expect(kept).toBe(880);
    for (let t = 0; t < kept; t++) expect(inLip(t)).toBe(false);
  });

  it('rejects truncated protobuf data with a stable code', () => {
    const bytes = packedGeometry().slice(0, 1000);
    expect(() => decodeGeometryPipeline(bytes)).toThrow(RendererError);
  });

  it('covers the face and its rings without holes: triangle areas add up to the anchor polygon minus the mouth', () => {
    const landmarks = canonicalLandmarks(1000, 1000, 10);
    const topology = buildFaceTopology(landmarks, 2000, 2000);
    const p = topology.rest;
    const area = (ids: number[]): number => {
      let s = 0;
      for (let i = 0; i < ids.length; i++) {
        const a = ids[i]!;
        const b = ids[(i + 1) % ids.length]!;
        s += p[a * 3]! * p[b * 3 + 1]! - p[b * 3]! * p[a * 3 + 1]!;
      }
      return Math.abs(s) / 2;
    };
    let total = 0;
    for (let t = 0; t < topology.triangles.length / 3; t++) {
      total += area([topology.triangles[t * 3]!, topology.triangles[t * 3 + 1]!, topology.triangles[t * 3 + 2]!]);
    }
    const anchorRing = Array.from({ length: 36 }, (_, k) => LANDMARK_COUNT + 2 * 36 + k);
    const mouth = [...INNER_UPPER, ...[...INNER_LOWER].reverse().slice(1, -1)];
    expect(total / (area(anchorRing) - area(mouth))).toBeCloseTo(1, 2);
  });
});
