import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../e2e/browser';
import { searchSeries } from '../../src/pacs/index';
import '../e2e/test-api';
import { SAMPLE } from './fixture';

const OUT = 'test-results';

async function structureCount(page: Page): Promise<number> {
  return page.evaluate(() => {
    return window.__holoct?.view?.structureNames.length ?? 0;
  });
}

/** The app (built, served with its /dicomweb proxy to the test Orthanc) searches, retrieves and segments. */
describe('desktop app: PACS search and retrieval through the same-origin proxy', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const dicomWebRequests: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    const base = inject('pacsAppUrl');
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      const url = r.url();
      if (url.startsWith(`${base}/dicomweb`)) dicomWebRequests.push(url);
      else if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) errors.push(`off-site request: ${url}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('finds the study by patient, lists its series, loads it with progress and shows the hologram', async () => {
    await page.goto(`${inject('pacsAppUrl')}/?backend=wasm&sample=none`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // the model must be loaded before a case can be opened
    await page.waitForFunction(() => /Model .+ on /.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });

    await page.locator('#pacs summary').click();
    expect(await page.locator('#pacs-url').inputValue()).toBe('/dicomweb');
    await page.locator('#pacs-query').fill('pacs test');
    await page.locator('#pacs-search-button').click();
    const study = page.locator(`#pacs-results li[data-study-uid="${SAMPLE.studyInstanceUID}"]`);
    await study.waitFor({ timeout: 30_000 });
    expect(await page.locator('#pacs-results li.study').count()).toBe(1);
    // patient name and ID are shown locally, in the results
    const studyText = await study.textContent();
    expect(studyText).toContain('HOLOCT, PACS TEST');
    expect(studyText).toContain(SAMPLE.patientId);
    expect(studyText).toContain('2022-12-08');

    await study.locator('button.study-button').click();
    const series = page.locator(`li[data-series-uid="${SAMPLE.seriesInstanceUID}"]`);
    await series.waitFor({ timeout: 30_000 });
    expect(await series.textContent()).toMatch(/CT Body 3\.0 — CT, 20 images/);
    // the only CT series is preselected
    expect(await series.locator('input[type=radio]').isChecked()).toBe(true);
    await page.screenshot({ path: `${OUT}/pacs-search.png` });

    await page.locator('#pacs-load').click();
    await page.waitForSelector('#pacs-progress[data-done="20"][data-total="20"]', { state: 'attached', timeout: 120_000 });
    await page.waitForSelector('body[data-hologram="ready"]', { timeout: 540_000 });
    expect(await structureCount(page)).toBeGreaterThanOrEqual(1);
    const caseLine = await page.locator('#case').textContent();
    expect(caseLine).toContain("DICOM series 'CT Body 3.0' (512×512×20)");
    expect(caseLine).toContain(SAMPLE.patientName);
    expect(await page.locator('#pacs-status').textContent()).toBe('Retrieved CT Body 3.0 (20 images)');
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(await page.locator('#pacs-error').isHidden()).toBe(true);
    await page.screenshot({ path: `${OUT}/pacs-hologram.png` });
    // the shared hologram state of the loaded case carries no patient identity
    const state = await page.evaluate(() => JSON.stringify(window.__holoct!.store.getState()));
    expect(state).toContain('"structures"');
    for (const marker of ['HOLOCT', 'PACS TEST', SAMPLE.patientId]) expect(state).not.toContain(marker);

    // every PACS request went to the same-origin proxy: QIDO (studies, series, instances) and 20 WADO retrievals
    expect(dicomWebRequests.some((u) => /\/dicomweb\/studies\?/.test(u))).toBe(true);
    expect(dicomWebRequests.filter((u) => /\/instances\/[\d.]+$/.test(u))).toHaveLength(20);
    expect(errors).toEqual([]);
  });

  it('sends the segmentation back to the study after saying what the SEG repeats, and the PACS lists it', async () => {
    const panel = page.locator('#seg-send');
    expect(await panel.isVisible()).toBe(true);
    await page.locator('#seg-send-button').click();
    await page.waitForSelector('#seg-send-confirm-box:not([hidden])', { timeout: 60_000 });
    const summary = await page.locator('#seg-send-summary').textContent();
    expect(summary).toMatch(/DICOM Segmentation .* segments? \(.*Bone.*\) goes to this study on \/dicomweb/);
    expect(summary).toContain('repeats the study\'s patient and study module');
    const module = await page.locator('#seg-send-module').textContent();
    expect(module).toContain('HOLOCT, PACS TEST');
    expect(module).toContain(SAMPLE.patientId);
    expect(module).toContain(SAMPLE.accessionNumber);
    await page.screenshot({ path: `${OUT}/pacs-seg-confirm.png` });
    // nothing is stored before the user confirms
    const orthanc = { baseUrl: inject('orthancDicomWeb') };
    expect((await searchSeries(orthanc, SAMPLE.studyInstanceUID)).map((s) => s.modality)).toEqual(['CT']);

    await page.locator('#seg-send-confirm').click();
    await page.waitForSelector('#seg-send[data-sent]', { state: 'attached', timeout: 60_000 });
    const sentSeries = await panel.getAttribute('data-sent');
    expect(await page.locator('#seg-send-status').textContent()).toMatch(/^Sent:/);
    const series = await searchSeries(orthanc, SAMPLE.studyInstanceUID);
    expect(series.filter((s) => s.modality === 'SEG').map((s) => s.seriesInstanceUID)).toEqual([sentSeries]);
    expect(dicomWebRequests.some((u) => new RegExp(`/dicomweb/studies/${SAMPLE.studyInstanceUID.replace(/\./g, '\\.')}$`).test(u))).toBe(true);

    // leave the test PACS as it was for the other tests
    const rest = inject('orthancRest');
    const found = (await (await fetch(`${rest}/tools/lookup`, { method: 'POST', body: sentSeries! })).json()) as Array<{ ID: string; Type: string }>;
    for (const { ID, Type } of found) if (Type === 'Series') await fetch(`${rest}/series/${ID}`, { method: 'DELETE' });
    expect((await searchSeries(orthanc, SAMPLE.studyInstanceUID)).map((s) => s.modality)).toEqual(['CT']);
    expect(errors).toEqual([]);
  });

  it('a team member who reaches the same PACS takes the shared case\'s CT from it at full resolution, not from the host', async () => {
    await page.locator('#team-details summary').click();
    await page.locator('#team-offer-pacs').check(); // the host chooses to name the series (UIDs) to the room
    await page.locator('#team-start').click();
    await page.waitForSelector('#team-host:not([hidden]) #team-join-code:not(:empty)', { timeout: 120_000 }).catch(async (error: Error) => {
      const panel = await page.evaluate(() => ['team-status', 'team-error'].map((id) => `${id}: ${document.getElementById(id)?.textContent ?? ''}`).join(' | '));
      throw new Error(`the host opens the room: ${error.message.split('\n')[0]}; ${panel}; ${errors.join('; ')}`);
    });
    const link = (await page.getAttribute('#team-link', 'href'))!;
    const hostCt = await page.evaluate(() => { const v = window.__holoct!.store.getState().shared.caseId; return v; });
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const joiner = await context.newPage();
    const blobs: string[] = [];
    const joinerDicomWeb: string[] = [];
    joiner.on('pageerror', (e) => errors.push(`joiner: ${String(e)}`));
    joiner.on('request', (r) => {
      if (r.url().includes('/blobs/')) blobs.push(r.url());
      if (r.url().includes('/dicomweb/')) joinerDicomWeb.push(r.url());
    });
    await joiner.goto(link);
    await joiner.waitForSelector('body[data-hologram="ready"]', { timeout: 240_000 });
    await joiner.waitForSelector('#team-ct-note:not([hidden])', { timeout: 30_000 });
    expect(await joiner.locator('#team-ct-note').textContent()).toMatch(/CT taken from the PACS at full resolution/);
    // the same case (its id is the CT's voxel hash), the series' 20 images from the PACS, and of the
    // host's package only the surfaces and the labels: its CT blob was never downloaded
    expect(await joiner.evaluate(() => window.__holoct!.store.getState().shared.caseId)).toBe(hostCt);
    expect(joinerDicomWeb.filter((u) => /\/instances\/[\d.]+$/.test(u))).toHaveLength(20);
    expect(blobs).toHaveLength(2);
    await page.locator('#team-leave').click();
    await joiner.waitForFunction(() => document.getElementById('team-error')?.textContent?.includes('ended'), null, { timeout: 20_000 });
    await context.close();
    expect(errors).toEqual([]);
  });

  it('names the reason when the server URL is wrong and keeps the hologram', async () => {
    const before = await structureCount(page);
    await page.locator('#pacs-url').fill('/not-a-pacs');
    await page.locator('#pacs-search-button').click();
    await page.waitForSelector('#pacs-error:not([hidden])', { timeout: 30_000 });
    expect(await page.locator('#pacs-error').textContent()).toMatch(/PACS search failed: the DICOMweb server at \/not-a-pacs answered HTTP 404/);
    expect(await structureCount(page)).toBe(before);
    expect(await page.locator('body').getAttribute('data-hologram')).toBe('ready');
    await page.screenshot({ path: `${OUT}/pacs-error.png` });
  });
});
