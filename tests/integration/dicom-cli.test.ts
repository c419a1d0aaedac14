import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { CONFORMANCE, DATA } from './dicom-helpers';

async function info(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['info', ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const TOTALSEG_SHA = '0d9f62d8433a424e582d5a4478ba5af0eff3f5c3589fc90af21b0c448fd0ff5e';

describe('holoct info', () => {
  it('lists the totalseg series with geometry, transfer syntax and voxelSha256', async () => {
    const r = await info(join(DATA, 'totalseg/dicom'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/20 file\(s\), 1 series, 0 skipped/);
    expect(r.stdout).toMatch(/\[best for segmentation\]/);
    expect(r.stdout).toMatch(/dims: +512 × 512 × 20/);
    expect(r.stdout).toMatch(/spacing: +0\.977 × 0\.977 × 2 mm/);
    expect(r.stdout).toMatch(/orientation: +axial/);
    expect(r.stdout).toMatch(/region: +body part PARTIALBODY +protocol: FDG_TK_KM +study: \(none\)/);
    expect(r.stdout).toMatch(/JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\)/);
    expect(r.stdout).toContain(`voxelSha256:   ${TOTALSEG_SHA}`);
  });

  it('--json gives the same facts as data', async () => {
    const r = await info('--json', join(DATA, 'totalseg/dicom'));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.series).toHaveLength(1);
    expect(report.series[0]).toMatchObject({ dims: [512, 512, 20], orientation: 'axial', best: true, voxelSha256: TOTALSEG_SHA, segmentable: true });
    expect(report.skipped).toEqual([]);
  });

  it('lists refusals and skipped files of a messy folder', async () => {
    const r = await info('--no-hash', join(CONFORMANCE, 'transfer-syntaxes'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/loadable: +no: modality US \(ultrasound\)/);
    expect(r.stdout).toMatch(/skipped:\n/);
    expect(r.stdout).toMatch(/no-pixel-data\.dcm: structured report \(SR\), not an image/);
    expect(r.stdout).toMatch(/LICENSE\.cornerstone3D: not a DICOM file/);
    expect(r.stdout).not.toMatch(/voxelSha256/);
  });

  it('errors go to stderr with a non-zero exit', async () => {
    const missing = await info(join(DATA, 'no/such/folder'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file or folder/);
    const noDicom = await info(join(DATA, 'totalseg/aorta_cta/masks'));
    expect(noDicom.code).toBe(1);
    expect(noDicom.stderr).toMatch(/no DICOM image series in .* file\(s\) skipped/);
    const usage = await info();
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: holoct info/);
  });
});
