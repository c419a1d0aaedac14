// Minimal typing of the official Khronos glTF validator (npm "gltf-validator", no bundled types),
// used by the GLB tests.
declare module 'gltf-validator' {
  export interface ValidationMessage {
    code: string;
    message: string;
    severity: number;
    pointer?: string;
    offset?: number;
  }
  export interface ValidationReport {
    issues: { numErrors: number; numWarnings: number; numInfos: number; numHints: number; messages: ValidationMessage[] };
    info?: {
      version: string;
      generator?: string;
      drawCallCount?: number;
      totalVertexCount?: number;
      totalTriangleCount?: number;
      materialCount?: number;
    };
  }
  export function validateBytes(data: Uint8Array, options?: { maxIssues?: number; format?: 'glb' | 'gltf' }): Promise<ValidationReport>;
}
