// Debian Chromium driven by playwright-core. The browser gets its own HOME and TMPDIR and
// is stopped by the PID of its process group even if Playwright's close() hangs.
import { isAlive } from '../support/processes';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { stopGroup, withTimeout } from './childProcesses';
import { findChromium } from './editorTools';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

export async function launchBrowser(env: NodeJS.ProcessEnv, viewport = { width: 1280, height: 800 }): Promise<BrowserSession> {
  const executablePath = findChromium();
  // launchServer (not launch) hands out the browser's process, so it can be stopped by PID.
  const server = await withTimeout(
    chromium.launchServer({ executablePath, args: CHROMIUM_FLAGS, env: env as Record<string, string>, headless: true, timeout: 60_000, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false }),
    90_000,
    `Chromium (${executablePath}) start`,
  );
  const pid = server.process().pid;
  let browser: Browser | undefined;
  const close = async () => {
    if (browser) await withTimeout(browser.close(), 15_000, 'Chromium close').catch(() => undefined);
    await withTimeout(server.close(), 15_000, 'Chromium server close').catch(() => undefined);
    // Playwright starts Chromium as a group leader; make sure no renderer or GPU process survives.
    if (pid) await stopGroup(pid, 2000);
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
  };
  try {
    browser = await chromium.connect(server.wsEndpoint(), { timeout: 30_000 });
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    return { browser, context, page, pid, close };
  } catch (e) {
    await close();
    throw e;
  }
}

