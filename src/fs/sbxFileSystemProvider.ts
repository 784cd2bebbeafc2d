// The sbx:// file system: VS Code's FileSystemProvider contract over one pooled SFTP
// session per host. Errors are mapped once, in fsErrors.ts.
import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import { withTokenSignal } from '../common/cancellation';
import { Logger } from '../common/log';
import { SshConnection } from '../ssh/connection';
import { exec, shellQuote } from '../ssh/exec';
import { Attributes, copyTree, FileVersion, removeTree, SftpError, SftpSession, unlessUnreachable } from '../ssh/sftp';
import { isAbout, parseCpFailure } from './cpFailure';
import { toFileSystemError } from './fsErrors';
import { normalizeRemotePath, remoteDirname } from './remotePath';
import { canWrite, RemoteSessions } from './remoteSessions';

/** Files larger than this open with a cancellable progress notification. */
const LARGE_FILE_BYTES = 50 * 1024 * 1024;
/** Symlink targets stat'ed at once while listing a directory. */
const STAT_CONCURRENCY = 16;
/** ssh2 decodes names as UTF-8; a name that was not comes back with U+FFFD in it. */
const LOSSY = '\uFFFD';

export interface SaveFallback {
  /** The temp-file route is impossible for `uri`: may we overwrite in place? */
  allowInPlace(uri: vscode.Uri, why: string): Promise<boolean>;
}

export interface FileSystemOptions {
  /** Copy with `cp` over an exec channel when the server does not offer the copy-data extension. */
  copyWithExec(): boolean;
  /** Most entries one folder listing may hold. */
  maxListingEntries(): number;
}

/** Hears about every failed operation, to tell the user about connection trouble they can fix. */
export interface ConnectionTrouble {
  report(host: string, err: unknown): void;
}

export interface RemoteWatching {
  watch(uri: vscode.Uri, options: { recursive: boolean; excludes: readonly string[] }): vscode.Disposable;
  /**
   * Our own write to `uri` is starting, so its echo is not reported as an outside change.
   * Call the returned function when the write has finished (or failed).
   */
  noteOwnChange(uri: vscode.Uri): () => void;
}

function fileType(attrs: Attributes): vscode.FileType {
  if (attrs.isDirectory()) return vscode.FileType.Directory;
  if (attrs.isFile()) return vscode.FileType.File;
  if (attrs.isSymbolicLink()) return vscode.FileType.SymbolicLink;
  return vscode.FileType.Unknown;
}

export class SbxFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  private pendingEvents: vscode.FileChangeEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** What the editor last read or wrote per file, to catch remote edits made in between. */
  private readonly versions = new Map<string, FileVersion>();
  private watching: RemoteWatching | undefined;

  constructor(
    private readonly sessions: RemoteSessions,
    private readonly saveFallback: SaveFallback,
    private readonly options: FileSystemOptions,
    private readonly log: Logger,
    private readonly trouble?: ConnectionTrouble,
  ) {}

  setWatching(watching: RemoteWatching): void {
    this.watching = watching;
  }

  /** Fires change events, batched like the fsprovider sample so a burst becomes one event. */
  fire(events: vscode.FileChangeEvent[]): void {
    this.pendingEvents.push(...events);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        const batch = this.pendingEvents;
        this.pendingEvents = [];
        this.changes.fire(batch);
      }, 5);
    }
  }

  watch(uri: vscode.Uri, options: { readonly recursive: boolean; readonly excludes: readonly string[] }): vscode.Disposable {
    return this.watching?.watch(uri, options) ?? new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.read(uri, async (s, path, connection) => {
      const link = await s.lstat(path);
      let attrs = link;
      let type = fileType(link);
      if (link.isSymbolicLink()) {
        // A link reports its target's type (and size and times); a dangling link is just a link.
        const target = await linkTarget(s, path);
        if (target) {
          attrs = target;
          type = vscode.FileType.SymbolicLink | fileType(target);
        }
      }
      const writable = path.includes(LOSSY) ? false : canWrite(attrs, await this.sessions.identity(connection));
      return {
        type,
        ctime: attrs.mtime * 1000,
        mtime: attrs.mtime * 1000,
        size: attrs.size,
        permissions: writable ? undefined : vscode.FilePermission.Readonly,
      };
    });
  }

  readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.read(uri, async (s, path) => {
      const listed = await s.readdir(path, { maxEntries: this.options.maxListingEntries() }).catch(async (err) => {
        // OPENDIR on a file answers a bare FAILURE in SFTP v3: say what it really is.
        const attrs = await s.stat(path).catch(() => undefined);
        throw attrs && !attrs.isDirectory() ? vscode.FileSystemError.FileNotADirectory(uri) : err;
      });
      const entries = listed.filter((e) => e.name !== '.' && e.name !== '..');
      const result: [string, vscode.FileType][] = entries.map((e) => [e.name, fileType(e.attrs)]);
      // READDIR's attributes describe links themselves: stat only those, a few at a time.
      const links = result.map((_entry, i) => i).filter((i) => entries[i].attrs.isSymbolicLink() && !entries[i].lossyName);
      await forEachLimited(links, STAT_CONCURRENCY, async (i) => {
        const target = await linkTarget(s, joinPath(path, entries[i].name));
        if (target) result[i][1] = vscode.FileType.SymbolicLink | fileType(target);
      });
      return result;
    });
  }

  createDirectory(uri: vscode.Uri): Promise<void> {
    return this.run(uri, async (s, path) => {
      refuseLossy(uri, path);
      await s.mkdir(path);
      this.fire([{ type: vscode.FileChangeType.Created, uri }]);
    });
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.read(uri, async (s, path) => {
      const attrs = await s.stat(path);
      if (attrs.isDirectory()) throw vscode.FileSystemError.FileIsADirectory(uri);
      const read = (signal?: AbortSignal) => s.readFile(path, { signal, attrs });
      const data = attrs.size > LARGE_FILE_BYTES ? await withCancellableProgress(`Opening ${uri.path} (${Math.round(attrs.size / 1048576)} MB)`, read) : await read();
      this.versions.set(uri.toString(), { mtime: attrs.mtime, size: attrs.size });
      return data;
    });
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    return this.run(uri, async (s, path) => {
      refuseLossy(uri, path);
      const existing = await s.tryLstat(path);
      if (!existing) {
        if (!options.create) throw vscode.FileSystemError.FileNotFound(uri);
        const parent = await s.tryLstat(remoteDirname(path));
        if (!parent) throw vscode.FileSystemError.FileNotFound(uri.with({ path: remoteDirname(path) }));
      } else {
        if (!options.overwrite) throw vscode.FileSystemError.FileExists(uri);
        const target = existing.isSymbolicLink() ? ((await linkTarget(s, path)) ?? existing) : existing;
        if (target.isDirectory()) throw vscode.FileSystemError.FileIsADirectory(uri);
      }
      const key = uri.toString();
      const expected = existing ? this.versions.get(key) : undefined;
      const written = await this.ownChange([uri], async (): Promise<Attributes> => {
        try {
          return await s.writeFileAtomic(path, content, { expected });
        } catch (err) {
          if (!(SftpError.is(err) && err.reason === 'unsafe-save')) throw err;
          if (!(await this.saveFallback.allowInPlace(uri, err.message))) throw err;
          this.log.warn(`saving ${uri.toString(true)} in place: ${err.message}`);
          return s.writeFileInPlace(path, content, { expected });
        }
      });
      this.versions.set(key, { mtime: written.mtime, size: written.size });
      this.fire([{ type: existing ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
    });
  }

  delete(uri: vscode.Uri, options: { readonly recursive: boolean }): Promise<void> {
    return this.run(uri, async (s, path) => {
      const attrs = await s.lstat(path);
      await this.ownChange([uri], async () => {
        if (attrs.isDirectory()) {
          if (options.recursive) await removeTree(s, path, this.treeOptions());
          else await s.rmdir(path);
        } else {
          // Links are removed, never followed.
          await s.unlink(path);
        }
      });
      this.versions.delete(uri.toString());
      this.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
    });
  }

  rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { readonly overwrite: boolean }): Promise<void> {
    if (oldUri.authority !== newUri.authority) return this.moveAcrossHosts(oldUri, newUri, options.overwrite);
    return this.run(oldUri, async (s, oldPath) => {
      const newPath = normalizeRemotePath(newUri.path);
      refuseLossy(newUri, newPath);
      await s.lstat(oldPath);
      if (!(await s.tryLstat(remoteDirname(newPath)))) throw vscode.FileSystemError.FileNotFound(newUri.with({ path: remoteDirname(newPath) }));
      await this.ownChange([oldUri, newUri], async () => {
        try {
          await s.rename(oldPath, newPath, { overwrite: options.overwrite });
        } catch (err) {
          throw toFileSystemError(err, SftpError.is(err) && err.reason === 'exists' ? newUri : oldUri);
        }
      });
      this.versions.delete(oldUri.toString());
      this.fire([
        { type: vscode.FileChangeType.Deleted, uri: oldUri },
        { type: vscode.FileChangeType.Created, uri: newUri },
      ]);
    });
  }

  copy(source: vscode.Uri, destination: vscode.Uri, options: { readonly overwrite: boolean }): Promise<void> {
    if (source.authority !== destination.authority) return this.copyAcrossHosts(source, destination, options.overwrite);
    return this.run(source, async (s, from, connection) => {
      const to = normalizeRemotePath(destination.path);
      refuseLossy(destination, to);
      const attrs = await s.stat(from);
      const existing = await s.tryLstat(to);
      if (existing && !options.overwrite) throw vscode.FileSystemError.FileExists(destination);
      if (!(await s.tryLstat(remoteDirname(to)))) throw vscode.FileSystemError.FileNotFound(destination.with({ path: remoteDirname(to) }));
      await this.ownChange([destination], async () => {
        // What to remove is decided by the destination itself (lstat): a link to a folder is
        // unlinked, never followed into.
        if (attrs.isDirectory() && existing) await (existing.isDirectory() ? removeTree(s, to, this.treeOptions()) : s.unlink(to));
        if (!s.hasCopyData && this.options.copyWithExec()) {
          await copyWithCp(connection, source, destination, this.log);
        } else if (attrs.isDirectory()) {
          await copyTree(s, from, to, this.treeOptions());
        } else {
          await s.copy(from, to, { overwrite: options.overwrite });
        }
      });
      this.fire([{ type: vscode.FileChangeType.Created, uri: destination }]);
    });
  }

  private treeOptions(): { maxListingEntries: number } {
    return { maxListingEntries: this.options.maxListingEntries() };
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.changes.dispose();
  }

  /** Runs our own change to `uris`, telling the watcher when it starts and when it is over. */
  private async ownChange<T>(uris: vscode.Uri[], work: () => Promise<T>): Promise<T> {
    const settled = uris.map((uri) => this.watching?.noteOwnChange(uri));
    try {
      return await work();
    } finally {
      settled.forEach((settle) => settle?.());
    }
  }

  /**
   * VS Code hands one provider its copies and moves between two of its hosts too (it reads and
   * writes by itself only between providers), so they go through this machine: files by
   * readFile + writeFile (each a safe save), folders entry by entry, links recreated as links.
   */
  private async copyAcrossHosts(source: vscode.Uri, destination: vscode.Uri, overwrite: boolean): Promise<void> {
    const [from, existing] = await Promise.all([this.stat(source), this.stat(destination).catch(ifNotFound(undefined))]);
    if (existing) {
      if (!overwrite) throw vscode.FileSystemError.FileExists(destination);
      await this.delete(destination, { recursive: true });
    }
    await this.stat(destination.with({ path: remoteDirname(normalizeRemotePath(destination.path)) }));
    // The source itself is followed, as a copy within a host follows it; links inside folders stay links.
    await this.copyEntryAcrossHosts(source, destination, from.type & ~vscode.FileType.SymbolicLink);
  }

  private async copyEntryAcrossHosts(source: vscode.Uri, destination: vscode.Uri, type: vscode.FileType): Promise<void> {
    if (type & vscode.FileType.SymbolicLink) {
      const target = await this.run(source, (s, path) => s.readlink(path));
      await this.run(destination, async (s, path) => {
        refuseLossy(destination, path);
        await s.symlink(target, path);
      });
      this.fire([{ type: vscode.FileChangeType.Created, uri: destination }]);
    } else if (type & vscode.FileType.Directory) {
      await this.createDirectory(destination);
      for (const [name, childType] of await this.readDirectory(source)) {
        await this.copyEntryAcrossHosts(childUri(source, name), childUri(destination, name), childType);
      }
    } else {
      await this.writeFile(destination, await this.readFile(source), { create: true, overwrite: false });
    }
  }

  private async moveAcrossHosts(source: vscode.Uri, destination: vscode.Uri, overwrite: boolean): Promise<void> {
    await this.copyAcrossHosts(source, destination, overwrite);
    await this.delete(source, { recursive: true });
  }

  private async run<T>(uri: vscode.Uri, op: (s: SftpSession, path: string, connection: SshConnection) => Promise<T>): Promise<T> {
    try {
      const path = normalizeRemotePath(uri.path);
      return await this.sessions.run(uri.authority, (s, connection) => op(s, path, connection));
    } catch (err) {
      this.trouble?.report(uri.authority, err);
      throw toFileSystemError(err, uri);
    }
  }

  /** `run` for operations that change nothing: retried once if the SFTP channel was reset under them. */
  private async read<T>(uri: vscode.Uri, op: (s: SftpSession, path: string, connection: SshConnection) => Promise<T>): Promise<T> {
    try {
      const path = normalizeRemotePath(uri.path);
      return await this.sessions.runIdempotent(uri.authority, (s, connection) => op(s, path, connection));
    } catch (err) {
      this.trouble?.report(uri.authority, err);
      throw toFileSystemError(err, uri);
    }
  }
}

function refuseLossy(uri: vscode.Uri, path: string): void {
  // A name that was not UTF-8 cannot be written back under its decoded form without creating a different file.
  if (path.includes(LOSSY)) throw vscode.FileSystemError.NoPermissions(`${uri.toString(true)}: the remote name is not valid UTF-8 and is read-only here`);
}

/** A link's target, or undefined when it dangles, loops or is out of reach; a lost connection still fails. */
function linkTarget(s: SftpSession, path: string): Promise<Attributes | undefined> {
  return unlessUnreachable(s.stat(path));
}

function childUri(parent: vscode.Uri, name: string): vscode.Uri {
  return parent.with({ path: joinPath(normalizeRemotePath(parent.path), name) });
}

/** For `.catch`: FileNotFound becomes `value`, anything else is rethrown. */
function ifNotFound<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return value;
    throw err;
  };
}

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Server-side copy with cp(1) into a temp name, then mv: a failed copy leaves no partial target.
 * Run in the C locale, so its failures map to the same errors as every other operation.
 */
async function copyWithCp(connection: SshConnection, source: vscode.Uri, destination: vscode.Uri, log: Logger): Promise<void> {
  const from = normalizeRemotePath(source.path);
  const to = normalizeRemotePath(destination.path);
  const temp = `${remoteDirname(to)}/.${to.slice(to.lastIndexOf('/') + 1)}.sbx-${randomBytes(6).toString('hex')}.tmp`;
  const q = shellQuote;
  const result = await exec(connection, `cp -pR -- ${q(from)} ${q(temp)} && mv -f -- ${q(temp)} ${q(to)} || { rc=$?; rm -rf -- ${q(temp)}; exit $rc; }`, { env: { LC_ALL: 'C' } }, log);
  if (result.code === 0) return;
  const failure = parseCpFailure(result.stderr.toString());
  // "cannot stat 'from'" is about the source; everything else about where the copy goes.
  const uri = isAbout(failure.line, from) ? source : destination;
  const message = `${uri.toString(true)}: cp failed on the remote: ${failure.line || `exit ${result.code}`}`;
  switch (failure.kind) {
    case 'not-found':
      throw vscode.FileSystemError.FileNotFound(message);
    case 'no-permission':
      throw vscode.FileSystemError.NoPermissions(message);
    case 'exists':
      throw vscode.FileSystemError.FileExists(message);
  }
  throw new vscode.FileSystemError(message);
}

function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => withTokenSignal(token, work)),
  );
}
