/** A triangle surface of one structure, in patient LPS millimetres. */
export interface SurfaceMesh {
  /** Class id from the model manifest. */
  classId: number;
  /** Class name from the model manifest. */
  name: string;
  /** xyz per vertex, LPS mm. */
  positions: Float32Array;
  /** Unit outward normal per vertex. */
  normals: Float32Array;
  /** Three vertex indices per triangle, counter-clockwise seen from outside (right-handed LPS). */
  indices: Uint32Array;
  /** Volume enclosed by the surface, mL (= cm³). */
  volumeMl: number;
  /** Largest distance (mm) from a vertex of the full-resolution surface to the decimated one, 0 if not decimated. */
  decimationErrorMm: number;
  /** Mean distance (mm) from the vertices of the full-resolution surface to the decimated one, 0 if not decimated. */
  decimationMeanErrorMm?: number;
  /** Triangles of the full-resolution surface before decimation (after removing small components). */
  fullResolutionTriangles?: number;
}

export function triangleCount(mesh: Pick<SurfaceMesh, 'indices'>): number {
  return mesh.indices.length / 3;
}

/** The typed arrays of a mesh, for postMessage transfer lists. */
export function meshTransferables(mesh: SurfaceMesh): ArrayBuffer[] {
  return [mesh.positions.buffer, mesh.normals.buffer, mesh.indices.buffer] as ArrayBuffer[];
}
