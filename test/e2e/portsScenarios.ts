// The Ports view as a user meets it: Forward a Port… in its title, a bad spec refused in the
// input box, the forward's row, and Open in Browser reaching the sandbox's web server. The
// e2e sandbox is this machine's loopback, so the forward listens on another free local port.
import * as assert from 'assert';
import * as http from 'http';
import * as net from 'net';
import type { Scenario } from './scenarios';
import { escapeRegExp, QUICK_INPUT, showSandboxExplorer, SIDEBAR, viewTitleAction, waitFor, waitForText } from './workbench';

const PAGE = '<!doctype html><title>sandbox web</title><h1>Hello from the sandbox web server</h1><p>served on the sandbox, reached through the forward</p>';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export const portsScenarios: Scenario[] = [
  {
    title: 'Ports view: Forward a Port… in its title forwards to the sandbox web server; the row shows it active and Open in Browser shows its page',
    async run({ page, sandbox, screenshot }) {
      const web = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
      await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
      const webPort = (web.address() as net.AddressInfo).port;
      const localPort = await freePort();
      try {
        await showSandboxExplorer(page);
        await (await viewTitleAction(page, 'Ports', 'Forward a Port')).click();
        // More than one host is connected by now: the host is picked first.
        const input = page.locator(`${QUICK_INPUT} input`);
        await input.waitFor({ state: 'visible', timeout: 20_000 });
        const hostRow = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(sandbox.name)}$`) }) });
        if (await page.locator(`${QUICK_INPUT} input[placeholder="Forward a port on which host?"]`).isVisible()) await hostRow.first().click();
        await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: `Forward a Port on ${sandbox.name}` }).waitFor({ state: 'visible', timeout: 20_000 });
        // A bad spec is refused in the box itself.
        await input.fill('8080:localhost');
        const message = await waitForText(page.locator(QUICK_INPUT), /the remote port is missing/, 10_000);
        assert.match(message, /8080:localhost:PORT/);
        await screenshot('30-forward-port-validation');
        await input.fill(`${localPort}:localhost:${webPort}`);
        await page.keyboard.press('Enter');

        const portsPane = page.locator(`${SIDEBAR} .pane`).filter({ has: page.locator('.pane-header h3.title', { hasText: /^Ports$/i }) }).first();
        const row = portsPane.locator('.monaco-list-row', { hasText: `127.0.0.1:${localPort}` }).first();
        await row.waitFor({ state: 'visible', timeout: 20_000 });
        const text = await waitForText(row, /active/, 20_000);
        assert.match(text, new RegExp(`127\\.0\\.0\\.1:${localPort} → localhost:${webPort}`));
        assert.match(text, new RegExp(`${escapeRegExp(sandbox.name)} · local · active`));
        // Wider, so the row's addresses and state are readable in the screenshot (narrowed again after).
        const sidebar = (await page.locator(SIDEBAR).boundingBox())!;
        const dragSash = async (from: number, to: number) => {
          await page.mouse.move(from, sidebar.y + sidebar.height / 2);
          await page.mouse.down();
          await page.mouse.move(to, sidebar.y + sidebar.height / 2, { steps: 5 });
          await page.mouse.up();
        };
        await dragSash(sidebar.x + sidebar.width + 1, sidebar.x + 640);
        await screenshot('31-ports-view');
        await dragSash(sidebar.x + 641, sidebar.x + sidebar.width + 1);

        // Open in Browser: the editor opens the (maybe mapped) URL in a new browser tab.
        await row.hover();
        const popup = page.context().waitForEvent('page', { timeout: 20_000 });
        await row.locator('a.action-label[aria-label^="Open in Browser"]').click();
        // code-server proxies the port on the editor's own address: the extension warns and asks first.
        const ask = page.locator('.quick-input-widget');
        await ask.waitFor({ state: 'visible', timeout: 20_000 });
        await screenshot('32-open-on-editor-origin-warning');
        await ask.locator('.monaco-list-row', { hasText: 'Open Anyway' }).click();
        // code-server may ask before opening an external link.
        const dialog = page.locator('.monaco-dialog-box');
        const opened = await Promise.race([popup, dialog.waitFor({ state: 'visible', timeout: 20_000 }).then(() => undefined)]);
        const tab = opened ?? (await (async () => {
          await screenshot('32b-open-external-dialog');
          await dialog.locator('.monaco-button', { hasText: /^Open$/ }).first().click();
          return popup;
        })());
        await tab.waitForLoadState('domcontentloaded');
        const body = await waitFor(async () => {
          const t = (await tab.locator('h1').textContent().catch(() => '')) ?? '';
          return /Hello from the sandbox web server/.test(t) ? t : undefined;
        }, 20_000, () => `the opened tab (${tab.url()}) never showed the sandbox page`);
        assert.ok(body);
        await screenshot('33-opened-in-browser', tab);
        await tab.close();
      } finally {
        web.close();
      }
    },
  },
];
