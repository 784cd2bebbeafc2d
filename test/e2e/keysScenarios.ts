// The SSH Keys view, the new host actions and the walkthrough, clicked as a new user would.
// Runs after hostScenarios: the sandbox host is listed and connected.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Scenario } from './scenarios';
import { clickMenuItem, openContextMenu, QUICK_INPUT, quickPickLabels, readClipboard, runFromPalette, showSandboxExplorer, SIDEBAR, treeRow, viewTitleAction, waitFor, waitForText } from './workbench';

export const keysScenarios: Scenario[] = [
  {
    title: 'the SSH Keys view: Generate SSH Key… in its title writes an ed25519 key, which the view then lists',
    async run({ page, home, screenshot }) {
      await showSandboxExplorer(page);
      const sshDir = path.join(home, '.ssh');
      const pubsBefore = fs.existsSync(sshDir) ? fs.readdirSync(sshDir).filter((n) => n.endsWith('.pub')) : [];
      await (await viewTitleAction(page, 'SSH Keys', 'Generate SSH Key')).click();
      // Three steps: file name, comment, passphrase; the defaults are taken (no passphrase).
      for (const step of ['1/3', '2/3', '3/3']) {
        await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: step }).waitFor({ state: 'visible', timeout: 20_000 });
        if (step === '1/3') await screenshot('20-generate-key-name');
        await page.keyboard.press('Enter');
      }
      const created = await waitFor(async () => {
        const pubs = fs.existsSync(sshDir) ? fs.readdirSync(sshDir).filter((n) => n.endsWith('.pub') && !pubsBefore.includes(n)) : [];
        return pubs[0];
      }, 20_000, () => 'no new .pub in ~/.ssh');
      const name = created.replace(/\.pub$/, '');
      assert.strictEqual(fs.statSync(path.join(sshDir, name)).mode & 0o777, 0o600);
      const row = treeRow(page, name);
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match((await row.textContent()) ?? '', /ED25519/);
      await screenshot('21-keys-view');
    },
  },
  {
    title: 'Generate SSH Key… with a passphrase the user asks to remember: the key is encrypted and the passphrase is listed in secret storage',
    async run({ page, home, screenshot }) {
      await showSandboxExplorer(page);
      const name = `id_remembered_${Date.now() % 100000}`;
      await (await viewTitleAction(page, 'SSH Keys', 'Generate SSH Key')).click();
      const input = page.locator(`${QUICK_INPUT} input`);
      const step = async (title: string) => page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
      await step('1/3');
      await input.fill(name);
      await page.keyboard.press('Enter');
      await step('2/3');
      await page.keyboard.press('Enter');
      await step('3/3');
      await input.fill('e2e-passphrase');
      await page.keyboard.press('Enter');
      await page.locator(`${QUICK_INPUT}`, { hasText: 'Type the passphrase again' }).waitFor({ state: 'visible', timeout: 20_000 });
      await input.fill('e2e-passphrase');
      await page.keyboard.press('Enter');
      await step('remember the passphrase?');
      await screenshot('20b-generate-key-remember');
      await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: 'Remember it' }).first().click();
      const keyFile = path.join(home, '.ssh', name);
      await waitFor(async () => (fs.existsSync(`${keyFile}.pub`) ? true : undefined), 20_000, () => `${keyFile}.pub not written`);
      // Encrypted: an OpenSSH private key whose cipher is not "none".
      const body = Buffer.from(fs.readFileSync(keyFile, 'utf8').split('\n').slice(1, -2).join(''), 'base64');
      assert.ok(body.includes(Buffer.from('aes256-ctr')) && body.includes(Buffer.from('bcrypt')), 'the private key is encrypted');
      await runFromPalette(page, 'Sandbox Explorer: Forget Saved Passwords, Passphrases and Tokens…');
      // The palette's own list is on screen until the command's pick replaces it.
      const labels = await quickPickLabels(page, 'Forget which saved secrets?');
      assert.ok(labels.some((l) => l.includes(`passphrase for ${keyFile}`)), JSON.stringify(labels));
      assert.ok(!labels.some((l) => l.includes('e2e-passphrase')));
      await screenshot('20c-forget-lists-passphrase');
      await page.keyboard.press('Escape');
    },
  },
  {
    title: 'the SSH Keys view says which host last logged in with a key',
    async run({ page, home, sandbox, screenshot }) {
      await showSandboxExplorer(page);
      // The sandbox connected earlier with its identity file; put its public half where the view looks.
      const listedAs = 'sandbox_login_key';
      fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
      fs.copyFileSync(`${sandbox.identityFile}.pub`, path.join(home, '.ssh', `${listedAs}.pub`));
      await (await viewTitleAction(page, 'SSH Keys', 'Refresh')).click();
      const row = treeRow(page, listedAs);
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      // Expanding the host connects it (if it is not connected yet); the login is what the view reports.
      const host = treeRow(page, sandbox.name);
      if ((await host.getAttribute('aria-expanded')) !== 'true') await host.click();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await waitForText(row, new RegExp(`last used on ${sandbox.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 20_000);
      await screenshot('21b-keys-last-used');
    },
  },
  {
    title: "a host's context menu copies an ssh command that reaches it",
    async run({ page, sandbox, screenshot }) {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
      await showSandboxExplorer(page);
      const labels = await openContextMenu(page, treeRow(page, sandbox.name));
      for (const entry of ['Copy SSH Command', 'Edit SSH Config', 'Remove Host…', 'Install Public Key on Host…', 'Authorized Keys…']) assert.ok(labels.includes(entry), `${entry} missing from ${JSON.stringify(labels)}`);
      await screenshot('22-host-context-menu');
      await clickMenuItem(page, 'Copy SSH Command');
      const copied = await waitFor(async () => {
        const text = await readClipboard(page);
        return text.startsWith('ssh ') ? text : undefined;
      }, 10_000, () => 'nothing copied');
      assert.ok(copied.endsWith(`${sandbox.user}@${sandbox.host}`), copied);
      assert.ok(copied.includes(`-p ${sandbox.port}`), copied);
    },
  },
  {
    title: 'the Get Started walkthrough opens from the palette and links Add Host…',
    async run({ page, screenshot }) {
      await runFromPalette(page, 'Welcome: Open Walkthrough...');
      const labels = await quickPickLabels(page);
      const ours = labels.find((l) => /Get Started with Sandbox Explorer/.test(l));
      assert.ok(ours, `walkthrough not offered among ${JSON.stringify(labels)}`);
      await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: 'Get Started with Sandbox Explorer' }).first().click();
      const editor = page.locator('.part.editor');
      await editor.locator('text=Add a sandbox').first().waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('23-walkthrough');
      await runFromPalette(page, 'View: Close All Editors');
      assert.ok(await page.locator(SIDEBAR).isVisible());
    },
  },
  {
    title: 'Filter Hosts… in the Hosts title narrows the list to matching hosts; Clear Hosts Filter shows them all again',
    async run({ page, sandbox, screenshot }) {
      await showSandboxExplorer(page);
      await treeRow(page, sandbox.name).waitFor({ state: 'visible' });
      await (await viewTitleAction(page, 'Hosts', 'Filter Hosts')).click();
      const input = page.locator(`${QUICK_INPUT} input`);
      await input.waitFor({ state: 'visible' });
      await input.fill('token');
      await page.keyboard.press('Enter');
      await treeRow(page, sandbox.name).waitFor({ state: 'hidden', timeout: 10_000 });
      await treeRow(page, 'token-gateway').waitFor({ state: 'visible' });
      const header = page.locator(`${SIDEBAR} .pane-header`, { hasText: 'Hosts' }).first();
      assert.match((await header.textContent()) ?? '', /filter: token/);
      await screenshot('24-hosts-filtered');
      await (await viewTitleAction(page, 'Hosts', 'Clear Hosts Filter')).click();
      await treeRow(page, sandbox.name).waitFor({ state: 'visible', timeout: 10_000 });
    },
  },
  {
    title: 'hosts from ~/.ssh/config: right-click → Move to Group… puts them in a new group, then an existing one; the view groups them',
    async run({ page, home, screenshot }) {
      const sshConfig = path.join(home, '.ssh', 'config');
      fs.mkdirSync(path.dirname(sshConfig), { recursive: true, mode: 0o700 });
      const before = fs.existsSync(sshConfig) ? fs.readFileSync(sshConfig, 'utf8') : undefined;
      fs.writeFileSync(sshConfig, `${before ?? ''}\nHost lab-gpu-1\n  HostName 127.0.0.1\n  Port 1\nHost lab-gpu-2\n  HostName 127.0.0.1\n  Port 1\nHost *\n  ServerAliveInterval 30\n`, { mode: 0o600 });
      try {
        await showSandboxExplorer(page);
        await (await viewTitleAction(page, 'Hosts', 'Refresh')).click();
        await treeRow(page, 'lab-gpu-1').waitFor({ state: 'visible', timeout: 20_000 });
        assert.strictEqual(await treeRow(page, '*').count(), 0, 'a wildcard-only Host is not listed');

        await openContextMenu(page, treeRow(page, 'lab-gpu-1'));
        await clickMenuItem(page, 'Move to Group…');
        await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: 'New Group…' }).first().click();
        const input = page.locator(`${QUICK_INPUT} input`);
        await page.locator(QUICK_INPUT, { hasText: 'Group name' }).waitFor({ state: 'visible', timeout: 20_000 });
        await input.fill('GPU boxes');
        await page.keyboard.press('Enter');
        const group = treeRow(page, 'GPU boxes');
        await group.waitFor({ state: 'visible', timeout: 20_000 });

        await openContextMenu(page, treeRow(page, 'lab-gpu-2'));
        await clickMenuItem(page, 'Move to Group…');
        await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: 'GPU boxes' }).first().click();
        // Both hosts now sit one level below the group's row.
        await waitFor(async () => {
          const levels = await Promise.all(['GPU boxes', 'lab-gpu-1', 'lab-gpu-2'].map((l) => treeRow(page, l).getAttribute('aria-level')));
          return levels[0] !== null && levels[1] === String(Number(levels[0]) + 1) && levels[2] === levels[1] ? true : undefined;
        }, 20_000, () => 'lab-gpu-1 and lab-gpu-2 are not both inside GPU boxes');
        await screenshot('25-ssh-config-hosts-grouped');
      } finally {
        if (before === undefined) fs.rmSync(sshConfig, { force: true });
        else fs.writeFileSync(sshConfig, before);
        await (await viewTitleAction(page, 'Hosts', 'Refresh')).click().catch(() => undefined);
      }
    },
  },
];
