import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium, headless, with WebGPU through SwiftShader (Vulkan) and no background networking. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-webgpu-adapter=swiftshader',
  '--ignore-gpu-blocklist',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * The pages of one browser test, each in a context of its own (its own storage: another device),
 * keeping what they threw and printed so a failed wait can say what the page showed.
 */
export class TestPages {
  readonly errors: string[] = [];
  readonly consoleLines: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  constructor(private readonly browser: Browser) {}

  async open(label: string, options: { viewport?: { width: number; height: number }; timeoutMs?: number } = {}): Promise<Page> {
    const context = await this.browser.newContext({ ignoreHTTPSErrors: true, viewport: options.viewport ?? { width: 1100, height: 760 } });
    this.contexts.push(context);
    const page = await context.newPage();
    if (options.timeoutMs) page.setDefaultTimeout(options.timeoutMs);
    page.on('pageerror', (e) => this.errors.push(`${label}: ${String(e)}`));
    page.on('console', (m) => this.consoleLines.push(`${label} ${m.type()}: ${m.text()}`));
    return page;
  }

  /** Waits; on failure the error names what was awaited and shows the team panel, page errors and console. */
  async waitFor(page: Page, what: string, wait: () => Promise<unknown>): Promise<void> {
    try {
      await wait();
    } catch (error) {
      const panel = await page.evaluate(() => ['team-status', 'team-error', 'error'].map((id) => `${id}: ${document.getElementById(id)?.textContent ?? ''}`).join(' | '));
      throw new Error(`${what}: ${(error as Error).message.split('\n')[0]}\npanel: ${panel}\nerrors: ${this.errors.join('\n')}\nconsole:\n${this.consoleLines.slice(-30).join('\n')}`);
    }
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close();
  }
}

/** For a describe block: launches the browser before its tests, closes its pages and the browser after them. */
export function suitePages(): () => TestPages {
  let browser: Browser | undefined;
  let pages: TestPages | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    pages = new TestPages(browser);
  });
  afterAll(async () => {
    await pages?.close();
    await browser?.close();
  });
  return () => pages!;
}
