// What the e2e scenarios do with the workbench, as a user would: rows of the Hosts view,
// context menus, the Command Palette, quick picks, hovers. Everything waits on the DOM.
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';

export const ACTIVITY_ITEM = '.part.activitybar .action-item a.action-label[aria-label^="Sandbox Explorer"]';
export const SIDEBAR = '.part.sidebar';
export const QUICK_INPUT = '.quick-input-widget';

/** Text of every row of the tree or list inside `scope`. */
export async function rowTexts(page: Page, scope: string): Promise<string[]> {
  return page.locator(`${scope} .monaco-list-row`).evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trim()));
}

/** Polls an element's text (Monaco renders spaces as U+00A0) until it matches. */
export async function waitForText(locator: Locator, pattern: RegExp, timeoutMs: number): Promise<string> {
  return waitFor(async () => {
    const text = ((await locator.textContent().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
    return pattern.test(text) ? text : undefined;
  }, timeoutMs, () => `text never matched ${pattern}`);
}

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Shows the Sandbox Explorer side bar; clicking its icon while it is showing would hide it. */
export async function showSandboxExplorer(page: Page): Promise<void> {
  const title = page.locator(`${SIDEBAR} .composite.title`, { hasText: /Sandbox Explorer/i });
  if (await title.isVisible()) return;
  await page.locator(ACTIVITY_ITEM).click();
  await title.waitFor({ state: 'visible' });
}

/** The Hosts view row whose label is exactly `label` (hosts, files). */
export function treeRow(page: Page, label: string): Locator {
  return page.locator(`${SIDEBAR} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) }).first();
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs a command from F1 by its full title, e.g. "Sandbox Explorer: Show Log". */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} input`);
  // F1 pressed while another quick pick is closing can be swallowed: press it again.
  // Under load it can also open after the wait below, and a second F1 would close it: check
  // first whether the input on screen is the palette's (another quick pick may be closing).
  const paletteShown = async () => (await input.isVisible()) && /command to run/i.test((await input.getAttribute('placeholder').catch(() => '')) ?? '');
  // The palette can also close again right after it opened (a terminal or editor taking the
  // focus back): then the text does not go in, and it is opened once more.
  await waitFor(async () => {
    if (!(await paletteShown())) {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
      if (!(await paletteShown())) return undefined;
    }
    return (await input.fill(`>${title}`, { timeout: 3000 }).then(() => true, () => false)) || undefined;
  }, 30_000, () => `the Command Palette never took "${title}"`);
  // Click the row with exactly this title: the first row may be a longer one that contains it.
  const row = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first();
  await row.click();
}

/** Labels of the rows the open quick pick shows, once it shows at least one (and shows `placeholder`, when given). */
export async function quickPickLabels(page: Page, placeholder?: string): Promise<string[]> {
  if (placeholder) await page.locator(`${QUICK_INPUT} input[placeholder="${placeholder}"]`).waitFor({ state: 'visible' });
  const rows = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
  await rows.first().waitFor({ state: 'visible' });
  return rows.evaluateAll((els) => els.map((e) => (e.querySelector('.label-name')?.textContent ?? e.textContent ?? '').replace(/\u00a0/g, ' ').trim()));
}

/** Right-clicks `target` and returns the labels of the context menu it opens. */
export async function openContextMenu(page: Page, target: Locator): Promise<string[]> {
  await target.click({ button: 'right' });
  const items = page.locator('.monaco-menu .action-item .action-label');
  await items.first().waitFor({ state: 'visible' });
  return (await items.allTextContents()).map((t) => t.replace(/\u00a0/g, ' ').trim()).filter(Boolean);
}

/** Clicks the entry `label` of the open context menu. */
export async function clickMenuItem(page: Page, label: string): Promise<void> {
  const item = page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).first();
  // A menu ignores a click that comes too soon after it opened; it then stays open.
  await waitFor(async () => {
    if (!(await item.isVisible())) return true;
    await item.click().catch(() => undefined);
    return (await page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false)) || undefined;
  }, 15_000, () => `the menu item ${label} never took the click`);
}

/** The text of the hover that appears over `target`. */
export async function hoverText(page: Page, target: Locator, pattern: RegExp): Promise<string> {
  // The hover appears when the pointer enters the target, so it starts outside.
  await page.mouse.move(0, 0);
  await target.hover();
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: pattern }).first();
  await hover.waitFor({ state: 'visible', timeout: 10_000 }).catch(async (e) => {
    const shown = await page.locator('.workbench-hover, .monaco-hover').allTextContents();
    throw new Error(`no hover matching ${pattern} over ${await target.evaluate((el) => el.outerHTML.slice(0, 500))}; hovers: ${JSON.stringify(shown)}\n${(e as Error).message}`);
  });
  return ((await hover.textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** The browser clipboard (the permission is granted by the scenario). */
export async function readClipboard(page: Page): Promise<string> {
  // Runs in the page, where `navigator` exists (the test tsconfig has no DOM types).
  return page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
}

/** The status bar item naming `host` (its accessible label is "Sandbox host <name>, <state>"). */
export function statusItem(page: Page, host: string, state?: string): Locator {
  return page.locator(`.part.statusbar [aria-label^="Sandbox host ${host}, ${state ?? ''}"]`).first();
}

/**
 * A view's title action (e.g. "Add Host…" on Hosts). With one view in the container its actions
 * sit in the container title; with several, in the view's own header, shown while hovered.
 */
export async function viewTitleAction(page: Page, view: string, actionLabel: string): Promise<Locator> {
  const header = page.locator(`${SIDEBAR} .pane-header`).filter({ has: page.locator('h3.title', { hasText: new RegExp(`^${escapeRegExp(view)}$`, 'i') }) }).first();
  const selector = `a.action-label[aria-label^="${actionLabel}"]`;
  if (await header.isVisible()) {
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await header.hover();
    return header.locator(selector).first();
  }
  return page.locator(`${SIDEBAR} .composite.title ${selector}`).first();
}

/** A contributed command's title: menus are clicked by the title the manifest gives the command. */
const MANIFEST = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
export function titleOf(command: string): string {
  const found = (MANIFEST.contributes.commands as Array<{ command: string; title: string }>).find((c) => c.command === command);
  if (!found) throw new Error(`${command} is not contributed`);
  return found.title;
}
