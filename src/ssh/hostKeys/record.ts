// Appends accepted keys in the format ssh itself reads, so `ssh -o UserKnownHostsFile=<file>`
// trusts what the extension trusted.
import { promises as fs } from 'fs';
import * as path from 'path';
import { keyTypeOfBlob } from './keyBlob';
import { formatKnownHostsLine, HostKeyTarget } from './knownHosts';

export interface AddKnownHostOptions {
  /** Write the name as `|1|salt|hash` (ssh's HashKnownHosts). */
  readonly hashed?: boolean;
}

/**
 * Appends one line for `target` to `file`, creating the directory (0700) and the file (0600)
 * when missing. A single O_APPEND write of the whole line keeps concurrent writers from
 * interleaving; a file whose last line lacks its newline gets one first.
 */
export async function addKnownHost(file: string, target: HostKeyTarget, keyType: string, keyBlob: Buffer, options: AddKnownHostOptions = {}): Promise<string> {
  const blobType = keyTypeOfBlob(keyBlob);
  if (blobType === undefined) throw new Error('cannot record a malformed host key');
  if (blobType !== keyType) throw new Error(`host key type ${keyType} does not match the key, which is ${blobType}`);
  const line = formatKnownHostsLine(target, keyType, keyBlob, options.hashed === true);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await fs.open(file, 'a+', 0o600);
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.appendFile(`${prefix}${line}\n`);
  } finally {
    await handle.close();
  }
  return line;
}
