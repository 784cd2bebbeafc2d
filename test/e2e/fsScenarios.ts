// Remote files as a user edits them: the editor's own save-conflict flow over sbx://.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Scenario } from './scenarios';
import { runFromPalette, showSandboxExplorer, treeRow, waitFor } from './workbench';

export const fsScenarios: Scenario[] = [
  {
    title: 'after "the content of the file is newer", Overwrite saves the editor\'s text on the sandbox',
    async run({ page, sandbox, screenshot }) {
      await runFromPalette(page, 'Notifications: Clear All Notifications');
      await showSandboxExplorer(page);
      // Scenarios run in order or alone (SBX_E2E_GREP): expand the host and src/ only when needed.
      const fileRow = treeRow(page, 'greet.ts');
      if (!(await fileRow.isVisible())) {
        const hostRow = treeRow(page, sandbox.name);
        if ((await hostRow.getAttribute('aria-expanded')) !== 'true') await hostRow.click();
        await treeRow(page, 'src').waitFor({ state: 'visible', timeout: 30_000 });
        await treeRow(page, 'src').click();
      }
      await fileRow.waitFor({ state: 'visible', timeout: 30_000 });
      await fileRow.click();
      await page.locator('.part.editor .tabs-container .tab.active', { hasText: 'greet.ts' }).waitFor({ state: 'visible', timeout: 20_000 });

      const file = path.join(sandbox.remoteDirectory, 'src', 'greet.ts');
      const original = fs.readFileSync(file, 'utf8');
      const lines = page.locator('.part.editor .editor-instance .view-lines').first();
      await lines.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type('// kept by Overwrite');
      await page.locator('.part.editor .tabs-container .tab.dirty', { hasText: 'greet.ts' }).waitFor({ state: 'visible', timeout: 10_000 });

      // Someone on the sandbox rewrites the file meanwhile: newer, and another size.
      const theirs = 'export const greet = (name: string) => `Hi, ${name}`;\n';
      fs.writeFileSync(file, theirs);
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(file, later, later);

      await lines.click();
      await page.keyboard.press('Control+S');
      // This headless workbench shows no toasts: the editor's question is read from the notification center.
      await page.getByText(/The content of the file is newer/).first().waitFor({ state: 'attached', timeout: 20_000 });
      assert.strictEqual(fs.readFileSync(file, 'utf8'), theirs, 'the plain save wrote nothing');
      await runFromPalette(page, 'Notifications: Show Notifications');
      const conflict = page.locator('.notifications-center .notification-list-item', { hasText: 'The content of the file is newer' }).first();
      await conflict.waitFor({ state: 'visible', timeout: 10_000 });
      await conflict.getByRole('button', { name: 'Compare', exact: true }).waitFor({ state: 'visible' });
      await screenshot('30-save-conflict');
      await conflict.getByRole('button', { name: 'Overwrite', exact: true }).click();

      const expected = `${original}// kept by Overwrite`;
      await waitFor(async () => (fs.readFileSync(file, 'utf8') === expected ? true : undefined), 20_000, () => `the sandbox has ${JSON.stringify(fs.readFileSync(file, 'utf8'))}`);
      await page.locator('.part.editor .tabs-container .tab.dirty', { hasText: 'greet.ts' }).waitFor({ state: 'detached', timeout: 10_000 });
      // No "Failed to save" from the provider refusing the Overwrite.
      assert.strictEqual(await page.locator('.notifications-center .notification-list-item', { hasText: /Failed to save 'greet\.ts'.*changed on the remote/ }).count(), 0);
      await screenshot('30-overwritten');
      await runFromPalette(page, 'View: Close Editor');
    },
  },
];
