// Host actions that edit or copy where a host is defined: Copy SSH Command, Edit SSH Config
// (the file at the host's `Host` line, or the settings holding it) and Remove Host.
import * as vscode from 'vscode';
import { Commands } from '../editor/commands';
import { settings } from '../editor/settings';
import { HostEntry } from '../common/hostEntry';
import { sshCommandLine } from './sshCommandLine';

export interface HostEditDeps {
  /** Where an ssh config host is declared. */
  declaration(name: string): { file: string; line: number } | undefined;
  openSettings(): Thenable<unknown>;
}

export function registerHostEditCommands(commands: Commands, deps: HostEditDeps): vscode.Disposable {
  const openDeclaration = async (host: HostEntry): Promise<boolean> => {
    const at = deps.declaration(host.name);
    if (!at) return false;
    const position = new vscode.Position(at.line - 1, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(position, position) });
    return true;
  };

  return vscode.Disposable.from(
    commands.host('sandboxExplorer.hosts.copySshCommand', 'Copy SSH Command', { placeHolder: 'Copy the ssh command of which host?', filter: () => true }, async (host) => {
      const line = sshCommandLine(host);
      await vscode.env.clipboard.writeText(line);
      vscode.window.setStatusBarMessage(`Copied: ${line}`, 4000);
    }),

    commands.host('sandboxExplorer.hosts.editConfig', 'Edit SSH Config', { placeHolder: 'Edit the configuration of which host?', filter: () => true }, async (host) => {
      if (host.source !== 'sshConfig') return void (await deps.openSettings());
      if (!(await openDeclaration(host))) void vscode.window.showWarningMessage(`The Host line of ${host.name} was not found in your ssh config files.`);
    }),

    commands.host('sandboxExplorer.hosts.remove', 'Remove Host', { placeHolder: 'Remove which host?', filter: () => true }, async (host) => {
      // A gateway sandbox is removed from its gateway's list (the gateways feature owns it).
      if (host.source === 'gateway') return void (await vscode.commands.executeCommand('sandboxExplorer.gateways.removeSandbox', host.name));
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
