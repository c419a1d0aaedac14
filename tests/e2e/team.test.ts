import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { suitePages } from './browser';
import { applyRigid, invertRigid, type RigidTransform, type Vec3 } from '../../src/state';
import type { Mesh } from '@babylonjs/core/Meshes/mesh';
import type {} from '@babylonjs/core/Meshes/thinInstanceMesh';
import type { Effector } from '../../src/xr/effector';
import { drawnPresence } from './presence-probe';
import './test-api';
import { installEmulatedQuest, installHandDriver } from './xr-helpers';

const IWER_BUILD = createRequire(import.meta.url).resolve('iwer/build/iwer.min.js');
/** IWER's emulated hands, as the test moves them. */
type IwerHands = { hands: Record<'left' | 'right', { position: { set(x: number, y: number, z: number): void } }> };

/**
 * Issue 8 in the browser: a host page segments the sample and starts a team session from the panel;
 * a second page opens the join link, gets the host's case from the package (no segmentation of its
 * own), sees the host as a member and as a presence avatar; the joiner leaves and disappears; the
 * host ends the session. The room secret never appears in a request URL.
 */

async function presenceCount(page: Page): Promise<number> {
  return page.evaluate(() => ((window.__holoct?.scene?.getMeshByName('presence-heads') as Mesh | null)?.thinInstanceCount ?? 0));
}

async function structures(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window.__holoct?.view?.structureNames ?? [])].sort());
}

describe('team session between two desktop pages', () => {
  const suite = suitePages();
  const urls: string[] = [];

  const waitPanel = (page: Page, selector: string, timeout: number) => suite().waitFor(page, selector, () => page.waitForSelector(selector, { timeout }));

  async function newPage(label: string): Promise<Page> {
    const page = await suite().open(label);
    page.on('request', (r) => urls.push(r.url()));
    page.on('websocket', (ws) => urls.push(ws.url()));
    return page;
  }


  let host: Page;

  it('host starts, joiner opens the link and sees the same case and the host; leaving and ending work', async () => {
    host = await newPage('host');
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
    await host.evaluate(() => window.__holoct!.store.dispatch({ type: 'cut/upsert', id: 'axial', cut: { normal: [0, 0, 1], offset: 7, showSlice: true } }));
    await joiner.waitForFunction(() => window.__holoct!.store.getState().shared.cuts.axial?.offset === 7, undefined, { timeout: 15_000 });

    // presence: each sees the other's avatar
    await host.waitForFunction(() => ((window.__holoct?.scene?.getMeshByName('presence-heads') as Mesh | null)?.thinInstanceCount ?? 0) === 1, undefined, { timeout: 30_000 });
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
    expect(suite().errors).toEqual([]);
  });

  it('a Quest 3 (IWER) joiner in XR: its head, hands and pointer reach the desktop host where the headset has them', async () => {
    await host.click('#team-start');
    await waitPanel(host, '#team-host:not([hidden]) #team-join-code:not(:empty)', 120_000);
    const link = (await host.getAttribute('#team-link', 'href'))!;

    const quest = await newPage('quest');
    await quest.addInitScript({ path: IWER_BUILD });
    await quest.addInitScript(installEmulatedQuest, { height: 0.8 });
    await quest.goto(link);
    await waitPanel(quest, 'body[data-hologram="ready"]', 240_000);
    await quest.waitForSelector('#enter-xr:not([disabled])', { timeout: 60_000 });
    await quest.click('#enter-xr');
    await quest.waitForFunction(() => window.__holoct!.xr.holo.inXR, null, { timeout: 60_000 });
    await quest.evaluate(installHandDriver);
    // stand somewhere, hands out in front (IWER space is right-handed: z flips from Babylon's)
    const truth = await quest.evaluate(async () => {
      const t = window.__xrt!;
      const iwer = (window as unknown as { __iwer: IwerHands }).__iwer;
      t.head([0.3, 1.5, 0.2], -10);
      iwer.hands.right.position.set(0.45, 1.2, -0.5);
      iwer.hands.left.position.set(0.1, 1.25, -0.45);
      await t.frames(12);
      await new Promise((r) => setTimeout(r, 300)); // ≥ several 30 Hz presence ticks
      await t.frames(4);
      const h = window.__holoct!;
      const cam = h.scene.activeCamera!.globalPosition;
      const hands = h.xr.holo.adapter!.effectors.filter((e: Effector) => e.tracked).map((e: Effector) => [e.position.x, e.position.y, e.position.z]);
      return { head: [cam.x, cam.y, cam.z], hands, calibration: h.store.getState().local.calibration };
    });
    expect(truth.hands.length).toBe(2);
    // entering XR in a session without a landmark calibration, the headset placed its own copy: its
    // calibration moved, not the team's pose, and its presence is in the room frame
    const shared = await host.evaluate(() => window.__holoct!.store.getState().shared.pose);
    expect(await quest.evaluate(() => window.__holoct!.store.getState().shared.pose)).toEqual(shared);
    const toRoom = (p: number[]) => applyRigid(invertRigid(truth.calibration as RigidTransform), p as Vec3);

    // the host (identity calibration: room frame = its world) draws the headset's head and both hands where they are in the room frame
    await host.waitForFunction(() => ((window.__holoct!.scene.getMeshByName('presence-hands') as Mesh | null)?.thinInstanceCount ?? 0) >= 2, null, { timeout: 30_000 });
    const drawn = await host.evaluate(drawnPresence, ['presence-heads', 'presence-hands']);
    const seen = { heads: drawn['presence-heads'], hands: drawn['presence-hands'], rays: await host.evaluate(() => window.__holoct!.scene.getMeshByName('presence-rays')!.isEnabled()) };
    const close = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    expect(seen.heads).toHaveLength(1);
    expect(close(seen.heads[0], toRoom(truth.head))).toBeLessThan(0.01);
    for (const hand of truth.hands) expect(Math.min(...seen.hands.map((p: number[]) => close(p, toRoom(hand))))).toBeLessThan(0.01);
    expect(seen.rays).toBe(true);
    // and the headset sees the desktop host
    expect(await quest.evaluate(() => (window.__holoct!.scene.getMeshByName('presence-heads') as Mesh | null)?.thinInstanceCount ?? 0)).toBe(1);

    await host.click('#team-leave');
    await quest.waitForFunction(() => document.getElementById('team-error')?.textContent?.includes('ended'), null, { timeout: 20_000 });
    expect(suite().errors).toEqual([]);
  });
});
