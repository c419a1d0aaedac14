import { describe, expect, it } from 'vitest';
import { voxelSha256 } from '../dicom/sha256';
import { caseIdOfVolume } from './case-id';

describe('case id of a volume', () => {
  it('is the same voxelSha256 as `holoct info`, plus the model slug, for int16 and float volumes', async () => {
    const ints = Int16Array.from({ length: 70_001 }, (_, i) => ((i * 7919) % 4001) - 1024);
    const floats = Float32Array.from(ints, (v) => v + 0.3); // rounds back to the same HU
    expect(await caseIdOfVolume({ data: ints }, 'model v1')).toBe(`${voxelSha256({ data: ints })}:model-v1`);
    expect(await caseIdOfVolume({ data: floats }, 'model v1')).toBe(`${voxelSha256({ data: ints })}:model-v1`);
    expect(await caseIdOfVolume({ data: Int16Array.of(0, 1) }, 'm')).not.toBe(await caseIdOfVolume({ data: Int16Array.of(1, 0) }, 'm'));
  });
});
