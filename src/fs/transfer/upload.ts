// Upload without the editor: local files and folders into a remote folder. Local links are
// never followed (lstat; skipped, or recreated verbatim as remote links), an existing remote
// file is replaced only after the caller's confirmation and keeps its mode, a new file gets the
// server's default mode plus the source's exec bits, and each file streams with bounded memory
// into a remote temp file renamed into place (a safe save).
import * as fs from 'fs';
import * as path from 'path';
import { Logger, nullLogger } from '../../common/log';
import { abortError } from '../../ssh/errors';
import { Attributes, ConflictError, FileVersion, joinRemotePath, SftpError, SftpSession, versionOf } from '../../ssh/sftp';
import { DOWNLOAD_LIMITS, DownloadLimits } from './download';
import { addSkipped, emptyReport, ProgressCounter, ReplaceAnswer, replaceQuestion, skippedMoreLine, SymlinkPolicy, TransferProgress, TransferReport } from './transferReport';

export type { ReplaceAnswer } from './transferReport';

export interface UploadOptions {
  readonly symlinks: SymlinkPolicy;
  /** Asked once for each remote file the upload would replace; 'replaceAll' answers the rest too. */
  readonly confirmReplace: (remote: string) => Promise<ReplaceAnswer>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: TransferProgress) => void;
  readonly onListing?: (filesFound: number) => void;
  readonly log?: Logger;
  /** Bounds on the plan (default: the same as a download's). */
  readonly limits?: Partial<Pick<DownloadLimits, 'maxEntries' | 'maxDepth'>>;
}

type Planned =
  | { readonly kind: 'folder'; readonly local: string; readonly remote: string; readonly exists: boolean; readonly children: Planned[] }
  /** `replacing`: the remote file the user agreed to replace, as it was then; undefined for a new file. */
  | { readonly kind: 'file'; readonly local: string; readonly remote: string; readonly size: number; readonly replacing?: FileVersion }
  | { readonly kind: 'link'; readonly local: string; readonly remote: string; readonly target: string; readonly replacing: boolean };

/** O_NOFOLLOW: a file that became a link since it was listed is not followed; O_NONBLOCK: nor does a FIFO block us. POSIX only. */
const NO_FOLLOW = (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

export async function upload(session: SftpSession, sources: readonly string[], remoteFolder: string, options: UploadOptions): Promise<TransferReport> {
  const report = emptyReport();
  const log = options.log ?? nullLogger;
  const skip = (p: string, why: string) => {
    if (addSkipped(report, { path: p, why })) log.warn(`upload: skipped ${JSON.stringify(p)}: ${why}`);
  };
  const checkCancel = () => {
    if (options.signal?.aborted) throw abortError('upload');
  };
  /** Whether to replace this existing remote file; a Cancel ends the upload before anything was sent. */
  const mayReplace = replaceQuestion<'file'>((remote) => options.confirmReplace(remote), () => abortError('upload'), options.signal);

  // 1. Plan: walk the local side (lstat) and look at what exists on the remote, asking about
  // each file that would be replaced before anything is sent.
  let bytesTotal = 0;
  let filesTotal = 0;
  // A huge or looping local tree (bind mounts) must not grow the plan without end.
  const limits = { ...DOWNLOAD_LIMITS, ...options.limits };
  let entries = 0;

  const plan = async (local: string, remote: string, existing: Attributes | undefined, depth: number): Promise<Planned | undefined> => {
    checkCancel();
    const top = depth === 0;
    if (++entries > limits.maxEntries) throw new Error(`more than ${limits.maxEntries} entries to upload; nothing was sent. Upload smaller folders.`);
    // The sources themselves are what the user picked (a picked link means its target); below them nothing is followed.
    const st = await (top ? fs.promises.stat(local) : fs.promises.lstat(local));
    if (st.isSymbolicLink()) {
      if (options.symlinks !== 'recreate') return void skip(local, 'symbolic link, not followed');
      if (existing?.isDirectory()) return void skip(local, 'a folder of that name exists on the remote');
      if (existing && !(await mayReplace(remote, 'file'))) return void skip(local, 'exists on the remote; kept');
      return { kind: 'link', local, remote, target: await fs.promises.readlink(local), replacing: existing !== undefined };
    }
    if (st.isDirectory()) {
      if (existing && !existing.isDirectory()) {
        return void skip(local, existing.isSymbolicLink() ? 'a link of that name exists on the remote; not followed' : 'a file of that name exists on the remote');
      }
      if (depth > limits.maxDepth) return void skip(local, `folder nested more than ${limits.maxDepth} levels deep`);
      const names = (await fs.promises.readdir(local)).sort();
      // What already exists in a remote folder we merge into: one listing, not a lookup per file.
      const there = existing ? new Map((await session.readdir(remote, { signal: options.signal })).map((e) => [e.name, e.attrs])) : new Map<string, Attributes>();
      const folder: Planned = { kind: 'folder', local, remote, exists: existing !== undefined, children: [] };
      for (const name of names) {
        const child = await plan(path.join(local, name), joinRemotePath(remote, name), there.get(name), depth + 1);
        if (child) folder.children.push(child);
      }
      return folder;
    }
    if (!st.isFile()) return void skip(local, 'not a regular file, folder or link');
    if (existing) {
      if (existing.isDirectory()) return void skip(local, 'a folder of that name exists on the remote');
      if (!existing.isFile()) return void skip(local, existing.isSymbolicLink() ? 'a link of that name exists on the remote; not replaced' : 'exists on the remote and is not a regular file');
      if (!(await mayReplace(remote, 'file'))) return void skip(local, 'exists on the remote; kept');
    }
    bytesTotal += st.size;
    filesTotal++;
    options.onListing?.(filesTotal);
    return { kind: 'file', local, remote, size: st.size, replacing: versionOf(existing) };
  };

  const planned: Planned[] = [];
  for (const source of sources) {
    const remote = joinRemotePath(remoteFolder, path.basename(source));
    const item = await plan(source, remote, await session.tryLstat(remote), 0);
    if (item) planned.push(item);
  }

  // 2. Transfer.
  const progress = new ProgressCounter(bytesTotal, filesTotal, options.onProgress);

  const put = async (p: Planned, top: boolean): Promise<void> => {
    checkCancel();
    switch (p.kind) {
      case 'folder':
        if (!p.exists) {
          try {
            await session.mkdir(p.remote);
            report.folders++;
          } catch (err) {
            // Created meanwhile: merge into it only if it is a real folder.
            if (!SftpError.is(err) || err.reason !== 'exists' || !(await session.lstat(p.remote)).isDirectory()) throw err;
          }
        }
        for (const child of p.children) await put(child, false);
        return;
      case 'link':
        if (p.replacing) await session.unlink(p.remote);
        await session.symlink(p.target, p.remote);
        report.links++;
        return;
      case 'file':
        return putFile(p, top);
    }
  };

  const putFile = async (p: Extract<Planned, { kind: 'file' }>, top: boolean): Promise<void> => {
    const file = await fs.promises.open(p.local, fs.constants.O_RDONLY | (top ? 0 : NO_FOLLOW));
    try {
      const st = await file.stat();
      if (!st.isFile()) return void skip(p.local, 'no longer a regular file');
      progress.startFile(path.basename(p.local));
      let bytes = 0;
      try {
        await session.writeFileAtomicFrom(p.remote, st.size, async (buf, position) => (await file.read(buf, 0, buf.length, position)).bytesRead, {
          // Replacing: what the user agreed to replace must still be there; new: nothing may have appeared.
          expected: p.replacing,
          createOnly: !p.replacing,
          newFileExecBits: st.mode & 0o111,
          signal: options.signal,
          onBytes: (n) => {
            bytes += n;
            progress.bytes(n);
          },
        });
      } catch (err) {
        if (ConflictError.is(err)) return void skip(p.local, 'changed on the remote during the upload; the remote file was kept');
        if (SftpError.is(err) && err.reason === 'exists') return void skip(p.local, 'appeared on the remote during the upload; the remote file was kept');
        throw err;
      }
      progress.endFile();
      report.files++;
      report.bytes += bytes;
    } finally {
      await file.close();
    }
  };

  for (const item of planned) await put(item, true);
  const more = skippedMoreLine('upload', report);
  if (more) log.warn(more);
  return report;
}
