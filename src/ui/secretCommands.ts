import * as vscode from 'vscode';
import { SecretCredentials } from './secretCredentials';

export function registerSecretCommands(credentials: SecretCredentials): vscode.Disposable {
  return vscode.commands.registerCommand('sandboxExplorer.secrets.forget', async () => {
    const stored = await credentials.stored();
    if (stored.length === 0) {
      void vscode.window.showInformationMessage('Sandbox Explorer keeps no passwords or passphrases.');
      return;
    }
    const picked = await vscode.window.showQuickPick(stored, { canPickMany: true, placeHolder: 'Forget which saved secrets?' });
    if (!picked?.length) return;
    await credentials.forget(picked.map((p) => p.key));
    void vscode.window.showInformationMessage(`Forgot ${picked.length} saved secret${picked.length === 1 ? '' : 's'}.`);
  });
}
