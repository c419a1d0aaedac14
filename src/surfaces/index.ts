/** The surfaces room: label map → closed, smooth, decimated meshes in patient LPS mm, and GLB export. */
export type { SurfaceMesh } from './types';
export { triangleCount, meshTransferables } from './types';
export {
  DEFAULT_MAX_ERROR_MM,
  DEFAULT_MAX_TRIANGLES,
  extractSurface,
  extractSurfaces,
  fullResolutionSurface,
  gridAffine,
  SurfaceError,
  type DecimationSettings,
  type FullResolutionSurface,
  type MeshingOptions,
  type SurfaceOptions,
  type SurfacesOptions,
} from './extract';
export { decimateMesh, simplifierReady, type DecimateOptions, type DecimateResult } from './decimate';
export { classStats, type ClassStats } from './field';
export { checkTopology, computeNormals, signedVolume, type IndexedMesh, type TopologyReport } from './meshOps';
export { pointsToMeshDistance, type DistanceStats } from './distance';
export { lpsToGltf, meshesToGlb, type GlbOptions } from './glb';
export { meshesToStl, stlByteLength, stlHeader, type StlOptions } from './stl';
export { meshesToObj, type ObjFiles, type ObjOptions } from './obj';
export { cutMesh, cutMeshes, loadMeshCutter, MeshCutError, type CutPlane, type MeshCutter, type MeshCutterEnvironment } from './cut';
