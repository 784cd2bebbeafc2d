import * as vscode from 'vscode';
import { SavedCredentials } from '../ssh/savedCredentials';

export function registerSecretCommands(credentials: SavedCredentials): vscode.Disposable {
  return vscode.commands.registerCommand('sandboxExplorer.secrets.forget', async () => {
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
