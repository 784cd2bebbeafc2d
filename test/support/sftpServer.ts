// An in-process SFTP server (ssh2's server side) over this machine's files, for peers that
// must misbehave in ways OpenSSH never does: READDIR attributes that follow links (Apache
// MINA SSHD's default), files that never end, listings that never end, refused removes.
// Remote paths are local paths, confined to `root`.
import * as fs from 'fs';
import * as path from 'path';
import { Client, SFTPWrapper, utils } from 'ssh2';
import { ChannelOptions, SftpSession } from '../../src/ssh/sftp';
import { FakeServer, startFakeServer } from './ssh2Server';

const { STATUS_CODE, flagsToString } = utils.sftp;
/** OpenSSH's sftp-server sends up to 100 names per READDIR; so do we. */
const BATCH = 100;

export interface SftpServerHooks {
  /** READDIR reports stat() of each entry (a link's target), as Apache MINA SSHD does; OpenSSH reports lstat(). */
  readdirFollowsLinks?: boolean;
  /** READ on this path answers data at every offset: the file never ends, whatever STAT said. */
  endlessFile?(path: string): boolean;
  /** READDIR on this path never answers EOF: made-up names, batch after batch. */
  endlessListing?(path: string): boolean;
  /**
   * READDIR on this path answers these names (as regular files) instead of the real ones: the
   * `call`th READDIR on the handle, from 0; undefined answers EOF. Empty batches, `.`/`..` only,
   * huge names: whatever a hostile server sends.
   */
  scriptedListing?(path: string): ((call: number) => { filename: string; longname?: string }[] | undefined) | undefined;
  /** STAT, LSTAT and FSTAT of this path claim this size (the data stays what the file holds). */
  claimedSize?(path: string): number | undefined;
  /** REMOVE of this path answers PERMISSION_DENIED. */
  refuseRemove?(path: string): boolean;
  /** Answer each READ this much later (a slow disk; answers still come in order of arrival). */
  readDelayMs?: number;
  /** Sees each request (its SFTP name and path) before it is answered. */
  onRequest?(op: string, path: string): void;
}

export interface SftpServerClient {
  readonly client: Client;
  readonly sftp: SFTPWrapper;
  readonly session: SftpSession;
  close(): Promise<void>;
}

export interface SftpServer {
  readonly fake: FakeServer;
  /** Handles (files and folders) open right now. */
  openHandles(): number;
  /** The most handles that were open at once. */
  maxOpenHandles(): number;
  connect(options?: ChannelOptions): Promise<SftpServerClient>;
  stop(): Promise<void>;
}

type Handle = { kind: 'file'; path: string; fd: number } | { kind: 'dir'; path: string; names: string[]; next: number; made: number; calls: number };

function fileAttrs(st: fs.Stats) {
  return { mode: st.mode, uid: st.uid, gid: st.gid, size: st.size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
}

function statusFor(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return STATUS_CODE.NO_SUCH_FILE;
  if (code === 'EACCES' || code === 'EPERM') return STATUS_CODE.PERMISSION_DENIED;
  return STATUS_CODE.FAILURE;
}

export async function startSftpServer(root: string, hooks: SftpServerHooks = {}): Promise<SftpServer> {
  let open = 0;
  let maxOpen = 0;
  const fake = await startFakeServer({
    authenticate: (ctx) => ctx.accept(),
    sftp: (sftp) => serve(sftp),
  });

  const attrsOf = (st: fs.Stats, local?: string) => {
    const attrs = fileAttrs(st);
    const claimed = local === undefined ? undefined : hooks.claimedSize?.(local);
    return claimed === undefined ? attrs : { ...attrs, size: claimed };
  };

  function serve(sftp: SFTPWrapper): void {
    const handles = new Map<number, Handle>();
    let nextId = 1;
    const newHandle = (h: Handle): Buffer => {
      const id = nextId++;
      handles.set(id, h);
      open++;
      maxOpen = Math.max(maxOpen, open);
      const raw = Buffer.alloc(4);
      raw.writeUInt32BE(id);
      return raw;
    };
    const handleOf = (raw: Buffer) => (raw.length === 4 ? handles.get(raw.readUInt32BE()) : undefined);
    const inside = (p: string) => {
      const resolved = path.resolve('/', p);
      return resolved === root || resolved.startsWith(root + path.sep) ? resolved : undefined;
    };
    /** Runs `work` on a confined path, answering errors as SFTP statuses. */
    const on = (op: string, reqid: number, p: string, work: (local: string) => void) => {
      hooks.onRequest?.(op, p);
      const local = inside(p);
      if (!local) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'outside the test root');
      try {
        work(local);
      } catch (err) {
        sftp.status(reqid, statusFor(err), (err as Error).message);
      }
    };
    const ok = (reqid: number) => sftp.status(reqid, STATUS_CODE.OK);

    sftp.on('REALPATH', (reqid, p) => on('REALPATH', reqid, p, (local) => sftp.name(reqid, [{ filename: local, longname: '', attrs: {} as never }])));
    sftp.on('STAT', (reqid, p) => on('STAT', reqid, p, (local) => sftp.attrs(reqid, attrsOf(fs.statSync(local), local))));
    sftp.on('LSTAT', (reqid, p) => on('LSTAT', reqid, p, (local) => sftp.attrs(reqid, attrsOf(fs.lstatSync(local), local))));
    sftp.on('READLINK', (reqid, p) => on('READLINK', reqid, p, (local) => sftp.name(reqid, [{ filename: fs.readlinkSync(local), longname: '', attrs: {} as never }])));
    sftp.on('SYMLINK', (reqid, linkPath, target) => on('SYMLINK', reqid, linkPath, (local) => (fs.symlinkSync(target, local), ok(reqid))));
    sftp.on('REMOVE', (reqid, p) =>
      on('REMOVE', reqid, p, (local) => {
        if (hooks.refuseRemove?.(local)) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, 'refused by the test');
        fs.unlinkSync(local);
        ok(reqid);
      }),
    );
    sftp.on('RMDIR', (reqid, p) => on('RMDIR', reqid, p, (local) => (fs.rmdirSync(local), ok(reqid))));
    sftp.on('MKDIR', (reqid, p, attrs) => on('MKDIR', reqid, p, (local) => (fs.mkdirSync(local, { mode: attrs.mode ?? 0o777 }), ok(reqid))));
    sftp.on('SETSTAT', (reqid, p, attrs) =>
      on('SETSTAT', reqid, p, (local) => {
        if (attrs.mode !== undefined) fs.chmodSync(local, attrs.mode);
        if (attrs.mtime !== undefined) fs.utimesSync(local, attrs.atime ?? attrs.mtime, attrs.mtime);
        ok(reqid);
      }),
    );
    sftp.on('RENAME', (reqid, from, to) =>
      on('RENAME', reqid, from, (local) => {
        const target = inside(to);
        // SFTP v3: RENAME refuses an existing target.
        if (!target || fs.existsSync(target)) return sftp.status(reqid, STATUS_CODE.FAILURE, 'target exists');
        fs.renameSync(local, target);
        ok(reqid);
      }),
    );
    sftp.on('OPEN', (reqid, p, flags, attrs) =>
      on('OPEN', reqid, p, (local) => {
        const fd = fs.openSync(local, flagsToString(flags) ?? 'r', attrs.mode ?? 0o666);
        sftp.handle(reqid, newHandle({ kind: 'file', path: local, fd }));
      }),
    );
    sftp.on('OPENDIR', (reqid, p) =>
      on('OPENDIR', reqid, p, (local) => {
        if (!fs.statSync(local).isDirectory()) return sftp.status(reqid, STATUS_CODE.FAILURE, 'not a directory');
        sftp.handle(reqid, newHandle({ kind: 'dir', path: local, names: fs.readdirSync(local).sort(), next: 0, made: 0, calls: 0 }));
      }),
    );
    sftp.on('READ', (reqid, raw, offset, len) => {
      const h = handleOf(raw);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      hooks.onRequest?.('READ', h.path);
      const answer = () => {
        if (hooks.endlessFile?.(h.path)) return sftp.data(reqid, Buffer.alloc(len, 0x61));
        const buf = Buffer.alloc(len);
        let n: number;
        try {
          n = fs.readSync(h.fd, buf, 0, len, offset); // the handle may have closed meanwhile
        } catch (err) {
          return sftp.status(reqid, statusFor(err));
        }
        if (n === 0) sftp.status(reqid, STATUS_CODE.EOF);
        else sftp.data(reqid, buf.subarray(0, n));
      };
      if (hooks.readDelayMs) setTimeout(answer, hooks.readDelayMs);
      else answer();
    });
    sftp.on('WRITE', (reqid, raw, offset, data) => {
      const h = handleOf(raw);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      hooks.onRequest?.('WRITE', h.path);
      fs.writeSync(h.fd, data, 0, data.length, offset);
      ok(reqid);
    });
    sftp.on('FSTAT', (reqid, raw) => {
      const h = handleOf(raw);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      sftp.attrs(reqid, attrsOf(fs.fstatSync(h.fd), h.path));
    });
    sftp.on('FSETSTAT', (reqid, raw, attrs) => {
      const h = handleOf(raw);
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      if (attrs.mode !== undefined) fs.fchmodSync(h.fd, attrs.mode);
      ok(reqid);
    });
    sftp.on('READDIR', (reqid, raw) => {
      const h = handleOf(raw);
      if (h?.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      hooks.onRequest?.('READDIR', h.path);
      if (hooks.endlessListing?.(h.path)) {
        const now = Math.floor(Date.now() / 1000);
        const names = Array.from({ length: BATCH }, () => ({ filename: `made-up-${h.made++}`, longname: '', attrs: { mode: 0o100644, uid: 0, gid: 0, size: 0, atime: now, mtime: now } }));
        return sftp.name(reqid, names);
      }
      const script = hooks.scriptedListing?.(h.path);
      if (script) {
        const names = script(h.calls++);
        if (!names) return sftp.status(reqid, STATUS_CODE.EOF);
        const now = Math.floor(Date.now() / 1000);
        return sftp.name(reqid, names.map((n) => ({ filename: n.filename, longname: n.longname ?? '', attrs: { mode: 0o100644, uid: 0, gid: 0, size: 0, atime: now, mtime: now } })));
      }
      if (h.next >= h.names.length) return sftp.status(reqid, STATUS_CODE.EOF);
      const batch = h.names.slice(h.next, h.next + BATCH);
      h.next += batch.length;
      sftp.name(
        reqid,
        batch.map((name) => {
          const full = path.join(h.path, name);
          const link = fs.lstatSync(full);
          // MINA-like: a link's target attributes; a dangling link stays a link.
          const st = hooks.readdirFollowsLinks && link.isSymbolicLink() ? (fs.statSync(full, { throwIfNoEntry: false }) ?? link) : link;
          return { filename: name, longname: '', attrs: attrsOf(st) };
        }),
      );
    });
    sftp.on('CLOSE', (reqid, raw) => {
      const h = handleOf(raw);
      if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
      handles.delete(raw.readUInt32BE());
      open--;
      if (h.kind === 'file') fs.closeSync(h.fd);
      ok(reqid);
    });
    sftp.on('close', () => {
      for (const h of handles.values()) if (h.kind === 'file') fs.closeSync(h.fd);
      open -= handles.size;
      handles.clear();
    });
  }

  const clients = new Set<SftpServerClient>();
  return {
    fake,
    openHandles: () => open,
    maxOpenHandles: () => maxOpen,
    async connect(options) {
      const client = new Client();
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve());
        client.once('error', reject);
        client.connect({ host: '127.0.0.1', port: fake.port, username: fake.user, hostVerifier: () => true, readyTimeout: 15000 });
      });
      client.on('error', () => undefined);
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))));
      const session = new SftpSession(sftp, options);
      const connected: SftpServerClient = {
        client,
        sftp,
        session,
        close: async () => {
          clients.delete(connected);
          session.dispose();
          const closed = new Promise<void>((r) => client.once('close', () => r()));
          client.end();
          await closed;
        },
      };
      clients.add(connected);
      return connected;
    },
    async stop() {
      await Promise.all([...clients].map((c) => c.close()));
      await fake.stop();
    },
  };
}
