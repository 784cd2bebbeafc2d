// A sandbox gateway in the workbench, as a user meets it: added to the user settings, it shows
// as a group in the Hosts view asking for its API token; once the token is typed (masked), the
// sandboxes its API lists appear under it, and its context menu adds sandboxes by id.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Scenario } from './scenarios';
import { startGatewayServer } from '../support/gatewayServer';
import { generateKey } from '../support/sshd';
import { clickMenuItem, openContextMenu, QUICK_INPUT, showSandboxExplorer, SIDEBAR, treeRow } from './workbench';

const TOKEN = 'e2e-gateway-token-5d1c';

/** Edits the sandboxExplorer settings in both settings files the harness writes (code-server reads machine settings from Machine/). */
function editSettings(userDataDir: string, change: (settings: Record<string, unknown>) => void): void {
  for (const scope of ['Machine', 'User']) {
    const file = path.join(userDataDir, scope, 'settings.json');
    const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(settings);
    fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
  }
}

export const gatewayScenarios: Scenario[] = [
  {
    title: 'a sandbox gateway is a group in the Hosts view: its token is asked for once (masked), then the sandboxes its API lists appear under it',
    async run({ page, sandbox, userDataDir, home, screenshot }) {
      const ssh = { host: '127.0.0.1', port: sandbox.port, username: 'x' };
      const server = await startGatewayServer({ token: TOKEN, sandboxes: { 'rs-abc123-default-x7k9m': { ...ssh, username: 'rs-abc123-default-x7k9m' }, 'odd.id#2': { ...ssh, username: 'odd.id#2' } } });
      try {
        editSettings(userDataDir, (s) => (s['sandboxExplorer.gateways'] = [{ name: 'acme', url: server.url }]));
        await showSandboxExplorer(page);
        const group = treeRow(page, 'acme');
        await group.waitFor({ state: 'visible', timeout: 30_000 });
        // No token yet: the group says so instead of listing, and asks nothing by itself.
        const noToken = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'No API token for acme yet' }).first();
        await noToken.waitFor({ state: 'visible', timeout: 20_000 });
        assert.strictEqual(server.requests.length, 0, 'no request without a token');
        await screenshot('30-gateway-no-token');
        await noToken.click();
        const secret = page.locator(`${QUICK_INPUT} input[type="password"]`);
        await secret.waitFor({ state: 'visible', timeout: 20_000 });
        assert.match((await page.locator(QUICK_INPUT).textContent()) ?? '', /API token for gateway acme/);
        await secret.fill(TOKEN);
        await page.keyboard.press('Enter');
        for (const id of ['rs-abc123-default-x7k9m', 'odd.id#2']) await treeRow(page, id).waitFor({ state: 'visible', timeout: 20_000 });
        assert.ok(server.requests.every((r) => r.auth === `Bearer ${TOKEN}`));
        // Its row names the sandbox by id; where it is is decided by the gateway on connect.
        assert.match((await treeRow(page, 'odd.id#2').getAttribute('aria-label')) ?? '', /^odd\.id#2, odd\.id#…@acme, disconnected$/);
        await screenshot('31-gateway-sandboxes');

        // The group's context menu: Add Sandbox… takes an id the API does not list.
        const labels = await openContextMenu(page, group);
        for (const entry of ['Add Sandbox…', 'Enter Gateway API Token…']) assert.ok(labels.includes(entry), `${entry} missing from ${JSON.stringify(labels)}`);
        await clickMenuItem(page, 'Add Sandbox…');
        const input = page.locator(`${QUICK_INPUT} input`);
        await input.waitFor({ state: 'visible' });
        await input.fill('manual-box.7');
        await page.keyboard.press('Enter');
        await treeRow(page, 'manual-box.7').waitFor({ state: 'visible', timeout: 20_000 });
        await screenshot('32-gateway-added-sandbox');

        // The SSH Keys view lists the gateway; Upload Key to Gateway… on it sends a local key, which then shows as this machine's.
        const sshDir = path.join(home, '.ssh');
        fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
        const localKey = path.join(sshDir, '0gateway-e2e');
        if (!fs.existsSync(localKey)) generateKey(localKey);
        const keysHeader = page.locator(`${SIDEBAR} .pane-header`).filter({ has: page.locator('h3.title', { hasText: /^SSH Keys$/i }) }).first();
        if ((await keysHeader.getAttribute('aria-expanded')) !== 'true') await keysHeader.click();
        // The Keys view's gateway row is the second "acme" (the Hosts view's group comes first).
        const keysGateway = page.locator(`${SIDEBAR} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: /^acme$/ }) }).nth(1);
        await keysGateway.waitFor({ state: 'visible', timeout: 20_000 });
        await page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'No keys on this gateway' }).first().waitFor({ state: 'visible', timeout: 20_000 });
        const keyLabels = await openContextMenu(page, keysGateway);
        assert.ok(keyLabels.includes('Upload Key to Gateway…'), JSON.stringify(keyLabels));
        await clickMenuItem(page, 'Upload Key to Gateway…');
        await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: '0gateway-e2e' }).first().click();
        await page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'this machine: 0gateway-e2e' }).first().waitFor({ state: 'visible', timeout: 20_000 });
        assert.strictEqual(server.keys.length, 1);
        // The local key says which gateway trusts it.
        await page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: /0gateway-e2e.*· on acme/ }).first().waitFor({ state: 'visible', timeout: 20_000 });
        await screenshot('33-gateway-keys');
      } finally {
        fs.rmSync(path.join(home, '.ssh', '0gateway-e2e'), { force: true });
        fs.rmSync(path.join(home, '.ssh', '0gateway-e2e.pub'), { force: true });
        editSettings(userDataDir, (s) => delete s['sandboxExplorer.gateways']);
        await server.close();
      }
      await treeRow(page, 'acme').waitFor({ state: 'hidden', timeout: 20_000 });
    },
  },
];
