// A new key pair for the user, in OpenSSH's own formats (ssh2 generates it; no hand-rolled
// crypto). Files are created, never replaced: an existing key is somebody's only way in.
import * as fs from 'fs';
import { utils } from 'ssh2';
import { parsePublicKey, PublicKey } from './authorizedKeys';

export interface NewKeyPair {
  /** The private key in OpenSSH's own PEM-style format, encrypted when a passphrase was given. */
  readonly privateKey: string;
  /** The `*.pub` line. */
  readonly publicKey: string;
  readonly parsed: PublicKey;
}

export function generateEd25519(options: { comment: string; passphrase?: string }): NewKeyPair {
  if (/[\r\n]/.test(options.comment)) throw new Error('a key comment is one line');
  const pair = utils.generateKeyPairSync('ed25519', {
    comment: options.comment,
    ...(options.passphrase ? { passphrase: options.passphrase, cipher: 'aes256-ctr', rounds: 16 } : {}),
  });
  const publicKey = pair.public.trim();
  return { privateKey: pair.private, publicKey, parsed: parsePublicKey(publicKey) };
}

/**
 * Writes `<path>` (0600) and `<path>.pub` (0644). Refuses (EEXIST) when either exists; if the
 * public half cannot be written, the private half just written is removed again.
 */
export async function writeNewKeyPair(privatePath: string, pair: NewKeyPair): Promise<void> {
  const publicPath = `${privatePath}.pub`;
  if (fs.existsSync(publicPath)) throw Object.assign(new Error(`${publicPath} exists; nothing was written`), { code: 'EEXIST' });
  await fs.promises.writeFile(privatePath, pair.privateKey, { flag: 'wx', mode: 0o600 });
  try {
    await fs.promises.writeFile(publicPath, `${pair.publicKey}\n`, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    await fs.promises.unlink(privatePath).catch(() => undefined);
    throw err;
  }
  // The umask may have taken bits away from 0644 but never adds: the private file is 0600 or tighter.
}
