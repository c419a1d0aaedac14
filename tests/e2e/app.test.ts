import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readBinaryStl, readObj, weldedEdges } from '../mesh-readers';
import { launchBrowser } from './browser';
import './test-api';

const OUT = 'test-results';
const HEAD_CT = '../shared/data/dicom-conformance/gantry-tilt/ge-tilt-uneven';

interface SceneSnapshot {
  structures: Array<{ name: string; enabled: boolean; vertices: number; triangles: number; pickable: boolean }>;
  backend: string;
  drawCalls: number;
}

/** Clicks a download button of the export menu and returns the downloaded file's name and bytes. */
async function download(page: Page, kind: 'stl' | 'obj' | 'glb'): Promise<{ name: string; bytes: Uint8Array }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.locator(`#export button[data-export="${kind}"]`).click()]);
  const path = `${OUT}/${file.suggestedFilename()}`;
  await file.saveAs(path);
  return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
}

async function snapshot(page: Page): Promise<SceneSnapshot> {
  return page.evaluate(() => {
    const view = window.__holoct!.view;
    return {
      structures: view.structureNames.map((name) => {
        const mesh = view.getStructureMesh(name)!;
        return { name, enabled: mesh.isEnabled(), vertices: mesh.getTotalVertices(), triangles: mesh.getTotalIndices() / 3, pickable: mesh.isPickable };
      }),
      backend: document.getElementById('backend')!.textContent ?? '',
      drawCalls: 0,
    };
  });
}

describe('desktop app on its default sample', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launchBrowser();
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(inject('baseUrl')) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) errors.push(`off-site request: ${r.url()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('segments the sample CT in the worker and shows one mesh per structure', async () => {
    await page.goto(inject('baseUrl'));
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // progress must be reported while the worker runs
    await page.waitForSelector('#progress:not([hidden])', { timeout: 60_000 });
    await page.waitForSelector('body[data-hologram="ready"]', { timeout: 540_000 });
    const snap = await snapshot(page);
    // Headless Chromium's WebGPU adapter is SwiftShader (CPU): the app measures it as a software
    // adapter and segments on WASM instead (tests/e2e/webgpu.test.ts runs the model on WebGPU itself).
    expect(snap.backend).toMatch(/on WASM/);
    // the report counts the triangles the worker streamed (and transferred) to the page
    const reported = Number(/· ([\d,.\s\u00a0\u202f]+) triangles/.exec(snap.backend)?.[1].replace(/\D/g, ''));
    expect(await page.locator('#progress').isHidden()).toBe(true);
    expect(await page.locator('#model-status').textContent()).toMatch(/software adapter/);
    expect(snap.structures.length).toBeGreaterThanOrEqual(3);
    for (const s of snap.structures) {
      expect(s.enabled, s.name).toBe(true);
      expect(s.triangles, s.name).toBeGreaterThan(100);
    }
    const names = snap.structures.map((s) => s.name);
    expect(names).toContain('bone');
    const total = snap.structures.reduce((n, s) => n + s.triangles, 0);
    expect(total).toBeLessThanOrEqual(750_000);
    expect(reported).toBe(total);
    // the structure list shows a row per mesh
    expect(await page.locator('#structure-list li').count()).toBe(snap.structures.length);
    await page.screenshot({ path: `${OUT}/hologram.png` });
    expect(errors).toEqual([]);
  });

  it('hides a structure from its checkbox and a whole group from its button', async () => {
    const first = (await snapshot(page)).structures.find((s) => s.name === 'bone')!;
    expect(first.enabled).toBe(true);
    await page.locator('#structure-list li[data-structure="bone"] input[type=checkbox]').click();
    let snap = await snapshot(page);
    expect(snap.structures.find((s) => s.name === 'bone')!.enabled).toBe(false);
    expect(snap.structures.filter((s) => s.name !== 'bone').every((s) => s.enabled)).toBe(true);
    await page.screenshot({ path: `${OUT}/hologram-bone-hidden.png` });
    await page.locator('#structure-list li[data-structure="bone"] input[type=checkbox]').click();
    const organButton = page.locator('#groups button[data-group="organ"]');
    if (await organButton.isEnabled()) {
      await organButton.click();
      snap = await snapshot(page);
      const organs = snap.structures.filter((s) => !['bone', 'arteries', 'veins'].includes(s.name));
      expect(organs.every((s) => !s.enabled)).toBe(true);
      expect(snap.structures.find((s) => s.name === 'bone')!.enabled).toBe(true);
      await organButton.click();
    }
  });

  it('downloads the visible structures as STL, OBJ + MTL and GLB, with the cuts applied as watertight solids', async () => {
    const shown = (await snapshot(page)).structures.filter((s) => s.name !== 'bone');
    await page.locator('#structure-list li[data-structure="bone"] input[type=checkbox]').click();
    const stl = await download(page, 'stl');
    expect(stl.name).toBe('hologram-stl.zip');
    const files = unzipSync(stl.bytes);
    expect(Object.keys(files).sort()).toEqual([...shown.map((s) => `stl/${s.name}.stl`), 'stl/visible.stl'].sort());
    for (const s of shown) expect(readBinaryStl(files[`stl/${s.name}.stl`]).triangles, s.name).toBe(s.triangles);
    expect(readBinaryStl(files['stl/visible.stl']).triangles).toBe(shown.reduce((n, s) => n + s.triangles, 0));

    const obj = unzipSync((await download(page, 'obj')).bytes);
    expect(readObj(new TextDecoder().decode(obj['hologram.obj'])).objects.map((o) => o.name).sort()).toEqual(shown.map((s) => s.name).sort());
    expect(Object.keys(obj)).toContain('hologram.mtl');
    const glb = await download(page, 'glb');
    expect(new DataView(glb.bytes.buffer).getUint32(0, true)).toBe(0x46546c67);

    // An axial cut, exported with the cuts applied: each structure closed, nothing above the plane.
    await page.waitForSelector('#cuts:not([hidden])');
    await page.locator('#cuts [data-cut="axial"] input[type=checkbox]').click();
    const plane = await page.evaluate(() => (window as unknown as { __holoct: { store: { getState(): { shared: { cuts: Record<string, { normal: number[]; offset: number }> } } } } }).__holoct.store.getState().shared.cuts.axial);
    expect(plane.normal).toEqual([0, 0, 1]);
    await page.locator('#export-with-cuts').check();
    const cut = unzipSync((await download(page, 'stl')).bytes);
    const parts = Object.keys(cut).filter((p) => p !== 'stl/visible.stl');
    expect(parts.length).toBeGreaterThanOrEqual(1);
    for (const part of parts) {
      const mesh = readBinaryStl(cut[part]);
      expect(mesh.bounds.max[2], part).toBeLessThanOrEqual(plane.offset + 1e-3);
      // watertight as a slicer welds it (see tests/integration/cli-export.test.ts for the few 4-triangle edges)
      const edges = weldedEdges(mesh.corners);
      expect(edges.open, part).toBe(0);
      expect(edges.nonManifold, part).toBeLessThanOrEqual(Math.ceil(edges.edges / 1000));
    }
    expect(await page.locator('#export p[aria-live]').textContent()).toMatch(/cut by 1 plane/);
    await page.locator('#cuts [data-cut="axial"] input[type=checkbox]').click();
    await page.locator('#structure-list li[data-structure="bone"] input[type=checkbox]').click();
    expect(errors).toEqual([]);
  });

    it('keeps the hologram and names the file when given a bad file', async () => {
    const before = (await snapshot(page)).structures.length;
    await page.setInputFiles('#open-files', { name: 'broken.dcm', mimeType: 'application/dicom', buffer: Buffer.from('not a dicom file at all') });
    await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
    const text = await page.locator('#error').textContent();
    expect(text).toMatch(/broken\.dcm/);
    expect((await snapshot(page)).structures.length).toBe(before);
  });

  it('shows the warning banner, apart from the notes, when the opened series lies outside the model\'s scope', async () => {
    // a real head CT (Body Part Examined HEAD); the sample before it is a NIfTI file, which names no region: no banner
    expect(await page.locator('#scope-warning').isHidden()).toBe(true);
    const files = readdirSync(HEAD_CT).sort().map((name) => ({ name, mimeType: 'application/dicom', buffer: readFileSync(join(HEAD_CT, name)) }));
    await page.setInputFiles('#open-files', files);
    await page.waitForSelector('#scope-warning:not([hidden])', { timeout: 540_000 });
    const banner = page.locator('#scope-warning');
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toMatch(/^Labels not reliable — the series' Body Part Examined is "HEAD", not \(or not only\) what this model was trained on/);
    // the warning is not repeated among the notes, and the notes are the head's (its organs far too small), not the sample's
    const notes = await page.locator('#notes li').allTextContents();
    expect(notes.some((n) => n.startsWith('scope:'))).toBe(false);
    expect(notes.some((n) => /^liver: .*far below/.test(n))).toBe(true);
    expect(await page.locator('#case').textContent()).toMatch(/DICOM series/);
    // it lies over the hologram, in sight however far the panel is scrolled
    await page.locator('#attribution').scrollIntoViewIfNeeded();
    const box = (await banner.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    expect(box.x + box.width).toBeLessThanOrEqual(1280 - 320);
    // on a narrow screen the panel goes below the view: the banner takes the view's width
    await page.setViewportSize({ width: 480, height: 800 });
    expect((await banner.boundingBox())!.width).toBeGreaterThan(480 - 2 * 12 - 4);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${OUT}/out-of-scope.png` });
    expect(errors).toEqual([]);
  });
});
