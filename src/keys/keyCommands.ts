// SSH key commands: generate a key pair, install a public key on a host (ssh-copy-id over the
// host's SFTP session), list and remove the keys a host authorizes, copy a public key.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { Commands } from '../editor/commands';
import { keyTypeLabel } from '../ssh/hostKeys/keyBlob';
import { parsePublicKey } from '../ssh/keys/authorizedKeys';
import { generateEd25519, writeNewKeyPair } from '../ssh/keys/keyPair';
import { LocalPublicKey } from '../ssh/keys/localKeys';
import { installAuthorizedKey, listAuthorizedKeys, removeAuthorizedKeyRemote } from '../ssh/keys/remoteAuthorizedKeys';
import { SftpSession } from '../ssh/sftp';
import { isLocalKeyNode, KeysTreeProvider } from './keysTreeProvider';

export interface KeyCommandDeps {
  readonly tree: KeysTreeProvider;
  /** ~/.ssh on this machine. */
  readonly sshDir: () => string;
  /** The host a command argument names (Hosts view node, host name), else asks; undefined when dismissed. */
  pickHost(arg: unknown, placeHolder: string): Promise<string | undefined>;
  /** The fingerprint of the key the host's current connection logged in with, if any. */
  loggedInWith(host: string): string | undefined;
  /** Keeps a new key's passphrase in secret storage (only when the user asks for it). */
  rememberPassphrase(keyPath: string, passphrase: string): Promise<void>;
  /** Runs `fn` on the host's SFTP session (connecting if needed). */
  withSftp<T>(host: string, fn: (session: SftpSession) => Promise<T>): Promise<T>;
  readonly log: Logger;
}

/** A file name for a new key: one plain name inside ~/.ssh. */
export function checkKeyFileName(name: string, sshDir: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || name.startsWith('.')) return 'Use letters, digits, ".", "_" and "-" (up to 64), not starting with "."';
  if (name.endsWith('.pub')) return 'Give the private key\'s name; ".pub" is added for the public key';
  if (fs.existsSync(path.join(sshDir, name)) || fs.existsSync(path.join(sshDir, `${name}.pub`))) return `~/.ssh/${name} exists; keys are never overwritten`;
  return undefined;
}

function freeKeyName(sshDir: string): string {
  for (let i = 0; ; i++) {
    const name = i === 0 ? 'id_ed25519' : `id_ed25519_sandbox${i === 1 ? '' : i}`;
    if (checkKeyFileName(name, sshDir) === undefined) return name;
  }
}

export function registerKeyCommands(commands: Commands, deps: KeyCommandDeps): vscode.Disposable {
  const pickLocalKey = async (arg: unknown, placeHolder: string): Promise<LocalPublicKey | undefined> => {
    if (isLocalKeyNode(arg)) return arg.key;
    const keys = await deps.tree.keys();
    if (keys.length === 0) {
      void vscode.window.showInformationMessage('No public keys in ~/.ssh. Generate one first.', 'Generate Key…').then((c) => c && vscode.commands.executeCommand('sandboxExplorer.keys.generate'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      keys.map((key) => ({ label: path.basename(key.path, '.pub'), description: `${keyTypeLabel(key.keyType)} ${key.comment}`, detail: key.fingerprint, key })),
      { placeHolder, matchOnDescription: true },
    );
    return picked?.key;
  };

  const install = async (key: LocalPublicKey, host: string) => {
    const publicKey = parsePublicKey((await fs.promises.readFile(key.path, 'utf8')).split('\n')[0]);
    const added = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Installing ${path.basename(key.path)} on ${host}…` }, () =>
      deps.withSftp(host, async (s) => installAuthorizedKey(s, await s.realpath('.'), publicKey)),
    );
    deps.log.info(`keys: ${added ? 'installed' : 'already authorized'} ${publicKey.fingerprint} on ${host}`);
    void vscode.window.showInformationMessage(added ? `${path.basename(key.path)} is now authorized on ${host}.` : `${host} already authorizes ${path.basename(key.path)}.`);
  };

  return vscode.Disposable.from(
    commands.plain('sandboxExplorer.keys.refresh', 'Refresh Keys', () => deps.tree.refresh()),

    commands.plain('sandboxExplorer.keys.generate', 'Generate SSH Key', async () => {
      const dir = deps.sshDir();
      const name = await vscode.window.showInputBox({
        title: 'Generate SSH Key (1/3)',
        prompt: `File name in ${dir}`,
        value: freeKeyName(dir),
        validateInput: (v) => checkKeyFileName(v.trim(), dir),
      });
      if (name === undefined) return;
      const comment = await vscode.window.showInputBox({
        title: 'Generate SSH Key (2/3)',
        prompt: 'Comment (shown next to the key on servers and platforms)',
        value: `${os.userInfo().username}@${os.hostname()}`,
        validateInput: (v) => (/[\r\n]/.test(v) ? 'One line' : undefined),
      });
      if (comment === undefined) return;
      const passphrase = await vscode.window.showInputBox({
        title: 'Generate SSH Key (3/3)',
        prompt: 'Passphrase (leave empty for none). Stored only if you ask for it next.',
        password: true,
      });
      if (passphrase === undefined) return;
      let remember = false;
      if (passphrase) {
        const again = await vscode.window.showInputBox({ title: 'Generate SSH Key', prompt: 'Type the passphrase again', password: true, validateInput: (v) => (v === passphrase ? undefined : 'Not the same passphrase') });
        if (again !== passphrase) return;
        // Not remembering is the default: a passphrase that is stored protects less.
        const choice = await vscode.window.showQuickPick(
          [
            { label: 'Ask for it when the key is used', remember: false },
            { label: "Remember it in the editor's secret storage", remember: true, detail: 'Sandbox Explorer then logs in with this key without asking. Forget All… removes it.' },
          ],
          { title: 'Generate SSH Key: remember the passphrase?' },
        );
        if (!choice) return;
        remember = choice.remember;
      }
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
      const pair = generateEd25519({ comment: comment.trim(), passphrase: passphrase || undefined });
      await writeNewKeyPair(path.join(dir, name.trim()), pair);
      if (remember) await deps.rememberPassphrase(path.join(dir, name.trim()), passphrase);
      deps.log.info(`keys: generated ${path.join(dir, name.trim())} (${pair.parsed.fingerprint})`);
      deps.tree.refresh();
      void vscode.window.showInformationMessage(`Generated ~/.ssh/${name.trim()} (${pair.parsed.fingerprint}).`, 'Install on a Host…').then((choice) => {
        if (choice) void vscode.commands.executeCommand('sandboxExplorer.keys.install', { kind: 'localKey', key: { path: path.join(dir, `${name.trim()}.pub`), keyType: pair.parsed.keyType, comment: pair.parsed.comment, fingerprint: pair.parsed.fingerprint } });
      });
    }),

    // From a key (Keys view) it asks for the host; from a host (Hosts view) for the key.
    commands.plain('sandboxExplorer.keys.install', 'Install Public Key', async (arg?: unknown) => {
      const key = await pickLocalKey(isLocalKeyNode(arg) ? arg : undefined, 'Install which public key?');
      if (!key) return;
      const host = await deps.pickHost(isLocalKeyNode(arg) ? undefined : arg, `Authorize ${path.basename(key.path)} on which host?`);
      if (!host) return;
      await install(key, host);
    }),

    // A connection failure of the host is shown with its fixes (the helper hands it on).
    commands.host('sandboxExplorer.keys.authorized', 'Authorized Keys', 'Show the authorized keys of which host?', async (entry) => {
      const host = entry.name;
      const keys = await deps.withSftp(host, async (s) => listAuthorizedKeys(s, await s.realpath('.')));
      const local = new Map((await deps.tree.keys()).map((k) => [k.fingerprint, path.basename(k.path, '.pub')]));
      const current = deps.loggedInWith(host);
      if (keys.length === 0) {
        void vscode.window.showInformationMessage(`${host} authorizes no keys in ~/.ssh/authorized_keys.`);
        return;
      }
      const picked = await vscode.window.showQuickPick(
        keys.map((k) => ({
          label: `${k.fingerprint === current ? '$(pass-filled) ' : ''}${k.comment || keyTypeLabel(k.keyType)}${local.has(k.fingerprint) ? `  (this machine: ${local.get(k.fingerprint)})` : ''}`,
          description: k.fingerprint === current ? `${keyTypeLabel(k.keyType)} · this connection logged in with it` : keyTypeLabel(k.keyType),
          detail: `${k.fingerprint}${k.options ? `  ·  options: ${k.options.slice(0, 120)}` : ''}  ·  line ${k.line}`,
          key: k,
        })),
        { title: `Keys authorized on ${host}`, placeHolder: 'Pick a key to remove it from the host', matchOnDetail: true },
      );
      if (!picked) return;
      const confirm = await vscode.window.showQuickPick(
        [
          {
            label: `$(trash) Remove from ${host}`,
            remove: true,
            detail:
              picked.key.fingerprint === current
                ? `This is the key the current connection logged in with: after removing it, new connections to ${host} may be refused. Deletes every line for ${picked.key.fingerprint} from ~/.ssh/authorized_keys.`
                : `Deletes every line for ${picked.key.fingerprint} from ~/.ssh/authorized_keys. If this is the key you log in with, you may lose access.`,
          },
          { label: 'Keep it', remove: false },
        ],
        { title: `Remove ${picked.key.comment || picked.key.fingerprint}?` },
      );
      if (!confirm?.remove) return;
      const removed = await deps.withSftp(host, async (s) => removeAuthorizedKeyRemote(s, await s.realpath('.'), picked.key.fingerprint));
      deps.log.info(`keys: removed ${removed} line(s) for ${picked.key.fingerprint} on ${host}`);
      void vscode.window.showInformationMessage(`Removed ${picked.key.comment || picked.key.fingerprint} from ${host}.`);
    }),

    commands.plain('sandboxExplorer.keys.copyPublicKey', 'Copy Public Key', async (arg?: unknown) => {
      const key = await pickLocalKey(arg, 'Copy which public key?');
      if (!key) return;
      const line = parsePublicKey((await fs.promises.readFile(key.path, 'utf8')).split('\n')[0]);
      await vscode.env.clipboard.writeText(`${line.keyType} ${line.blob.toString('base64')}${line.comment ? ` ${line.comment}` : ''}`);
      vscode.window.setStatusBarMessage(`Copied ${path.basename(key.path)}`, 3000);
    }),
  );
}
