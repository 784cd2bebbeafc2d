// What a user does with Sandbox Explorer in the workbench, step by step, and what they
// must see. Run in order by test/harness/runE2e.ts against one workbench: each scenario
// starts where the previous one left off. Assertions read the DOM, never just "no error".
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import type { SandboxHostSetting } from '../harness/sandboxHost';
import { fsScenarios } from './fsScenarios';
import { gatewayScenarios } from './gatewayScenarios';
import { hostScenarios } from './hostScenarios';
import { keysScenarios } from './keysScenarios';
import { portsScenarios } from './portsScenarios';
import { terminalScenarios } from './terminalScenarios';
import { ACTIVITY_ITEM, clickMenuItem, rowTexts, runFromPalette, showSandboxExplorer, SIDEBAR, statusItem, waitForText } from './workbench';

export interface ScenarioContext {
  readonly page: Page;
  readonly sandbox: SandboxHostSetting;
  /** A host (in-process ssh2 server) that takes only this password and whose key nobody has trusted yet. */
  readonly passwordHost: { name: string; port: number; user: string; password: string };
  /** The same address and user on another port, with another password. */
  readonly secondPasswordHost: { name: string; port: number; user: string; password: string };
  /** A gateway host with `userToken`: it takes `<user>#<token>` and no password. */
  readonly tokenHost: { name: string; port: number; user: string; token: string };
  /** The token inside the password hosts' user name (`sandbox-7f3a#<token>` in settings). */
  readonly userNameToken: string;
  /** Passwords each password host was sent so far, by host name. */
  passwordsSent(host: string): string[];
  /** User names the token gateway let in. */
  tokenLogins(): string[];
  /** code-server's user data: settings, global storage (the extension's trust file). */
  readonly userDataDir: string;
  /** HOME of code-server and so of the extension host (its ~/.ssh). */
  readonly home: string;
  /** Saves test-results/e2e/<name>.png of the workbench (or of another window `of`) and returns its path. */
  screenshot(name: string, of?: Page): Promise<string>;
}

export interface Scenario {
  readonly title: string;
  /** Longer than the default minute, for scenarios that open new windows. */
  readonly timeoutMs?: number;
  /** Why it cannot run yet; the scenario is reported as pending. */
  readonly pending?: string;
  run(context: ScenarioContext): Promise<void>;
}

/** Runs `Sandbox Explorer: <command>` from the Command Palette and picks `host` in its host picker. */
async function commandOnHost(page: Page, command: string, host: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>Sandbox Explorer: ${command}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: `Sandbox Explorer: ${command}` }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: host }).first().waitFor({ state: 'visible' });
  await input.fill(host);
  await page.keyboard.press('Enter');
}

async function trustNewHostKey(page: Page): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  await dialog.locator('.monaco-button', { hasText: 'Trust and Connect' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** The masked input box, once its text matches `prompt`; returns that text. */
async function secretBox(page: Page, prompt: RegExp): Promise<string> {
  const widget = page.locator('.quick-input-widget');
  await page.locator('.quick-input-widget input[type="password"]').waitFor({ state: 'visible', timeout: 30_000 });
  return waitForText(widget, prompt, 10_000);
}

async function typeSecret(page: Page, value: string): Promise<void> {
  await page.locator('.quick-input-widget input[type="password"]').fill(value);
  await page.keyboard.press('Enter');
}

/** This headless workbench shows no toasts: the offer is taken from the notification center. */
async function acceptRememberOffer(page: Page, text: string): Promise<void> {
  await page.getByText(text).first().waitFor({ state: 'attached', timeout: 20_000 });
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Notifications: Show Notifications');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Notifications' }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  const offer = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  await offer.waitFor({ state: 'visible', timeout: 10_000 });
  await offer.getByRole('button', { name: 'Remember', exact: true }).click();
  await offer.waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * The row's text and accessible name once they match `state`: the row shows where the host is,
 * its accessible name adds the state ("name, user@host:port, connected").
 */
async function hostRowState(page: Page, host: string, state: RegExp): Promise<string> {
  await showSandboxExplorer(page);
  const row = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: host }).first();
  const deadline = Date.now() + 20_000;
  let seen = '';
  while (Date.now() < deadline) {
    seen = `${(await row.textContent().catch(() => '')) ?? ''} | ${(await row.getAttribute('aria-label').catch(() => '')) ?? ''}`.replace(/\u00a0/g, ' ');
    if (state.test(seen)) return seen;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`row ${JSON.stringify(seen)} never matched ${state}`);
}

/** The labels "Forget Saved…" lists (the pick is dismissed). */
async function savedSecretLabels(page: Page): Promise<string[]> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>Sandbox Explorer: Forget Saved');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Forget Saved' }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: /password for|user token for|passphrase for/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
  const labels = (await rowTexts(page, '.quick-input-list')).map((t) => t.replace(/\u00a0/g, ' '));
  await page.keyboard.press('Escape');
  return labels;
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

const basicScenarios: Scenario[] = [
  {
    title: 'the workbench shows Sandbox Explorer in the activity bar',
    async run({ page, screenshot }) {
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      const item = page.locator(ACTIVITY_ITEM);
      await item.waitFor({ state: 'visible', timeout: 60_000 });
      assert.match((await item.getAttribute('aria-label')) ?? '', /^Sandbox Explorer/);
      await screenshot('01-workbench');
    },
  },
  {
    title: 'clicking the activity bar icon opens the Hosts view listing local-sandbox',
    async run({ page, sandbox, screenshot }) {
      await page.locator(ACTIVITY_ITEM).click();
      const title = page.locator(`${SIDEBAR} .composite.title`);
      await title.waitFor({ state: 'visible' });
      assert.match((await title.textContent()) ?? '', /Sandbox Explorer/i);
      const row = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: sandbox.name });
      await row.first().waitFor({ state: 'visible' });
      const rows = await rowTexts(page, SIDEBAR);
      const text = rows.find((r) => r.includes(sandbox.name));
      assert.ok(text, `no row for ${sandbox.name} among ${JSON.stringify(rows)}`);
      // The description shows where the host is: user@host:port.
      assert.ok(text.includes(`${sandbox.user}@${sandbox.host}:${sandbox.port}`), `row "${text}" does not show ${sandbox.user}@${sandbox.host}:${sandbox.port}`);
      await screenshot('02-hosts-view');
    },
  },
  {
    title: 'Sandbox Explorer: Show Log from the Command Palette shows the activation line',
    async run({ page, screenshot }) {
      await runFromPalette(page, 'Sandbox Explorer: Show Log');
      const output = page.locator('.part.panel .view-lines');
      await output.first().waitFor({ state: 'visible' });
      const text = await waitForText(output.first(), /Sandbox Explorer activated/, 20_000);
      assert.match(text, /\[info\]/);
      await screenshot('03-show-log');
    },
  },
  {
    title: 'clicking local-sandbox lists its remote files, and clicking README.md opens it',
    async run({ page, sandbox, screenshot }) {
      await showSandboxExplorer(page);
      const hostRow = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: sandbox.name }).first();
      await hostRow.click();
      // Expanding the host connects over SSH and lists remoteDirectory (sample files from sandboxHost.ts).
      const readme = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'README.md' }).first();
      await readme.waitFor({ state: 'visible', timeout: 30_000 });
      const rows = await rowTexts(page, SIDEBAR);
      for (const name of ['README.md', 'src']) assert.ok(rows.some((r) => r.startsWith(name)), `no ${name} under ${sandbox.name}: ${JSON.stringify(rows)}`);
      assert.strictEqual(await hostRow.getAttribute('aria-expanded'), 'true');
      await readme.click();
      const tab = page.locator('.part.editor .tabs-container .tab', { hasText: 'README.md' });
      await tab.first().waitFor({ state: 'visible' });
      const text = await waitForText(page.locator('.part.editor .editor-instance .view-lines').first(), /# Local sandbox/, 20_000);
      assert.match(text, /throwaway sshd/);
      // The status bar names the editor's host and says it is connected (the README screenshot shows it).
      await statusItem(page, sandbox.name, 'connected').waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('04-remote-file');
    },
  },
  {
    title: 'typing in README.md and saving with Ctrl+S writes those bytes on the sandbox',
    async run({ page, sandbox, screenshot }) {
      const file = path.join(sandbox.remoteDirectory, 'README.md');
      const before = fs.readFileSync(file, 'utf8');
      const lines = page.locator('.part.editor .editor-instance .view-lines').first();
      await lines.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('Edited in the browser over SSH.');
      await page.keyboard.press('Control+S');
      const deadline = Date.now() + 20_000;
      let after = before;
      while (Date.now() < deadline && after === before) {
        await new Promise((r) => setTimeout(r, 200));
        after = fs.readFileSync(file, 'utf8');
      }
      assert.strictEqual(after, `${before}Edited in the browser over SSH.`);
      // The tab loses its dirty marker once the provider reports the save done.
      await page.locator('.part.editor .tabs-container .tab.dirty').waitFor({ state: 'detached', timeout: 10_000 });
      assert.deepStrictEqual(fs.readdirSync(sandbox.remoteDirectory).filter((n) => n.includes('.sbx-')), [], 'no temp file left');
      await screenshot('05-saved');
    },
  },
  {
    title: 'a change made on the sandbox by someone else shows up in the open editor',
    async run({ page, sandbox, screenshot }) {
      // Give the remote watcher a moment to be in place after the save.
      await new Promise((r) => setTimeout(r, 1500));
      fs.writeFileSync(path.join(sandbox.remoteDirectory, 'README.md'), '# Local sandbox\n\nRewritten by an agent on the sandbox.\n');
      const text = await waitForText(page.locator('.part.editor .editor-instance .view-lines').first(), /Rewritten by an agent on the sandbox/, 30_000);
      assert.doesNotMatch(text, /Edited in the browser/);
      await screenshot('06-remote-change');
    },
  },
  {
    title: 'a new host asks to trust its key, then for a password, which is kept only in secret storage',
    async run({ page, passwordHost, userDataDir, screenshot }) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('>Sandbox Explorer: Connect');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Sandbox Explorer: Connect' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: passwordHost.name }).first().waitFor({ state: 'visible' });
      await input.fill(passwordHost.name);
      await page.keyboard.press('Enter');

      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      const dialogText = (await dialog.textContent()) ?? '';
      assert.match(dialogText, /authenticity of host "127\.0\.0\.1:\d+" can't be established/);
      assert.match(dialogText, /SHA256:[A-Za-z0-9+/]{43}/, 'the modal shows the SHA256 fingerprint');
      await screenshot('07-trust-host-key');
      await dialog.locator('.monaco-button', { hasText: 'Trust and Connect' }).click();

      const password = page.locator('.quick-input-widget input[type="password"]');
      await password.waitFor({ state: 'visible', timeout: 30_000 });
      // The token inside the user name is masked wherever the name is shown.
      assert.ok(((await page.locator('.quick-input-widget').textContent()) ?? '').includes(`Password for sandbox-7f3a#…@127.0.0.1:${passwordHost.port}`));
      await password.fill(passwordHost.password);
      await page.keyboard.press('Enter');

      // After the login works, and only then, the extension offers to keep the password. This
      // headless workbench shows no toasts, so the offer is taken from the notification center.
      await page.getByText(/Remember the password for/).first().waitFor({ state: 'attached', timeout: 20_000 });
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Notifications: Show Notifications');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Notifications' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const offer = page.locator('.notifications-center .notification-list-item', { hasText: 'Remember the password' }).first();
      await offer.waitFor({ state: 'visible', timeout: 10_000 });
      await screenshot('07-remember-offer');
      await offer.getByRole('button', { name: 'Remember', exact: true }).click();
      await offer.waitFor({ state: 'hidden', timeout: 10_000 });

      await showSandboxExplorer(page);
      const row = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: passwordHost.name }).first();
      await row.locator('.codicon-vm-active').waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('07-password-host-connected');

      // The key went to the extension's own trust file; the password went nowhere on disk in clear.
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) files.push(p);
        }
      };
      walk(userDataDir);
      const trust = files.find((f) => f.endsWith(`${path.sep}known_hosts`) && f.includes('globalStorage'));
      assert.ok(trust, 'a known_hosts file in the extension global storage');
      assert.match(fs.readFileSync(trust, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${passwordHost.port} ssh-ed25519 `, 'm'));
      const leaks = files.filter((f) => /settings\.json$|\.log$|state\.vscdb$|\.json$/.test(f) && fs.readFileSync(f).includes(passwordHost.password));
      assert.deepStrictEqual(leaks, [], 'the password is in no settings, log or state file');
      // It is in secret storage: the Forget command lists it.
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Sandbox Explorer: Forget Saved');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Forget Saved' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const stored = page.locator('.quick-input-list .monaco-list-row', { hasText: `password for sandbox-7f3a#…@127.0.0.1:${passwordHost.port}` });
      await stored.first().waitFor({ state: 'visible', timeout: 10_000 });
      await screenshot('07-forget-list');
      await page.keyboard.press('Escape');
    },
  },
  {
    title: 'Hosts view → Download to This Machine… on README.md asks where to save and ends with "Downloaded …" and Reveal',
    async run({ page, sandbox, screenshot }) {
      await showSandboxExplorer(page);
      const readme = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'README.md' }).first();
      await readme.waitFor({ state: 'visible', timeout: 30_000 });
      await readme.click({ button: 'right' });
      await page.locator('.context-view .action-item', { hasText: 'Download to This Machine…' }).first().waitFor({ state: 'visible' });
      // A menu ignores a click that comes too soon after it opened (a quiet machine is that fast): click until it takes.
      await clickMenuItem(page, 'Download to This Machine…');
      // The browser workbench's save dialog is a quick input holding the path, with a "Download" button.
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      // The dialog fills in the suggested path after it shows.
      const deadline = Date.now() + 10_000;
      while (!/README\.md$/.test(await input.inputValue()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(await input.inputValue(), /README\.md$/, 'the suggested name is the remote file name');
      const target = path.join(path.dirname(sandbox.remoteDirectory), `downloaded-README-${Date.now()}.md`);
      await input.fill(target);
      await screenshot('08-download-dialog');
      await page.keyboard.press('Enter');
      await page.getByText(/Downloaded README\.md to/).first().waitFor({ state: 'attached', timeout: 20_000 });
      assert.strictEqual(fs.readFileSync(target, 'utf8'), fs.readFileSync(path.join(sandbox.remoteDirectory, 'README.md'), 'utf8'));
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Notifications: Show Notifications');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Notifications' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const done = page.locator('.notifications-center .notification-list-item', { hasText: 'Downloaded README.md' }).first();
      await done.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(((await done.textContent()) ?? '').replace(/\u00a0/g, ' '), /Downloaded README\.md to .*\(1 file, \d+ B\)/);
      await done.getByRole('button', { name: 'Reveal', exact: true }).waitFor({ state: 'visible' });
      await screenshot('08-downloaded');
      fs.rmSync(target, { force: true });
      await page.keyboard.press('Escape');
    },
  },
  {
    title: "the same address on another port is asked for its own password: the first host's saved one is never sent there, nor lost",
    async run({ page, passwordHost, secondPasswordHost, passwordsSent, userNameToken, screenshot }) {
      const b = secondPasswordHost;
      // The tree shows where the host is, with the token in its user name masked.
      const row = await hostRowState(page, b.name, new RegExp(`127\\.0\\.0\\.1:${b.port}`));
      assert.ok(row.includes(`sandbox-7f3a#…@127.0.0.1:${b.port}`) && !row.includes(userNameToken), row);

      await commandOnHost(page, 'Connect', b.name);
      await trustNewHostKey(page);
      const first = await secretBox(page, /Password for/);
      assert.deepStrictEqual(passwordsSent(b.name), [], `${passwordHost.name}'s saved password was not sent to ${b.name}`);
      assert.doesNotMatch(first, /Wrong password/, 'asked first, not after a saved password failed');
      assert.ok(first.includes(`Password for sandbox-7f3a#…@127.0.0.1:${b.port}`), first);
      await screenshot('09-second-port-asks');
      await typeSecret(page, 'not-the-password');
      await secretBox(page, /Wrong password\. Password for/);
      await typeSecret(page, b.password);
      await acceptRememberOffer(page, `Remember the password for sandbox-7f3a#…@127.0.0.1:${b.port}`);
      await hostRowState(page, b.name, /(?<!dis)connected/);
      assert.deepStrictEqual(passwordsSent(b.name), ['not-the-password', b.password]);

      // Both are kept, each for its own port; B's refusal of a wrong password took nothing from A.
      const labels = await savedSecretLabels(page);
      for (const port of [passwordHost.port, b.port]) {
        assert.ok(labels.some((l) => l.includes(`password for sandbox-7f3a#…@127.0.0.1:${port}`)), `no saved password for port ${port}: ${JSON.stringify(labels)}`);
      }
      // A reconnects with its own saved password, without asking.
      await commandOnHost(page, 'Disconnect', passwordHost.name);
      await hostRowState(page, passwordHost.name, /disconnected/);
      const before = passwordsSent(passwordHost.name).length;
      await commandOnHost(page, 'Connect', passwordHost.name);
      await hostRowState(page, passwordHost.name, /(?<!dis)connected/);
      assert.deepStrictEqual(passwordsSent(passwordHost.name).slice(before), [passwordHost.password]);
      assert.ok(!passwordsSent(passwordHost.name).includes(b.password) && !passwordsSent(b.name).includes(passwordHost.password), 'no password crossed ports');
      await screenshot('09-both-ports-connected');
    },
  },
  {
    title: 'a gateway token (userToken) is asked once after the host key, kept in secret storage, and shown nowhere',
    async run({ page, tokenHost, passwordHost, secondPasswordHost, userNameToken, tokenLogins, userDataDir, screenshot }) {
      await commandOnHost(page, 'Connect', tokenHost.name);
      await trustNewHostKey(page);
      const box = await secretBox(page, /Token for/);
      assert.ok(box.includes(`Token for sbx-1@127.0.0.1:${tokenHost.port}`), box);
      await screenshot('10-token-prompt');
      await typeSecret(page, tokenHost.token);
      await hostRowState(page, tokenHost.name, /(?<!dis)connected/);
      assert.deepStrictEqual(tokenLogins(), [`sbx-1#${tokenHost.token}`], 'the server got user#token');

      // Kept without a question; the next connect asks nothing.
      await commandOnHost(page, 'Disconnect', tokenHost.name);
      await hostRowState(page, tokenHost.name, /disconnected/);
      await commandOnHost(page, 'Connect', tokenHost.name);
      await hostRowState(page, tokenHost.name, /(?<!dis)connected/);
      assert.strictEqual(tokenLogins().length, 2);
      const labels = await savedSecretLabels(page);
      assert.ok(labels.some((l) => l.includes(`user token for sbx-1@127.0.0.1:${tokenHost.port}`)), JSON.stringify(labels));

      // The tooltip of a host whose user name carries a token shows it masked.
      await commandOnHost(page, 'Disconnect', secondPasswordHost.name);
      // Hover once the row shows the disconnect: a row redrawn under the mouse drops its hover.
      await hostRowState(page, secondPasswordHost.name, new RegExp(`127\\.0\\.0\\.1:${secondPasswordHost.port}`));
      const row = page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: secondPasswordHost.name }).first();
      await row.hover();
      const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: secondPasswordHost.name }).first();
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      const tooltip = (await hover.innerText()).replace(/\u00a0/g, ' ');
      assert.ok(tooltip.includes(`sandbox-7f3a#…@127.0.0.1:${secondPasswordHost.port}`), tooltip);
      await screenshot('10-masked-tooltip');
      await page.mouse.move(0, 0);

      // Neither token is anywhere on screen (tree, notifications, dialogs) or in the editor's files.
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Notifications: Show Notifications');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Notifications' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      const screen = await page.locator('body').innerText();
      for (const token of [tokenHost.token, userNameToken]) assert.ok(!screen.includes(token), `${token} is on screen`);
      const files = filesUnder(userDataDir);
      assert.deepStrictEqual(files.filter((f) => fs.readFileSync(f).includes(tokenHost.token)), [], 'the userToken is in no file the editor wrote');
      // The other token sits in settings.json where the user put it (the log warns about it), and in the
      // editor's copies of it (local history, configuration cache); nowhere else.
      const isSettingsCopy = (f: string) => fs.readFileSync(f, 'utf8').includes('sandboxExplorer.hosts');
      const elsewhere = files.filter((f) => fs.readFileSync(f).includes(userNameToken) && !isSettingsCopy(f));
      assert.deepStrictEqual(elsewhere, [], 'the user-name token is in no log or state file');
      const logs = files.filter((f) => f.endsWith('.log') && path.basename(f).includes('Sandbox Explorer')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      assert.match(logs, /Host "password-box": its user setting \(sandbox-7f3a#…\) holds a token/);
      for (const password of [passwordHost.password, secondPasswordHost.password]) {
        assert.deepStrictEqual(files.filter((f) => fs.readFileSync(f).includes(password)), [], 'passwords are in no file');
      }
    },
  },
  {
    title: 'Disconnect keeps local-sandbox disconnected: a save fails and stays dirty, one notification offers Reconnect, which brings it back',
    async run({ page, sandbox, screenshot }) {
      // Earlier scenarios' notifications would push this one's out of the (virtualised) list.
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('>Notifications: Clear All Notifications');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Clear All Notifications' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');

      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
      await input.fill('>Sandbox Explorer: Disconnect');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Sandbox Explorer: Disconnect' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: sandbox.name }).first().waitFor({ state: 'visible' });
      await input.fill(sandbox.name);
      await page.keyboard.press('Enter');

      // The Hosts view does not list (and so does not reconnect) a host the user disconnected.
      await showSandboxExplorer(page);
      await page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'Disconnected. Connect to browse its files.' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('11-disconnected');

      // Saving README.md (open since the earlier scenarios) fails, and the change stays in the editor.
      const file = path.join(sandbox.remoteDirectory, 'README.md');
      const before = fs.readFileSync(file, 'utf8');
      const lines = page.locator('.part.editor .editor-instance .view-lines').first();
      await lines.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('Saved after reconnecting.');
      await page.keyboard.press('Control+S');
      await page.getByText(/local-sandbox is disconnected\. Connect it again/).first().waitFor({ state: 'attached', timeout: 20_000 });
      await page.keyboard.press('Control+S');
      await page.locator('.part.editor .tabs-container .tab.dirty', { hasText: 'README.md' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      assert.strictEqual(fs.readFileSync(file, 'utf8'), before, 'nothing was written');

      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Notifications: Show Notifications');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Notifications' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');
      // The editor's own "Failed to save" (with Retry) quotes the same text; ours is the one offering Reconnect.
      const offers = page.locator('.notifications-center .notification-list-item', {
        hasText: `${sandbox.name} is disconnected`,
        has: page.getByRole('button', { name: 'Reconnect', exact: true }),
      });
      await offers.first().waitFor({ state: 'visible', timeout: 10_000 });
      assert.strictEqual(await offers.count(), 1, 'one notification for the Disconnect, not one per failed operation');
      await screenshot('11-reconnect-offer');
      await offers.first().getByRole('button', { name: 'Reconnect', exact: true }).click();

      await page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'README.md' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await lines.click();
      await page.keyboard.press('Control+S');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !fs.readFileSync(file, 'utf8').endsWith('Saved after reconnecting.')) await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(fs.readFileSync(file, 'utf8'), `${before}Saved after reconnecting.`);
      await page.locator('.part.editor .tabs-container .tab.dirty').waitFor({ state: 'detached', timeout: 10_000 });
      await screenshot('11-reconnected');
    },
  },
];

export const scenarios: Scenario[] = [...basicScenarios, ...hostScenarios, ...keysScenarios, ...terminalScenarios, ...portsScenarios, ...gatewayScenarios, ...fsScenarios];
