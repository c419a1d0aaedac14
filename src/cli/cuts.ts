/** `--cuts planes.json`: the cut planes to apply to the mesh exports, read and checked. */

import { readFile } from 'node:fs/promises';
import type { CutPlane } from '../surfaces/cut';

export class CutsFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CutsFileError';
  }
}

function isVec3(v: unknown): v is [number, number, number] {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/**
 * Parses `[{ "normal": [x, y, z], "offset": mm }, …]` (each keeps normal · p ≤ offset, patient LPS
 * mm), or a saved shared hologram state (`SharedState` or `{ shared: SharedState }`), whose
 * "cuts" map id → cut.
 */
export function parseCutPlanes(json: unknown, source: string): CutPlane[] {
  const list = Array.isArray(json) ? json : cutsOfSavedState(json);
  if (!Array.isArray(list)) throw new CutsFileError(`${source}: expected a list of {"normal": [x, y, z], "offset": mm} (or a saved state with "cuts")`);
  return list.map((p, index) => {
    const plane = p as { normal?: unknown; offset?: unknown } | null;
    if (!plane || !isVec3(plane.normal) || plane.normal.every((x) => x === 0) || typeof plane.offset !== 'number' || !Number.isFinite(plane.offset)) {
      throw new CutsFileError(`${source}: plane ${index + 1} needs "normal": three finite numbers, not all 0, and "offset": a finite number (mm)`);
    }
    return { normal: [...plane.normal], offset: plane.offset };
  });
}

function cutsOfSavedState(json: unknown): unknown[] | undefined {
  const state = (json as { shared?: unknown } | null)?.shared ?? json;
  const cuts = (state as { cuts?: unknown } | null)?.cuts;
  return cuts && typeof cuts === 'object' && !Array.isArray(cuts) ? Object.values(cuts) : undefined;
}

export async function readCutPlanes(path: string): Promise<CutPlane[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CutsFileError(`${path}: cannot read the cuts file (${(error as Error).message})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CutsFileError(`${path}: not JSON (${(error as Error).message})`, { cause: error });
  }
  return parseCutPlanes(json, path);
}
