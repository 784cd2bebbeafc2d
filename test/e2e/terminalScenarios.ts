// A sandbox terminal opened as a new user would: right-click the host → Open Terminal, type a
// command, read its output from the terminal's accessible buffer.
import * as assert from 'assert';
import type { Scenario } from './scenarios';
import { clickMenuItem, openContextMenu, rowTexts, runFromPalette, showSandboxExplorer, SIDEBAR, titleOf, treeRow, waitFor } from './workbench';

export const terminalScenarios: Scenario[] = [
  {
    title: 'right-click a host → Open Terminal: a shell on the sandbox runs `echo hello-$((6*7))` and prints hello-42',
    async run({ page, sandbox, screenshot }) {
      await showSandboxExplorer(page);
      const labels = await openContextMenu(page, treeRow(page, sandbox.name));
      assert.ok(labels.includes('Open Terminal'), JSON.stringify(labels));
      await clickMenuItem(page, 'Open Terminal');
      // The terminal's tab names the sandbox.
      const tab = page.locator('.part.panel .terminal-tabs-entry, .part.panel .single-terminal-tab, .part.panel .action-item', { hasText: sandbox.name }).first();
      await tab.waitFor({ state: 'visible', timeout: 30_000 });
      const xterm = page.locator('.part.panel .terminal-wrapper.active .xterm').first();
      await xterm.waitFor({ state: 'visible', timeout: 30_000 });
      await xterm.click();
      await page.keyboard.type('echo hello-$((6*7))');
      await page.keyboard.press('Enter');
      await screenshot('25-sandbox-terminal');
      // The terminal's text as a screen reader gets it: in screen reader mode xterm keeps an
      // accessibility tree of its rows (the renderer itself draws on a canvas).
      await runFromPalette(page, 'Toggle Screen Reader Accessibility Mode');
      let text: string;
      try {
        text = await waitFor(async () => {
          const content = ((await page.locator('.part.panel .xterm-accessibility-tree').first().textContent().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
          return /hello-42/.test(content) ? content : undefined;
        }, 45_000, () => 'hello-42 never appeared in the terminal');
      } finally {
        await runFromPalette(page, 'Toggle Screen Reader Accessibility Mode');
      }
      // The typed line holds `hello-$((6*7))`; only the shell's output holds hello-42.
      assert.ok(text.split('hello-$((6*7))').join('').includes('hello-42'), `the shell printed hello-42: ${text}`);

      // A printed path:line:column is a link to the file on the sandbox, at that place.
      await xterm.click();
      await page.keyboard.type(`cd ${sandbox.remoteDirectory} && echo README.md:3:5`);
      await page.keyboard.press('Enter');
      await waitFor(async () => {
        await runFromPalette(page, 'Terminal: Open Detected Link...');
        const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'README.md:3:5' }).first();
        if (!(await row.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false))) {
          await page.keyboard.press('Escape');
          return undefined;
        }
        await row.click();
        return true;
      }, 30_000, () => 'README.md:3:5 was never offered as a link');
      await page.locator('.part.editor .tabs-container .tab.active', { hasText: 'README.md' }).waitFor({ state: 'visible', timeout: 20_000 });
      await page.locator('.part.statusbar', { hasText: 'Ln 3, Col 5' }).waitFor({ state: 'visible', timeout: 10_000 });
      await screenshot('26-terminal-link-opened');
    },
  },
  {
    title: 'an open terminal is listed under its host in the Hosts view; clicking it focuses it, Close Terminal on its row closes it',
    async run({ page, sandbox, screenshot }) {
      await showSandboxExplorer(page);
      const host = treeRow(page, sandbox.name);
      if ((await host.getAttribute('aria-expanded')) !== 'true') await host.click();
      // Terminal rows carry the terminal icon (their label is the terminal's name, here the host's).
      const terminalRows = page.locator(`${SIDEBAR} .monaco-list-row`).filter({ has: page.locator('.codicon-terminal') });
      // Start from no terminals: the earlier scenario's terminal goes, and so does its row.
      await runFromPalette(page, 'Terminal: Kill All Terminals');
      await waitFor(async () => ((await terminalRows.count()) === 0 ? true : undefined), 30_000, () => 'killed terminals are still listed');
      const before = 0;
      await openContextMenu(page, host);
      await clickMenuItem(page, 'Open Terminal');
      await waitFor(async () => ((await terminalRows.count()) === before + 1 ? true : undefined), 30_000, () => 'the new terminal never appeared under its host');
      const row = terminalRows.last();
      assert.match((await row.textContent()) ?? '', new RegExp(sandbox.name));
      await screenshot('27-terminal-listed-under-host');
      await row.click();
      await page.locator('.part.panel .terminal-wrapper.active .xterm').first().waitFor({ state: 'visible', timeout: 10_000 });
      const labels = await openContextMenu(page, row);
      const close = titleOf('sandboxExplorer.terminal.close');
      assert.ok(labels.includes(close), JSON.stringify(labels));
      await clickMenuItem(page, close);
      let rows: string[] = [];
      await waitFor(async () => ((await terminalRows.count()) === before ? true : ((rows = await rowTexts(page, SIDEBAR)), undefined)), 30_000, () => `the closed terminal is still listed (${before} before): ${JSON.stringify(rows)}`);
      await screenshot('28-terminal-row-closed');
    },
  },
];
