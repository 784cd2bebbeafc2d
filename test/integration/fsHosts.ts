// Hosts for the file system suite: sshd processes started here, inside the extension host,
// and added to the user's sandboxExplorer.hosts for the duration of the suite.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { startSshd, Sshd, SshdOptions } from '../support/sshd';

export interface TestHost {
  readonly name: string;
  readonly sshd: Sshd;
  /** Remote path (also a local path: the "remote" is this machine) of a fresh folder for one test. */
  folder(label: string): string;
  uri(remotePath: string): vscode.Uri;
}

const added: string[] = [];
const servers: Sshd[] = [];

export async function addTestHost(name: string, options: SshdOptions = {}): Promise<TestHost> {
  const sshd = await startSshd(options);
  servers.push(sshd);
  const knownHostsFile = path.join(sshd.dir, 'known_hosts');
  fs.writeFileSync(knownHostsFile, sshd.knownHostsLine() + '\n');
  const config = vscode.workspace.getConfiguration('sandboxExplorer');
  const hosts = config.get<unknown[]>('hosts', []);
  await config.update(
    'hosts',
    [...hosts, { name, host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.userKey.privatePath, knownHostsFile, remoteDirectory: sshd.root }],
    vscode.ConfigurationTarget.Global,
  );
  added.push(name);
  let n = 0;
  return {
    name,
    sshd,
    folder(label) {
      const dir = path.join(sshd.root, `${label.replace(/\W+/g, '-')}-${++n}`);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    uri: (remotePath) => vscode.Uri.from({ scheme: 'sbx', authority: name, path: remotePath }),
  };
}

export async function removeTestHosts(): Promise<void> {
  const config = vscode.workspace.getConfiguration('sandboxExplorer');
  const hosts = config.get<Array<{ name: string }>>('hosts', []);
  await config.update('hosts', hosts.filter((h) => !added.includes(h.name)), vscode.ConfigurationTarget.Global);
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  added.length = 0;
}

/** Asserts that `work` fails with the FileSystemError `code` (e.g. 'FileNotFound'). */
export async function rejectsWith(work: Thenable<unknown>, code: string): Promise<void> {
  try {
    await work;
  } catch (err) {
    const actual = (err as { code?: string }).code;
    if (actual !== code) throw new Error(`expected FileSystemError ${code}, got ${actual}: ${(err as Error).message}`);
    return;
  }
  throw new Error(`expected FileSystemError ${code}, but it succeeded`);
}

/** Whether the extension's tmux server on `host` (this machine) has session `name`. */
export function tmuxSessionAlive(host: TestHost, name: string): boolean {
  try {
    host.sshd.tmux('sandbox-explorer', 'has-session', '-t', `=${name}`);
    return true;
  } catch {
    return false;
  }
}
