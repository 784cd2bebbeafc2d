// Add Host…: destination (as typed for ssh or Remote-SSH), name, key, remote folder, then one
// entry in the user's sandboxExplorer.hosts. Parsing and checks live in destination.ts.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { splitUserToken } from '../common/userToken';
import { CommandArgumentError } from '../editor/commands';
import { Destination, hostNameProblem, parseDestination, remoteFolderProblem, suggestName } from './destination';
import { targetText } from './hostLabels';
import { findIdentityFiles } from './identityFiles';
import { HostBlock } from './sshConfigAppend';

const STEPS = 5;

export interface AddHostIo {
  /** Names already in use (settings and ssh config). */
  taken(): Promise<Set<string>>;
  /** Appends the entry to the user's hosts. */
  write(entry: Record<string, unknown>): Promise<void>;
  /** Opens the settings where the hosts list lives. */
  openSettings(): Thenable<unknown>;
  /** Appends a `Host` block to the user's ssh config; resolves the file and the block's line. */
  appendToSshConfig(block: HostBlock): Promise<{ file: string; line: number }>;
}

/** Where Add Host writes: the extension's user settings, or the user's ssh config (`ssh <name>` works too). */
export type AddHostTarget = 'settings' | 'sshConfig';

/** Without arguments (palette, the view's +, the welcome link) it asks; given a destination string it adds without asking. */
export async function addHost(io: AddHostIo, destinationArg: unknown, nameArg: unknown, targetArg?: unknown): Promise<string | undefined> {
  const taken = await io.taken();
  if (typeof destinationArg === 'string') {
    const parsed = parseDestination(destinationArg);
    if (!parsed.ok) throw new CommandArgumentError(parsed.message);
    // A ProxyCommand runs on this machine: only a person typing it in the prompt adds one.
    if (parsed.value.proxyCommand !== undefined) throw new CommandArgumentError('A ProxyCommand runs a command on this machine: add such a host through the Add Host prompt, where you see it.');
    const name = typeof nameArg === 'string' ? nameArg.trim() : suggestName(parsed.value, taken);
    const problem = hostNameProblem(name) ?? (taken.has(name) ? `A host named ${name} exists.` : undefined);
    if (problem) throw new CommandArgumentError(problem);
    if (targetArg === 'sshConfig') {
      await io.appendToSshConfig(blockFor(name, parsed.value));
      tellAboutToken(name, parsed.value);
      return name;
    }
    await io.write(entryFor(name, parsed.value));
    tellAboutToken(name, parsed.value);
    return name;
  }

  const destination = await askDestination();
  if (!destination) return undefined;
  const name = await vscode.window.showInputBox({
    title: `Add Host (2/${STEPS}): name`,
    prompt: 'Name shown in the Hosts view and used in sbx://<name>/ addresses',
    value: suggestName(destination, taken),
    ignoreFocusOut: true,
    validateInput: (v) => hostNameProblem(v.trim()) ?? (taken.has(v.trim()) ? `A host named ${v.trim()} exists; choose another name.` : undefined),
  });
  if (name === undefined) return undefined;
  const identityFile = destination.identityFile ?? (await askIdentityFile());
  if (identityFile === null) return undefined;
  const remoteDirectory = await vscode.window.showInputBox({
    title: `Add Host (4/${STEPS}): remote folder (optional)`,
    prompt: 'Folder opened on this host: an absolute path or ~/… Leave empty for the login folder.',
    placeHolder: '~/project',
    ignoreFocusOut: true,
    validateInput: (v) => remoteFolderProblem(v),
  });
  if (remoteDirectory === undefined) return undefined;

  const chosen = { ...destination, ...(identityFile ? { identityFile } : {}) };
  const target = await askTarget(remoteDirectory.trim() !== '');
  if (!target) return undefined;
  if (target === 'sshConfig') {
    try {
      const at = await io.appendToSshConfig(blockFor(name.trim(), chosen));
      void vscode.window.showInformationMessage(`Added Host ${name.trim()} to ${at.file} (line ${at.line}).`, 'Open File').then((choice) => {
        if (choice) void vscode.window.showTextDocument(vscode.Uri.file(at.file), { selection: new vscode.Range(at.line - 1, 0, at.line - 1, 0) });
      });
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not add ${name.trim()} to your ssh config: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    tellAboutToken(name.trim(), destination);
    return name.trim();
  }
  const entry = entryFor(name.trim(), chosen, remoteDirectory.trim());
  await io.write(entry);
  const where = targetText({ user: destination.user, hostname: destination.host, port: destination.port });
  void vscode.window.showInformationMessage(`Added ${entry.name} (${where}) to your user settings (sandboxExplorer.hosts).`, 'Open Settings').then((choice) => {
    if (choice) void io.openSettings();
  });
  tellAboutToken(entry.name as string, destination);
  return entry.name as string;
}

function tellAboutToken(name: string, d: Destination): void {
  if (d.user === undefined || splitUserToken(d.user).token === undefined) return;
  void vscode.window.showInformationMessage(`The token after "#" was not written to settings. ${name} asks for it when it connects and keeps it in the editor's secret storage.`);
}

/** The ssh config form of a destination; a user token is never written (the host asks for it). */
function blockFor(name: string, d: Destination): HostBlock {
  const user = d.user !== undefined ? splitUserToken(d.user).user : undefined;
  return { name, hostname: d.host, user, port: d.port, identityFile: d.identityFile, proxyJump: d.proxyJump, proxyCommand: d.proxyCommand };
}

async function askTarget(hasFolder: boolean): Promise<AddHostTarget | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'User settings', description: 'sandboxExplorer.hosts', detail: 'Only Sandbox Explorer sees it.', target: 'settings' as const },
      {
        label: 'SSH config file',
        description: '~/.ssh/config',
        detail: `A Host block appended at the end: \`ssh <name>\` works too. Earlier \`Host *\` lines still apply first.${hasFolder ? ' The remote folder is not kept there.' : ''}`,
        target: 'sshConfig' as const,
      },
    ],
    { title: `Add Host (5/${STEPS}): save to`, placeHolder: 'Where should the host be saved?', ignoreFocusOut: true },
  );
  return picked?.target;
}

function entryFor(name: string, d: Destination, remoteDirectory?: string): Record<string, unknown> {
  // A gateway token after `#` is never written to settings: the host asks for it when it connects.
  const user = d.user !== undefined ? splitUserToken(d.user) : undefined;
  return {
    name,
    host: d.host,
    ...(d.port !== undefined ? { port: d.port } : {}),
    ...(user ? { user: user.user, ...(user.token !== undefined ? { userToken: true } : {}) } : {}),
    ...(d.identityFile !== undefined ? { identityFile: d.identityFile } : {}),
    ...(d.proxyJump !== undefined ? { proxyJump: d.proxyJump } : {}),
    ...(d.proxyCommand !== undefined ? { proxyCommand: d.proxyCommand } : {}),
    ...(remoteDirectory ? { remoteDirectory } : {}),
  };
}

async function askDestination(): Promise<Destination | undefined> {
  const text = await vscode.window.showInputBox({
    title: `Add Host (1/${STEPS}): destination`,
    prompt: 'user@host:port, [::1]:2222, or an ssh command such as ssh user@host -p 2222 -i ~/.ssh/key',
    placeHolder: 'user@sandbox.example.com:2222',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const parsed = parseDestination(v);
      return parsed.ok ? undefined : parsed.message;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseDestination(text);
  return parsed.ok ? parsed.value : undefined;
}

/** The key to log in with: '' for none (agent and ssh config defaults), null when cancelled. */
async function askIdentityFile(): Promise<string | null> {
  const keys = await findIdentityFiles(path.join(os.homedir(), '.ssh'));
  type Item = vscode.QuickPickItem & { file?: string; browse?: boolean };
  const items: Item[] = [
    { label: 'None', description: 'use the ssh agent and the keys ~/.ssh/config names', file: '' },
    ...keys.map((k): Item => ({ label: k.display, description: k.hasPublicKey ? undefined : 'no .pub file next to it', file: k.display })),
    { label: 'Other key file…', browse: true },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Add Host (3/${STEPS}): key`,
    placeHolder: keys.length ? `Log in with a key from ~/.ssh (${keys.length} found), or none` : 'No private keys found in ~/.ssh',
    ignoreFocusOut: true,
  });
  if (!picked) return null;
  if (!picked.browse) return picked.file ?? '';
  const files = await vscode.window.showOpenDialog({
    title: 'Private key file',
    defaultUri: vscode.Uri.file(path.join(os.homedir(), '.ssh')),
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    openLabel: 'Use Key',
  });
  return files?.[0] ? files[0].fsPath : null;
}
