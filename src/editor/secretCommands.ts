import * as vscode from 'vscode';
import { SavedCredentials } from '../ssh/savedCredentials';
import { Commands } from './commands';

export function registerSecretCommands(commands: Commands, credentials: SavedCredentials): vscode.Disposable {
  return vscode.Disposable.from(registerForget(commands, credentials), registerForgetAll(commands, credentials));
}

/** Everything the extension keeps in secret storage, gone in one step (after one confirmation). */
function registerForgetAll(commands: Commands, credentials: SavedCredentials): vscode.Disposable {
  return commands.plain('sandboxExplorer.secrets.forgetAll', 'Forget All Stored Secrets', async () => {
    const stored = await credentials.stored();
    if (stored.length === 0) {
      void vscode.window.showInformationMessage('Sandbox Explorer keeps no passwords, passphrases or tokens.');
      return;
    }
    const n = `${stored.length} saved secret${stored.length === 1 ? '' : 's'}`;
    const confirm = await vscode.window.showQuickPick(
      [
        { label: `$(trash) Forget all ${n}`, detail: 'Passwords, passphrases and tokens: you will be asked for each again.', forget: true },
        { label: 'Keep them', forget: false },
      ],
      { title: 'Forget everything Sandbox Explorer stored?' },
    );
    if (!confirm?.forget) return;
    await credentials.forget(stored.map((s) => s.key));
    void vscode.window.showInformationMessage(`Forgot ${n}.`);
  });
}

function registerForget(commands: Commands, credentials: SavedCredentials): vscode.Disposable {
  return commands.plain('sandboxExplorer.secrets.forget', 'Forget Saved Secrets', async () => {
    const stored = await credentials.stored();
    if (stored.length === 0) {
      void vscode.window.showInformationMessage('Sandbox Explorer keeps no passwords, passphrases or tokens.');
      return;
    }
    const picked = await vscode.window.showQuickPick(stored, { canPickMany: true, placeHolder: 'Forget which saved secrets?' });
    if (!picked?.length) return;
    await credentials.forget(picked.map((p) => p.key));
    void vscode.window.showInformationMessage(`Forgot ${picked.length} saved secret${picked.length === 1 ? '' : 's'}.`);
  });
}
