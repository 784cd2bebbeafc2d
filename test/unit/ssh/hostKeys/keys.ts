// Keys for host key tests, made by ssh-keygen so parsing is checked against OpenSSH's own output.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeTempDir } from '../../../support/sshd';

export interface TestKey {
  /** e.g. `ssh-ed25519` */
  readonly type: string;
  readonly base64: string;
  readonly blob: Buffer;
  readonly pubPath: string;
  /** What `ssh-keygen -lf` prints as the fingerprint. */
  readonly fingerprint: string;
}

export type KeySpec = 'ed25519' | 'ecdsa256' | 'ecdsa384' | 'ecdsa521' | 'rsa';

export function keygen(dir: string, spec: KeySpec, name: string = spec): TestKey {
  const file = path.join(dir, name);
  const args: Record<KeySpec, string[]> = {
    ed25519: ['-t', 'ed25519'],
    ecdsa256: ['-t', 'ecdsa', '-b', '256'],
    ecdsa384: ['-t', 'ecdsa', '-b', '384'],
    ecdsa521: ['-t', 'ecdsa', '-b', '521'],
    rsa: ['-t', 'rsa', '-b', '2048'],
  };
  execFileSync('ssh-keygen', ['-q', ...args[spec], '-N', '', '-C', name, '-f', file], { stdio: 'ignore' });
  return fromPub(`${file}.pub`);
}

export function fromPub(pubPath: string): TestKey {
  const [type, base64] = fs.readFileSync(pubPath, 'utf8').trim().split(/\s+/);
  const fingerprint = execFileSync('ssh-keygen', ['-lf', pubPath], { encoding: 'utf8' }).split(/\s+/)[1];
  return { type, base64, blob: Buffer.from(base64, 'base64'), pubPath, fingerprint };
}

/** A fresh temp dir per suite, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = makeTempDir('sbx-hostkeys-');
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes known_hosts lines to a new file in `dir` and returns its path. */
let counter = 0;
export function knownHostsFile(dir: string, lines: string[], name = `known_hosts_${++counter}`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** `ssh-keygen -H` on a copy: OpenSSH's own hashing of every name in `lines`. */
export function hashWithSshKeygen(dir: string, lines: string[]): string[] {
  const file = knownHostsFile(dir, lines);
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}
