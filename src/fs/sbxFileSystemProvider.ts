// The sbx:// file system: VS Code's FileSystemProvider contract over one pooled SFTP
// session per host. Errors are mapped once, in fsErrors.ts; whole-tree work is in
// treeOperations.ts, copies between hosts in crossHostCopy.ts.
import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { Logger } from '../common/log';
import { SshConnection } from '../ssh/connection';
import { Attributes, FileVersion, isLossyName, SftpError, SftpSession } from '../ssh/sftp';
import { withCancellableProgress, withCancellableProgressWhenSlow } from './cancellableProgress';
import { copyAcrossHosts, EntryOperations, moveAcrossHosts } from './crossHostCopy';
import { FileChangeBatcher } from './fileChangeBatcher';
import { toFileSystemError } from './fsErrors';
import { fileType, linkTarget, refuseLossy } from './remoteEntries';
import { normalizeRemotePath, remoteDirname } from './remotePath';
import { canWrite, RemoteSessions } from './remoteSessions';
import { RemoteWatching } from './remoteWatching';
import { copyWithinHost, listDirectory, removeEntry, TreeLimits } from './treeOperations';

/** Files larger than this open with a cancellable progress notification. */
const LARGE_FILE_BYTES = 50 * 1024 * 1024;
/** A recursive delete still running after this long shows its progress, with Cancel. */
const SLOW_DELETE_MS = 1000;
/** Removed entries between two progress messages. */
const PROGRESS_EVERY = 100;

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

export class SbxFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changes = this.disposables.add(new FileChangeBatcher());
  readonly onDidChangeFile = this.changes.event;
  /** What the editor last read or wrote per file, to catch remote edits made in between. */
  private readonly versions = new Map<string, FileVersion>();
  /** What stat() last saw of a file the editor has read since: what VS Code's own save check saw (see `expectedOnSave`). */
  private readonly seen = new Map<string, FileVersion>();
  /** This provider's own operations, for copies and moves between hosts. */
  private readonly entries: EntryOperations = {
    stat: (uri) => this.stat(uri),
    readDirectory: (uri) => this.readDirectory(uri),
    createDirectory: (uri) => this.createDirectory(uri),
    readFile: (uri) => this.readFile(uri),
    writeFile: (uri, content, options) => this.write(uri, content, options, options.mode),
    delete: (uri, options) => this.delete(uri, options),
    readLink: (uri) => this.run(uri, (s, path) => s.readlink(path)),
    createLink: (uri, target) =>
      this.run(uri, async (s, path) => {
        refuseLossy(uri, path);
        await s.symlink(target, path);
        this.fire([{ type: vscode.FileChangeType.Created, uri }]);
      }),
    metadata: (uri) =>
      this.read(uri, async (s, path) => {
        const attrs = await s.stat(path);
        return { mode: attrs.mode & 0o7777, atime: attrs.atime, mtime: attrs.mtime };
      }),
    setMetadata: (uri, meta) =>
      this.run(uri, async (s, path) => {
        await this.ownChange([uri], () => s.setstat(path, { ...(meta.mode === undefined ? {} : { mode: meta.mode }), atime: meta.atime, mtime: meta.mtime }));
        // What the editor last read or wrote now has these times: a later save must not take it for someone else's change.
        const known = this.versions.get(uri.toString());
        if (known) this.remember(uri, { mtime: meta.mtime, size: known.size });
      }),
  };

  constructor(
    private readonly sessions: RemoteSessions,
    private readonly watching: RemoteWatching,
    private readonly saveFallback: SaveFallback,
    private readonly options: FileSystemOptions,
    private readonly log: Logger,
    private readonly trouble?: ConnectionTrouble,
  ) {
    this.disposables.add(watching.onDidChangeFile((events) => this.fire(events)));
  }

  /** Tells the editor about changes (batched, so a burst becomes one event). */
  fire(events: readonly vscode.FileChangeEvent[]): void {
    this.changes.fire(events);
  }

  watch(uri: vscode.Uri, options: { readonly recursive: boolean; readonly excludes: readonly string[] }): vscode.Disposable {
    return this.watching.watch(uri, options);
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
      const writable = isLossyName(path) ? false : canWrite(attrs, await this.sessions.identity(connection));
      const key = uri.toString();
      if (attrs.isFile() && this.versions.has(key)) this.seen.set(key, { mtime: attrs.mtime, size: attrs.size });
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
    return this.read(uri, (s, path) => listDirectory(s, path, uri, this.treeLimits()));
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
      this.remember(uri, { mtime: attrs.mtime, size: attrs.size });
      return data;
    });
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    return this.write(uri, content, options);
  }

  /** writeFile; `mode` (copies between hosts) sets the permission bits, else an existing file keeps its own. */
  private write(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }, mode?: number): Promise<void> {
    // Taken now, before any await: a stat answered meanwhile (an Explorer refresh after a remote
    // change) must not turn a change that landed after the editor's own check into the expected one.
    const expectedIfExisting = this.expectedOnSave(uri.toString());
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
      const expected = existing ? expectedIfExisting : undefined;
      const written = await this.ownChange([uri], async (): Promise<Attributes> => {
        try {
          return await s.writeFileAtomic(path, content, { expected, mode });
        } catch (err) {
          if (!(SftpError.is(err) && err.reason === 'unsafe-save')) throw err;
          if (!(await this.saveFallback.allowInPlace(uri, err.message))) throw err;
          this.log.warn(`saving ${uri.toString(true)} in place: ${err.message}`);
          return s.writeFileInPlace(path, content, { expected, mode });
        }
      });
      this.remember(uri, { mtime: written.mtime, size: written.size });
      this.fire([{ type: existing ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
    });
  }

  delete(uri: vscode.Uri, options: { readonly recursive: boolean }): Promise<void> {
    return this.run(uri, async (s, path) => {
      const attrs = await s.lstat(path);
      const remove = (signal?: AbortSignal, report?: (message: string) => void) =>
        removeEntry(s, path, attrs, options.recursive, this.treeLimits(), { signal, onRemoved: (n) => n % PROGRESS_EVERY === 0 && report?.(`${n.toLocaleString()} items removed`) });
      const tree = attrs.isDirectory() && options.recursive;
      await this.ownChange([uri], () => (tree ? withCancellableProgressWhenSlow(`Deleting ${uri.path}`, SLOW_DELETE_MS, remove) : remove()));
      this.forget(uri);
      this.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
    });
  }

  rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { readonly overwrite: boolean }): Promise<void> {
    if (oldUri.authority !== newUri.authority) return moveAcrossHosts(this.entries, oldUri, newUri, options.overwrite);
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
      this.forget(oldUri);
      this.fire([
        { type: vscode.FileChangeType.Deleted, uri: oldUri },
        { type: vscode.FileChangeType.Created, uri: newUri },
      ]);
    });
  }

  copy(source: vscode.Uri, destination: vscode.Uri, options: { readonly overwrite: boolean }): Promise<void> {
    if (source.authority !== destination.authority) return copyAcrossHosts(this.entries, source, destination, options.overwrite);
    return this.run(source, async (s, from, connection) => {
      const to = normalizeRemotePath(destination.path);
      refuseLossy(destination, to);
      const attrs = await s.stat(from);
      const existing = await s.tryLstat(to);
      if (existing && !options.overwrite) throw vscode.FileSystemError.FileExists(destination);
      if (!(await s.tryLstat(remoteDirname(to)))) throw vscode.FileSystemError.FileNotFound(destination.with({ path: remoteDirname(to) }));
      const means = { useCp: this.options.copyWithExec(), limits: this.treeLimits(), log: this.log };
      await this.ownChange([destination], () => copyWithinHost(s, connection, { source, destination, from, to, attrs, existing, overwrite: options.overwrite }, means));
      this.fire([{ type: vscode.FileChangeType.Created, uri: destination }]);
    });
  }

  /**
   * What a save of the file `key` must find on the remote. By default what the editor last read:
   * someone else's change since then is refused, and the remote content kept.
   *
   * VS Code checks too: before writing it stats the file, and refuses a save when that stat shows
   * a newer mtime AND another size than it read ("the content of the file is newer", with Compare
   * and Overwrite). When our last stat saw such a change, VS Code has either refused the save
   * itself or the user chose Overwrite (or turned the check off, `files.saveConflictResolution`),
   * so the save goes against what that stat saw: a change landing after it is still a conflict.
   * A change VS Code cannot see (same size, or an mtime that did not move) is still checked
   * against what was read, since no dialog told the user about it.
   */
  private expectedOnSave(key: string): FileVersion | undefined {
    const read = this.versions.get(key);
    const seen = this.seen.get(key);
    if (read && seen && seen.mtime > read.mtime && seen.size !== read.size) return seen;
    return read;
  }

  private remember(uri: vscode.Uri, version: FileVersion): void {
    this.versions.set(uri.toString(), version);
    this.seen.delete(uri.toString());
  }

  private forget(uri: vscode.Uri): void {
    this.versions.delete(uri.toString());
    this.seen.delete(uri.toString());
  }

  private treeLimits(): TreeLimits {
    return { maxListingEntries: this.options.maxListingEntries() };
  }

  dispose(): void {
    this.disposables.dispose();
  }

  /** Runs our own change to `uris`, telling the watcher when it starts and when it is over. */
  private async ownChange<T>(uris: vscode.Uri[], work: () => Promise<T>): Promise<T> {
    const settled = uris.map((uri) => this.watching.noteOwnChange(uri));
    try {
      return await work();
    } finally {
      settled.forEach((settle) => settle());
    }
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
