// The private keys in ~/.ssh that Add Host offers (plain Node). Only the first bytes of each
// file are read, to recognise a private key; nothing is parsed or decrypted here.
import * as fs from 'fs';
import * as path from 'path';

const MAX_FILES = 200;
const MAX_KEY_BYTES = 64 * 1024;
const HEADER = /^-----BEGIN (?:OPENSSH |RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----/;
/** OpenSSH's default identity files, in the order ssh tries them (readconf.c). */
const DEFAULT_ORDER = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];

export interface IdentityFile {
  readonly path: string;
  /** `~/.ssh/<name>`: what goes into settings and what the user sees. */
  readonly display: string;
  readonly hasPublicKey: boolean;
}

export async function findIdentityFiles(sshDir: string): Promise<IdentityFile[]> {
  let names: string[];
  try {
    names = (await fs.promises.readdir(sshDir)).slice(0, MAX_FILES);
  } catch {
    return [];
  }
  const found: IdentityFile[] = [];
  for (const name of names) {
    if (name.endsWith('.pub') || name.startsWith('.')) continue;
    const file = path.join(sshDir, name);
    if (!(await looksLikePrivateKey(file))) continue;
    found.push({ path: file, display: `~/.ssh/${name}`, hasPublicKey: names.includes(`${name}.pub`) });
  }
  const rank = (f: IdentityFile) => {
    const i = DEFAULT_ORDER.indexOf(path.basename(f.path));
    return i < 0 ? DEFAULT_ORDER.length : i;
  };
  return found.sort((a, b) => rank(a) - rank(b) || a.display.localeCompare(b.display));
}

async function looksLikePrivateKey(file: string): Promise<boolean> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    const stat = await fs.promises.stat(file);
    if (!stat.isFile() || stat.size > MAX_KEY_BYTES) return false;
    handle = await fs.promises.open(file, 'r');
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return HEADER.test(head.subarray(0, bytesRead).toString('latin1'));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
