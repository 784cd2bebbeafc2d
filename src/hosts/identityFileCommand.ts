// "Choose Identity File…", offered when a login was refused: the chosen key becomes a
// settings host's `identityFile` in the USER settings (never workspace settings: a key is
// chosen by the user, not by a folder), then the host connects again. Hosts from ssh
// config are fixed in the ssh config file, which is opened for the user.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { Commands } from '../editor/commands';
import { settings } from '../editor/settings';
import { HostEntry } from '../common/hostEntry';

export function registerIdentityFileCommand(commands: Commands): vscode.Disposable {
  return commands.host('sandboxExplorer.hosts.chooseIdentityFile', 'Choose Identity File', 'Choose an identity file for which host?', async (host, fileArg?: unknown) => {
    const file = typeof fileArg === 'string' ? fileArg : await pickKeyFile(host);
    if (!file) return;
    if (host.source === 'sshConfig') return openSshConfig(host, file);
    const list = settings.hosts() as Record<string, unknown>[];
    const index = list.findIndex((h) => h.name === host.name);
    if (index < 0) {
      void vscode.window.showInformationMessage(`${host.name} is defined in workspace settings; set its identityFile there.`);
      return;
    }
    list[index] = { ...list[index], identityFile: file };
    await settings.writeHosts(list);
    await vscode.commands.executeCommand('sandboxExplorer.hosts.connect', host.name);
  });
}

async function pickKeyFile(host: HostEntry): Promise<string | undefined> {
  const sshDir = path.join(os.homedir(), '.ssh');
  const picked = await vscode.window.showOpenDialog({
    title: `Identity file (private key) for ${host.name}`,
    openLabel: 'Use Key',
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(fs.existsSync(sshDir) ? sshDir : os.homedir()),
  });
  const file = picked?.[0]?.fsPath;
  // The public half was picked: the login needs the private key next to it.
  if (file?.endsWith('.pub') && fs.existsSync(file.slice(0, -4))) return file.slice(0, -4);
  return file;
}

/** An ssh config host is changed where it is defined: open the user's ssh config at its Host line. */
async function openSshConfig(host: HostEntry, file: string): Promise<void> {
  const config = settings.sshConfigFiles()[0];
  const line = `IdentityFile ${/\s/.test(file) ? `"${file}"` : file}`;
  await vscode.env.clipboard.writeText(line);
  const editor = await vscode.window.showTextDocument(fs.existsSync(config) ? vscode.Uri.file(config) : vscode.Uri.file(config).with({ scheme: 'untitled' }));
  const at = editor.document
    .getText()
    .split('\n')
    .findIndex((l) => /^\s*host\s/i.test(l) && l.trim().split(/\s+/).slice(1).includes(host.name));
  if (at >= 0) {
    const position = new vscode.Position(at, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position));
  }
  void vscode.window.showInformationMessage(`Add "${line}" under "Host ${host.name}" in ${config} and save (the line is on the clipboard).`);
}
