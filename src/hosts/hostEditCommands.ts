// Host actions that edit or copy where a host is defined: Copy SSH Command, Edit SSH Config
// (the file at the host's `Host` line, or the settings holding it) and Remove Host.
import * as vscode from 'vscode';
import { settings } from '../editor/settings';
import { HostEntry } from '../common/hostEntry';
import { hostFromArgument } from './pickHost';
import { sshCommandLine } from './sshCommandLine';

export interface HostEditDeps {
  hosts(): Promise<HostEntry[]>;
  /** Where an ssh config host is declared. */
  declaration(name: string): { file: string; line: number } | undefined;
  openSettings(): Thenable<unknown>;
}

export function registerHostEditCommands(deps: HostEditDeps): vscode.Disposable {
  const openDeclaration = async (host: HostEntry): Promise<boolean> => {
    const at = deps.declaration(host.name);
    if (!at) return false;
    const position = new vscode.Position(at.line - 1, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(position, position) });
    return true;
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('sandboxExplorer.hosts.copySshCommand', async (arg?: unknown) => {
      const host = await hostFromArgument(arg, deps.hosts, { placeHolder: 'Copy the ssh command of which host?', filter: () => true });
      if (!host) return;
      const line = sshCommandLine(host);
      await vscode.env.clipboard.writeText(line);
      vscode.window.setStatusBarMessage(`Copied: ${line}`, 4000);
    }),

    vscode.commands.registerCommand('sandboxExplorer.hosts.editConfig', async (arg?: unknown) => {
      const host = await hostFromArgument(arg, deps.hosts, { placeHolder: 'Edit the configuration of which host?', filter: () => true });
      if (!host) return;
      if (host.source === 'settings') return void (await deps.openSettings());
      if (!(await openDeclaration(host))) void vscode.window.showWarningMessage(`The Host line of ${host.name} was not found in your ssh config files.`);
    }),

    vscode.commands.registerCommand('sandboxExplorer.hosts.remove', async (arg?: unknown) => {
      const host = await hostFromArgument(arg, deps.hosts, { placeHolder: 'Remove which host?', filter: () => true });
      if (!host) return;
      if (host.source === 'sshConfig') {
        // The ssh config is the user's file: open it there instead of rewriting it.
        if (await openDeclaration(host)) void vscode.window.showInformationMessage(`${host.name} comes from your ssh config: delete its Host block there to remove it.`);
        return;
      }
      const confirm = await vscode.window.showQuickPick(
        [
          { label: `$(trash) Remove ${host.name}`, detail: 'Deletes its entry from the sandboxExplorer.hosts user setting. Files on the host are not touched.', remove: true },
          { label: 'Keep it', remove: false },
        ],
        { title: `Remove ${host.name}?` },
      );
      if (!confirm?.remove) return;
      const list = settings.hosts() as Array<{ name?: unknown }>;
      await settings.writeHosts(list.filter((h) => h?.name !== host.name));
    }),
  );
}
