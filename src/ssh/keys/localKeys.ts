// The user's public keys in ~/.ssh (`*.pub`), as the Keys view lists them: type, comment and
// SHA256 fingerprint. Bounded: a folder of thousands of files or a huge `.pub` is not read whole.
import * as fs from 'fs';
import * as path from 'path';
import { parsePublicKey } from './authorizedKeys';

const MAX_FILES = 500;
const MAX_PUB_BYTES = 16 * 1024;

export interface LocalPublicKey {
  readonly path: string;
  readonly keyType: string;
  readonly comment: string;
  readonly fingerprint: string;
  /** The private half next to it (`<name>` without `.pub`). */
  readonly privatePath?: string;
}

export async function listLocalPublicKeys(sshDir: string): Promise<LocalPublicKey[]> {
  let names: string[];
  try {
    names = (await fs.promises.readdir(sshDir)).filter((n) => n.endsWith('.pub') && !n.startsWith('.')).sort().slice(0, MAX_FILES);
  } catch {
    return [];
  }
  const keys: LocalPublicKey[] = [];
  for (const name of names) {
    const file = path.join(sshDir, name);
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile() || st.size > MAX_PUB_BYTES) continue;
      const key = parsePublicKey((await fs.promises.readFile(file, 'utf8')).split('\n')[0]);
      const privatePath = file.slice(0, -'.pub'.length);
      keys.push({ path: file, keyType: key.keyType, comment: key.comment, fingerprint: key.fingerprint, privatePath: fs.existsSync(privatePath) ? privatePath : undefined });
    } catch {
      // Not a readable public key: not listed.
    }
  }
  return keys;
}
