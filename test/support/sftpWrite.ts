// Tests put files on the remote over SFTP with a plain truncating write (no temp file, no
// conflict check): the extension itself only ever saves safely (safeSave.ts).
import { SftpSession, TransferOptions } from '../../src/ssh/sftp';
import { writeWhole } from '../../src/ssh/sftp/transfer';

/** Plain truncating write with every write acknowledged. */
export async function writePlain(session: SftpSession, path: string, data: Uint8Array, options: TransferOptions & { mode?: number } = {}): Promise<void> {
  const h = await session.open(path, 'w', options.mode !== undefined ? { mode: options.mode } : undefined);
  try {
    await writeWhole(session, h, data, options);
  } catch (err) {
    await session.closeQuietly(h);
    throw err;
  }
  await session.close(h);
}
