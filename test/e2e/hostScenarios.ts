// The Hosts view, the status bar and the Explorer's menus, clicked as a user clicks them.
// Runs after test/e2e/scenarios.ts's basic scenarios: local-sandbox is expanded with
// README.md open, password-box is connected.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import type { Scenario } from './scenarios';
import {
  ACTIVITY_ITEM,
  clickMenuItem,
  hoverText,
  openContextMenu,
  QUICK_INPUT,
  quickPickLabels,
  readClipboard,
  runFromPalette,
  showSandboxExplorer,
  SIDEBAR,
  statusItem,
  treeRow,
  viewTitleAction,
  waitFor,
  waitForText,
  titleOf,
} from './workbench';

const ADDED = 'added-box';

const OPEN_FOLDER = titleOf('sandboxExplorer.fs.openFolder');
const ADD_TO_WORKSPACE = titleOf('sandboxExplorer.fs.addToWorkspace');
const COPY_SCP_PATH = titleOf('sandboxExplorer.fs.copyScpPath');
const COPY_REMOTE_PATH = titleOf('sandboxExplorer.fs.copyRemotePath');
const DOWNLOAD = titleOf('sandboxExplorer.fs.download');
const UPLOAD = titleOf('sandboxExplorer.fs.upload');
const CONNECT = titleOf('sandboxExplorer.hosts.connect');
const DISCONNECT = titleOf('sandboxExplorer.hosts.disconnect');
const ENABLE = titleOf('sandboxExplorer.hosts.enable');
const DISABLE = titleOf('sandboxExplorer.hosts.disable');

async function grantClipboard(page: Page): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
}

/** The user settings file code-server writes hosts to, parsed (it is JSON with comments allowed, but ours has none). */
function hostsInSettings(userDataDir: string): Array<Record<string, unknown>> {
  for (const scope of ['Machine', 'User']) {
    const file = path.join(userDataDir, scope, 'settings.json');
    const hosts = JSON.parse(fs.readFileSync(file, 'utf8'))['sandboxExplorer.hosts'];
    if (Array.isArray(hosts) && hosts.some((h) => h.name === ADDED)) return hosts;
  }
  return [];
}

export const hostScenarios: Scenario[] = [
  {
    title: 'the status bar names the active sbx:// editor\'s host and state; clicking it offers that host\'s actions',
    async run({ page, sandbox, screenshot }) {
      await page.locator('.part.editor .tabs-container .tab', { hasText: 'README.md' }).first().click();
      const item = statusItem(page, sandbox.name, 'connected');
      await item.waitFor({ state: 'visible', timeout: 20_000 });
      assert.match((await item.textContent()) ?? '', new RegExp(sandbox.name));
      await item.click();
      const actions = await quickPickLabels(page);
      assert.deepStrictEqual(actions, [DISCONNECT, OPEN_FOLDER, 'Show Log'], 'a connected host offers Disconnect, not Connect');
      await screenshot('08-status-bar-actions');
      await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: 'Show Log' }).first().click();
      // The log is scrolled to its end: any line of ours shows it is the one on screen.
      await waitForText(page.locator('.part.panel .view-lines').first(), /\[info\]/, 20_000);

      // Another kind of editor hides it; back on the remote file it shows again.
      await runFromPalette(page, 'File: New Untitled Text File');
      await page.locator('.part.editor .tabs-container .tab.active', { hasText: /Untitled/ }).waitFor({ state: 'visible' });
      await statusItem(page, sandbox.name).waitFor({ state: 'hidden', timeout: 10_000 });
      await page.locator('.part.editor .tabs-container .tab', { hasText: 'README.md' }).first().click();
      await statusItem(page, sandbox.name, 'connected').waitFor({ state: 'visible', timeout: 10_000 });
    },
  },
  {
    title: 'a remote file\'s tab names its host in its tooltip (resource label formatter)',
    async run({ page, sandbox }) {
      // The tab's tooltip is its long title, which the tab label also carries as its accessible
      // name (headless Chromium does not raise the workbench's hover over tabs).
      const label = page.locator('.part.editor .tabs-container .tab', { hasText: 'README.md' }).first().locator('.tab-label');
      assert.strictEqual(await label.getAttribute('aria-label'), `${sandbox.name}:${sandbox.remoteDirectory}/README.md`);
    },
  },
  {
    title: 'a connected host row keeps user@host:port; its icon and tooltip say connected',
    async run({ page, sandbox, screenshot }) {
      await showSandboxExplorer(page);
      const row = treeRow(page, sandbox.name);
      await row.locator('.codicon-vm-active').waitFor({ state: 'visible', timeout: 20_000 });
      const target = `${sandbox.user}@${sandbox.host}:${sandbox.port}`;
      assert.ok(((await row.textContent()) ?? '').includes(target), `row does not show ${target}`);
      assert.doesNotMatch((await row.textContent()) ?? '', /connected/, 'the state is not in the row text');
      assert.match((await row.getAttribute('aria-label')) ?? '', /connected/, 'screen readers hear the state');
      const tooltip = await hoverText(page, row.locator('.label-name'), /State:/);
      assert.match(tooltip, /State: connected/);
      assert.ok(tooltip.includes(target), tooltip);
      await screenshot('09-host-row-tooltip');
      await page.mouse.move(0, 0);
    },
  },
  {
    title: 'the + in the Hosts view title adds a host typed as Remote-SSH users type it, with a key from ~/.ssh and a folder',
    async run({ page, home, userDataDir, screenshot }) {
      fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519'), `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----\nAAAA\n-----END OPENSSH ${'PRIVATE'} KEY-----\n` /* a placeholder, not key material */, { mode: 0o600 });
      await showSandboxExplorer(page);
      // A focused row is what made the + fail: view/title passes the focused tree node.
      await treeRow(page, 'README.md').click();
      await (await viewTitleAction(page, 'Hosts', 'Add Host')).click();
      const input = page.locator(`${QUICK_INPUT} input`);
      await input.waitFor({ state: 'visible' });
      await input.fill('me@box:70000');
      await waitForText(page.locator(`${QUICK_INPUT} .quick-input-message`), /Port 70000 is out of range/, 10_000);
      await input.fill('ssh -A me@box');
      await waitForText(page.locator(`${QUICK_INPUT} .quick-input-message`), /Unknown ssh option -A/, 10_000);
      await screenshot('10-add-host-validation');
      await input.fill('agent@[::1]:2299');
      await page.keyboard.press('Enter');
      // Name: suggested from the address, checked as the host part of sbx:// addresses.
      await waitFor(async () => ((await input.inputValue()) === '1-2299' ? true : undefined), 10_000, () => 'the suggested name');
      await input.fill('Added Box');
      await waitForText(page.locator(`${QUICK_INPUT} .quick-input-message`), /cannot contain spaces/, 10_000);
      await input.fill(ADDED);
      await page.keyboard.press('Enter');
      // Key: the private keys found in ~/.ssh, and none (agent).
      const keys = await quickPickLabels(page);
      assert.deepStrictEqual(keys, ['None', '~/.ssh/id_ed25519', 'Other key file…']);
      await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: '~/.ssh/id_ed25519' }).first().click();
      // Remote folder (optional).
      await waitFor(async () => ((await page.locator(QUICK_INPUT).textContent()) ?? '').includes('remote folder') || undefined, 10_000, () => 'the folder step');
      await input.fill('~/project');
      await page.keyboard.press('Enter');
      // Save to: user settings (first) or the ssh config.
      const targets = await quickPickLabels(page, 'Where should the host be saved?');
      assert.deepStrictEqual(targets, ['User settings', 'SSH config file']);
      await page.keyboard.press('Enter');

      await treeRow(page, ADDED).waitFor({ state: 'visible', timeout: 20_000 });
      assert.ok(((await treeRow(page, ADDED).textContent()) ?? '').includes('agent@[::1]:2299'));
      await page.getByText(/Added added-box \(agent@\[::1\]:2299\) to your user settings/).first().waitFor({ state: 'attached', timeout: 10_000 });
      const entry = hostsInSettings(userDataDir).find((h) => h.name === ADDED);
      assert.deepStrictEqual(entry, { name: ADDED, host: '::1', port: 2299, user: 'agent', identityFile: '~/.ssh/id_ed25519', remoteDirectory: '~/project' });
      await screenshot('10-host-added');
    },
  },
  {
    title: 'right-click → Disable Host; the palette offers Enable Host only for disabled hosts and Disable Host only for enabled ones',
    async run({ page, sandbox, passwordHost, userDataDir, screenshot }) {
      await showSandboxExplorer(page);
      const menu = await openContextMenu(page, treeRow(page, ADDED));
      assert.ok(menu.includes(DISABLE) && !menu.includes(ENABLE), JSON.stringify(menu));
      await clickMenuItem(page, DISABLE);
      await treeRow(page, ADDED).locator('.codicon-circle-slash').waitFor({ state: 'visible', timeout: 10_000 });
      assert.match((await treeRow(page, ADDED).textContent()) ?? '', /disabled/);

      await runFromPalette(page, 'Sandbox Explorer: Disable Host');
      const enabled = await quickPickLabels(page, 'Disable which host?');
      const others = hostsInSettings(userDataDir).map((h) => String(h.name)).filter((name) => name !== ADDED);
      assert.ok(others.includes(sandbox.name) && others.includes(passwordHost.name), JSON.stringify(others));
      assert.deepStrictEqual([...enabled].sort(), others.sort(), 'every enabled host, not the disabled one');
      await page.keyboard.press('Escape');

      await runFromPalette(page, 'Sandbox Explorer: Enable Host');
      assert.deepStrictEqual(await quickPickLabels(page, 'Enable which host?'), [ADDED]);
      await screenshot('11-enable-host-pick');
      await page.keyboard.press('Enter');
      await treeRow(page, ADDED).locator('.codicon-vm-outline').waitFor({ state: 'visible', timeout: 10_000 });
      const again = await openContextMenu(page, treeRow(page, ADDED));
      assert.ok(again.includes(DISABLE) && !again.includes(ENABLE), JSON.stringify(again));
      await page.keyboard.press('Escape');
    },
  },
  {
    title: 'a host that cannot be reached: its icon says failed, the error row is one short sentence, the tooltips hold the whole reason',
    async run({ page, screenshot }) {
      await showSandboxExplorer(page);
      const row = treeRow(page, ADDED);
      await row.click(); // expands it: connecting to [::1]:2299, where nothing listens
      await row.locator('.codicon-error').waitFor({ state: 'visible', timeout: 40_000 });
      assert.ok(((await row.textContent()) ?? '').includes('agent@[::1]:2299'), 'a failed row still says where the host is');
      const errorRow = page.locator(`${SIDEBAR} .monaco-list-row`).filter({ has: page.locator('.codicon-error') }).filter({ hasNot: page.locator('.label-name', { hasText: ADDED }) }).first();
      await errorRow.waitFor({ state: 'visible' });
      // A few words that fit the row; the reason itself is in the tooltip.
      assert.strictEqual(((await errorRow.textContent()) ?? '').replace(/\u00a0/g, ' ').trim(), 'Could not connect');
      const full = await hoverText(page, errorRow.locator('.label-name'), /2299/);
      assert.match(full, /::1/);
      // It is not tried again and again on its own; the user can.
      await treeRow(page, 'Try Again').waitFor({ state: 'visible', timeout: 10_000 });
      const hostTooltip = await hoverText(page, row.locator('.label-name'), /State:/);
      assert.match(hostTooltip, /State: failed/);
      assert.match(hostTooltip, /Failed: /);
      await screenshot('12-unreachable-host');
      await page.mouse.move(0, 0);
      await row.click(); // collapse
    },
  },
  {
    title: 'right-click → Disconnect and → Connect change the host row\'s icon',
    async run({ page, passwordHost }) {
      await showSandboxExplorer(page);
      const row = treeRow(page, passwordHost.name);
      const connectedMenu = await openContextMenu(page, row);
      assert.ok(connectedMenu.includes(DISCONNECT) && !connectedMenu.includes(CONNECT), JSON.stringify(connectedMenu));
      await clickMenuItem(page, DISCONNECT);
      await row.locator('.codicon-vm-outline').waitFor({ state: 'visible', timeout: 20_000 });
      const disconnectedMenu = await openContextMenu(page, row);
      assert.ok(disconnectedMenu.includes(CONNECT) && !disconnectedMenu.includes(DISCONNECT), JSON.stringify(disconnectedMenu));
      await clickMenuItem(page, CONNECT);
      // The password was remembered in secret storage: no prompt.
      await row.locator('.codicon-vm-active').waitFor({ state: 'visible', timeout: 20_000 });
    },
  },
  {
    title: 'right-click a file in the Hosts view → Copy as host:path and Copy Remote Path',
    async run({ page, sandbox }) {
      await grantClipboard(page);
      await showSandboxExplorer(page);
      const readme = treeRow(page, 'README.md');
      const menu = await openContextMenu(page, readme);
      for (const label of [COPY_REMOTE_PATH, COPY_SCP_PATH, DOWNLOAD]) assert.ok(menu.includes(label), `${label} missing from ${JSON.stringify(menu)}`);
      await clickMenuItem(page, COPY_SCP_PATH);
      const file = `${sandbox.remoteDirectory}/README.md`;
      await waitFor(async () => ((await readClipboard(page)) === `${sandbox.user}@${sandbox.host}:${file}` ? true : undefined), 10_000, () => 'the clipboard holds user@host:path');
      await openContextMenu(page, readme);
      await clickMenuItem(page, COPY_REMOTE_PATH);
      await waitFor(async () => ((await readClipboard(page)) === file ? true : undefined), 10_000, () => 'the clipboard holds the remote path');
    },
  },
  {
    title: 'Open Remote Folder… on a host row asks which folder (the editor\'s dialog over sbx://) and opens it in a new window with the Explorer\'s menus',
    async run({ page, sandbox, screenshot }) {
      fs.mkdirSync(path.join(sandbox.remoteDirectory, 'src', 'lib'), { recursive: true });
      await showSandboxExplorer(page);
      const row = treeRow(page, sandbox.name);
      await row.hover();
      await row.locator('a.action-label[aria-label^="Open Remote Folder"]').click();
      const input = page.locator(`${QUICK_INPUT} input`);
      await input.waitFor({ state: 'visible' });
      // The dialog starts at the host's remote directory.
      await waitFor(async () => ((await input.inputValue()).startsWith(sandbox.remoteDirectory) ? true : undefined), 20_000, () => 'the dialog at the remote directory');
      await screenshot('12-open-remote-folder-dialog');
      await input.fill(`${sandbox.remoteDirectory}/src/`);
      // Once the dialog lists src's own folder, its button opens what the box says.
      await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: 'lib' }).first().waitFor({ state: 'visible' });
      const open = page.locator(`${QUICK_INPUT} .monaco-button`, { hasText: 'Open Folder' }).first();
      const [win] = await Promise.all([page.context().waitForEvent('page', { timeout: 30_000 }), open.click()]);
      try {
        await win.waitForLoadState();
        assert.match(decodeURIComponent(win.url()), new RegExp(`sbx://${sandbox.name}${sandbox.remoteDirectory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/src`));
        await explorerMenus(win, sandbox, screenshot);
      } finally {
        await win.close();
      }
    },
  },
  {
    title: 'Open Remote Folder… on a folder row opens that folder at once',
    async run({ page, sandbox }) {
      await showSandboxExplorer(page);
      await openContextMenu(page, treeRow(page, 'src'));
      const [win] = await Promise.all([page.context().waitForEvent('page', { timeout: 30_000 }), clickMenuItem(page, OPEN_FOLDER)]);
      try {
        assert.match(decodeURIComponent(win.url()), new RegExp(`sbx://${sandbox.name}.*/src`));
        // Let the new window finish starting before closing it.
        await win.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hello.py' }).first().waitFor({ state: 'visible', timeout: 45_000 });
      } finally {
        await win.close();
      }
    },
  },
  {
    title: 'right-click a host → Add Remote Folder to Workspace puts the host\'s folder in the Explorer, named for its host',
    // A new window on a multi-root workspace starts slowly on a loaded machine.
    timeoutMs: 150_000,
    async run({ page, sandbox, home, screenshot }) {
      // In a window on a multi-root workspace: adding a folder to a folder window or an empty one
      // makes the editor reload into an untitled workspace, which code-server under load
      // sometimes reopens empty; that is the editor's part, not ours.
      const workspace = path.join(home, 'e2e.code-workspace');
      fs.writeFileSync(workspace, JSON.stringify({ folders: [{ path: home }] }));
      const win = await page.context().newPage();
      try {
        await win.goto(`${new URL(page.url()).origin}/?workspace=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
        await win.locator(ACTIVITY_ITEM).click({ timeout: 60_000 });
        const row = treeRow(win, sandbox.name);
        await row.waitFor({ state: 'visible', timeout: 30_000 });
        await openContextMenu(win, row);
        await clickMenuItem(win, ADD_TO_WORKSPACE);
        // The workspace file gets the folder, named for its host…
        const added = await waitFor(async () => {
          const folders: Array<{ uri?: string; name?: string }> = JSON.parse(fs.readFileSync(workspace, 'utf8')).folders;
          return folders.find((f) => f.uri?.startsWith('sbx://'));
        }, 30_000, () => `no sbx:// folder in ${fs.readFileSync(workspace, 'utf8')}`);
        assert.deepStrictEqual(added, { uri: `sbx://${sandbox.name}${sandbox.remoteDirectory}`, name: `${sandbox.name}: ${sandbox.remoteDirectory}` });
        // …and the Explorer shows it.
        await win.locator('.part.activitybar a.action-label[aria-label^="Explorer"]').click();
        const folder = win.locator('.explorer-folders-view .monaco-list-row', { hasText: `${sandbox.name}: ${sandbox.remoteDirectory}` }).first();
        await folder.waitFor({ state: 'visible', timeout: 45_000 });
        await screenshot('13-added-to-workspace', win);
      } catch (e) {
        await screenshot('13-added-to-workspace-failed', win).catch(() => undefined);
        throw e;
      } finally {
        await win.close();
      }
    },
  },
];

/** In a window opened on sbx://…/src: the title names SSH, the Explorer's context menu has ours and not duplicates. */
async function explorerMenus(win: Page, sandbox: { name: string; user: string; host: string; remoteDirectory: string }, screenshot: (name: string, of?: Page) => Promise<string>): Promise<void> {
  await grantClipboard(win);
  const explorerRow = (name: string) => win.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await explorerRow('hello.py').waitFor({ state: 'visible', timeout: 60_000 });
  await explorerRow('hello.py').click();
  await win.locator('.part.editor .tabs-container .tab', { hasText: 'hello.py' }).first().waitFor({ state: 'visible' });
  await statusItem(win, sandbox.name, 'connected').waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot('12-remote-window', win);
  assert.match(await win.title(), /\[SSH\]/, 'the window title says the folder is remote');
  const menu = await openContextMenu(win, explorerRow('hello.py'));
  assert.ok(menu.includes(COPY_SCP_PATH), JSON.stringify(menu));
  assert.ok(menu.includes(DOWNLOAD), JSON.stringify(menu));
  assert.ok(!menu.includes(COPY_REMOTE_PATH), 'the Explorer has its own Copy Path');
  assert.ok(!menu.includes(UPLOAD), 'Upload is for folders');
  await screenshot('12-explorer-context-menu', win);
  await clickMenuItem(win, COPY_SCP_PATH);
  const at = `${sandbox.user}@${sandbox.host}`;
  const dir = `${sandbox.remoteDirectory}/src`;
  await waitFor(async () => ((await readClipboard(win)) === `${at}:${dir}/hello.py` ? true : undefined), 10_000, () => 'the clipboard holds host:path');
  // Two selected: explorer/context passes (clicked, [both]).
  const selectedRow = (name: string) => win.locator('.explorer-folders-view .monaco-list-row.selected', { hasText: name }).first();
  await explorerRow('greet.ts').click();
  await selectedRow('greet.ts').waitFor({ state: 'visible', timeout: 10_000 });
  // Under load a Ctrl+click can be lost (not only late): click again only when a few seconds
  // passed without the row becoming selected (a second click on a selected row would unselect it).
  for (let attempt = 0; attempt < 3 && !(await selectedRow('hello.py').isVisible()); attempt++) {
    await explorerRow('hello.py').click({ modifiers: ['Control'] });
    await selectedRow('hello.py').waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
  }
  // Right-click only once both rows are selected.
  for (const name of ['greet.ts', 'hello.py']) await selectedRow(name).waitFor({ state: 'visible', timeout: 10_000 });
  await openContextMenu(win, explorerRow('hello.py'));
  await clickMenuItem(win, COPY_SCP_PATH);
  const both = [`${at}:${dir}/greet.ts`, `${at}:${dir}/hello.py`].join(' ');
  await waitFor(async () => ((await readClipboard(win)).split(' ').sort().join(' ') === both ? true : undefined), 10_000, () => 'the clipboard holds both, space-separated');
  // A folder offers Upload from this machine.
  const folderMenu = await openContextMenu(win, explorerRow('lib'));
  assert.ok(folderMenu.includes(UPLOAD), JSON.stringify(folderMenu));
  await win.keyboard.press('Escape');
}
