// ssh-copy-id over the connection's SFTP session: `~/.ssh` (0700) and `authorized_keys` (0600)
// are created when missing, a key is appended only when absent, and every change is a safe
// save (temp file + rename, mode and owner kept) checked against the version that was read.
import { SftpError, SftpSession } from '../sftp';
import { addAuthorizedKey, AuthorizedKey, parseAuthorizedKeys, PublicKey, removeAuthorizedKey } from './authorizedKeys';

/** A larger authorized_keys is not one we edit (the server's, hostile or broken). */
export const MAX_AUTHORIZED_KEYS_BYTES = 1024 * 1024;

export function authorizedKeysPath(home: string): string {
  return `${home.replace(/\/+$/, '')}/.ssh/authorized_keys`;
}

async function readCurrent(session: SftpSession, path: string): Promise<{ text: string; version?: { mtime: number; size: number } }> {
  const attrs = await session.tryLstat(path);
  if (!attrs) return { text: '' };
  const target = attrs.isSymbolicLink() ? await session.stat(path) : attrs;
  if (!target.isFile()) throw new Error(`${path} is not a regular file`);
  if (target.size > MAX_AUTHORIZED_KEYS_BYTES) throw new Error(`${path} is larger than ${MAX_AUTHORIZED_KEYS_BYTES} bytes; not edited`);
  // The size just checked bounds the read: a second STAT could claim anything.
  const data = await session.readFile(path, { attrs: target });
  if (data.length > MAX_AUTHORIZED_KEYS_BYTES) throw new Error(`${path} grew past ${MAX_AUTHORIZED_KEYS_BYTES} bytes while it was read; not edited`);
  const text = data.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(data)) throw new Error(`${path} is not UTF-8 text; not edited`);
  return { text, version: { mtime: target.mtime, size: target.size } };
}

export async function listAuthorizedKeys(session: SftpSession, home: string): Promise<AuthorizedKey[]> {
  return parseAuthorizedKeys((await readCurrent(session, authorizedKeysPath(home))).text);
}

/** Appends `key` unless present. Returns whether the file changed. */
export async function installAuthorizedKey(session: SftpSession, home: string, key: PublicKey): Promise<boolean> {
  const dir = `${home.replace(/\/+$/, '')}/.ssh`;
  const dirAttrs = await session.tryLstat(dir);
  if (!dirAttrs) {
    try {
      await session.mkdir(dir, { mode: 0o700 });
    } catch (err) {
      // Made meanwhile by someone else: use it if it is a folder.
      if (!(SftpError.is(err) && err.reason === 'exists')) throw err;
    }
  } else if (!dirAttrs.isDirectory() && !(dirAttrs.isSymbolicLink() && (await session.stat(dir)).isDirectory())) {
    throw new Error(`${dir} exists and is not a folder`);
  }
  const path = authorizedKeysPath(home);
  const current = await readCurrent(session, path);
  const next = addAuthorizedKey(current.text, key);
  if (!next.added) return false;
  // A new file gets 0600; an existing one keeps its mode and owner (safe save).
  await session.writeFileAtomic(path, Buffer.from(next.text, 'utf8'), current.version ? { expected: current.version } : { mode: 0o600, createOnly: true });
  return true;
}

/** Removes the lines authorizing the key with `fingerprint`. Returns how many lines went. */
export async function removeAuthorizedKeyRemote(session: SftpSession, home: string, fingerprint: string): Promise<number> {
  const path = authorizedKeysPath(home);
  const current = await readCurrent(session, path);
  if (!current.version) return 0;
  const next = removeAuthorizedKey(current.text, fingerprint);
  if (next.removed === 0) return 0;
  await session.writeFileAtomic(path, Buffer.from(next.text, 'utf8'), { expected: current.version });
  return next.removed;
}

