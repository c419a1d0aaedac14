import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from './browser';

/**
 * Issue 8 in the browser: a host page segments the sample and starts a team session from the panel;
 * a second page opens the join link, gets the host's case from the package (no segmentation of its
 * own), sees the host as a member and as a presence avatar; the joiner leaves and disappears; the
 * host ends the session. The room secret never appears in a request URL.
 */
type Holo = { __holoct?: { scene?: { getMeshByName(n: string): { thinInstanceCount?: number } | null }; view?: { structureNames: string[] } } };

async function presenceCount(page: Page): Promise<number> {
  return page.evaluate(() => ((window as unknown as Holo).__holoct?.scene?.getMeshByName('presence-heads')?.thinInstanceCount ?? 0));
}

async function structures(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((window as unknown as Holo).__holoct?.view?.structureNames ?? [])].sort());
}

describe('team session between two desktop pages', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const urls: string[] = [];
  const consoleLines: string[] = [];

  /** Waits, and on a timeout says what the team panel and the console showed. */
  async function waitPanel(page: Page, selector: string, timeout: number): Promise<void> {
    try {
      await page.waitForSelector(selector, { timeout });
    } catch (error) {
      const panel = await page.evaluate(() => ['team-status', 'team-error', 'error'].map((id) => `${id}: ${document.getElementById(id)?.textContent ?? ''}`).join(' | '));
      throw new Error(`${(error as Error).message.split('\n')[0]}\npanel: ${panel}\nerrors: ${errors.join('\n')}\nconsole:\n${consoleLines.slice(-30).join('\n')}`);
    }
  }

  async function newPage(label: string): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${label}: ${String(e)}`));
    page.on('console', (m) => consoleLines.push(`${label} ${m.type()}: ${m.text()}`));
    page.on('request', (r) => urls.push(r.url()));
    page.on('websocket', (ws) => urls.push(ws.url()));
    return page;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
  });

  it('host starts, joiner opens the link and sees the same case and the host; leaving and ending work', async () => {
    const host = await newPage('host');
    await host.goto(inject('baseUrl'));
    await host.waitForSelector('body[data-hologram="ready"]', { timeout: 540_000 });
    await host.click('#team-details summary');
    await host.fill('#team-name', 'Lead surgeon');
    await host.dispatchEvent('#team-name', 'change');
    await host.click('#team-start');
    await waitPanel(host, '#team-host:not([hidden]) #team-join-code:not(:empty)', 120_000);
    const link = await host.getAttribute('#team-link', 'href');
    expect(link).toMatch(/\/\?room=[A-Za-z0-9_-]+#secret=/);
    await host.waitForFunction(() => (document.getElementById('team-qr') as HTMLImageElement).src.startsWith('data:image/svg+xml'));
    const secret = decodeURIComponent(/#secret=(.+)$/.exec(link!)![1]);

    const joiner = await newPage('joiner');
    await joiner.goto(link!);
    await waitPanel(joiner, 'body[data-hologram="ready"]', 240_000);
    // the secret left the address bar; the joined case is the host's, not a sample segmented here
    expect(joiner.url()).not.toContain('secret');
    expect(await structures(joiner)).toEqual(await structures(host));
    await joiner.waitForFunction(() => document.querySelectorAll('#team-members li').length === 2, undefined, { timeout: 30_000 });
    expect(await joiner.textContent('#team-members')).toContain('Lead surgeon');

    // a cut made on the host reaches the joiner's state through the room document
    await host.evaluate(() => (window as unknown as { __holoct: { store: { dispatch(c: unknown): unknown } } }).__holoct.store.dispatch({ type: 'cut/upsert', id: 'axial', cut: { normal: [0, 0, 1], offset: 7, showSlice: true } }));
    await joiner.waitForFunction(() => (window as unknown as { __holoct: { store: { getState(): { shared: { cuts: Record<string, { offset: number }> } } } } }).__holoct.store.getState().shared.cuts.axial?.offset === 7, undefined, { timeout: 15_000 });

    // presence: each sees the other's avatar
    await host.waitForFunction(() => ((window as unknown as Holo).__holoct?.scene?.getMeshByName('presence-heads')?.thinInstanceCount ?? 0) === 1, undefined, { timeout: 30_000 });
    expect(await presenceCount(joiner)).toBe(1);

    // the joiner leaves: gone from the host's list and scene at once
    await joiner.click('#team-leave');
    await host.waitForFunction(() => document.querySelectorAll('#team-members li').length === 1, undefined, { timeout: 10_000 });
    expect(await presenceCount(host)).toBe(0);

    // the host ends the session
    await host.click('#team-leave');
    await host.waitForSelector('#team-idle:not([hidden])', { timeout: 10_000 });
    expect(await host.textContent('#team-error')).toMatch(/ended/);

    expect(urls.filter((u) => u.includes(secret) || u.includes(encodeURIComponent(secret)))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
