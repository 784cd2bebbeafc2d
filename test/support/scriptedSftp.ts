// A hostile SFTP server's file tree, served on an in-process ssh2 Server (ssh2Server.ts): it
// answers READDIR with whatever names the test lists (`../../.bashrc`, `a/b`, the same name
// twice) and answers every later request on `<dir>/<name>` as if that were a real path, so a
// client that trusts a name gets all the help it could want to go wrong.
import { SFTPWrapper, utils } from 'ssh2';

const { STATUS_CODE } = utils.sftp;

export type FakeNode =
  | { readonly type: 'dir'; readonly entries: ReadonlyArray<readonly [name: string, node: FakeNode]> }
  /** `sizeless`: ATTRS without the size (its flag unset), as SFTP v3 allows. */
  | { readonly type: 'file'; readonly data: Buffer | string; readonly mode?: number; readonly sizeless?: boolean }
  | { readonly type: 'link'; readonly target: string };

function attrsOf(node: FakeNode) {
  const now = Math.floor(Date.now() / 1000);
  const common = { uid: 0, gid: 0, atime: now, mtime: now };
  switch (node.type) {
    case 'dir':
      return { ...common, mode: 0o040755, size: 4096 };
    case 'file':
      return { ...common, mode: 0o100000 | (node.mode ?? 0o644), size: node.sizeless ? (undefined as unknown as number) : Buffer.byteLength(node.data) };
    case 'link':
      return { ...common, mode: 0o120777, size: node.target.length };
  }
}

/**
 * Every path the client may ask for, by plain concatenation (no normalisation: `/box/../../x`
 * is its own key). A name listed twice answers as its first listing.
 */
function index(root: string, node: FakeNode, into = new Map<string, FakeNode>()): Map<string, FakeNode> {
  if (!into.has(root)) into.set(root, node);
  if (node.type === 'dir') for (const [name, child] of node.entries) index(`${root}/${name}`, child, into);
  return into;
}

/** Serves `tree` at `rootPath`; returns the paths the client asked about, in order. */
export function serveTree(sftp: SFTPWrapper, rootPath: string, tree: FakeNode): { requests: string[] } {
  const nodes = index(rootPath, tree);
  const requests: string[] = [];
  const handles = new Map<string, { path: string; node: FakeNode; listed: boolean }>();
  let nextHandle = 0;
  const lookup = (reqid: number, path: string, follow: boolean): FakeNode | undefined => {
    requests.push(path);
    let node = nodes.get(path);
    // Follows links to nodes of this tree (absolute targets only), as a naive server would.
    for (let hops = 0; follow && node?.type === 'link' && hops < 8; hops++) node = nodes.get(node.target);
    if (!node) sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    return node;
  };
  const open = (reqid: number, path: string, node: FakeNode) => {
    const id = String(nextHandle++);
    handles.set(id, { path, node, listed: false });
    sftp.handle(reqid, Buffer.from(id));
  };
  const handleOf = (reqid: number, raw: Buffer) => {
    const h = handles.get(raw.toString());
    if (!h) sftp.status(reqid, STATUS_CODE.FAILURE, 'bad handle');
    return h;
  };

  sftp.on('REALPATH', (reqid, path) => sftp.name(reqid, [{ filename: path === '.' ? rootPath : path, longname: '', attrs: {} as never }]));
  sftp.on('STAT', (reqid, path) => {
    const node = lookup(reqid, path, true);
    if (node) sftp.attrs(reqid, attrsOf(node));
  });
  sftp.on('LSTAT', (reqid, path) => {
    const node = lookup(reqid, path, false);
    if (node) sftp.attrs(reqid, attrsOf(node));
  });
  sftp.on('READLINK', (reqid, path) => {
    const node = lookup(reqid, path, false);
    if (!node) return;
    if (node.type !== 'link') return sftp.status(reqid, STATUS_CODE.FAILURE);
    sftp.name(reqid, [{ filename: node.target, longname: node.target, attrs: {} as never }]);
  });
  sftp.on('OPENDIR', (reqid, path) => {
    const node = lookup(reqid, path, true);
    if (!node) return;
    if (node.type !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE);
    open(reqid, path, node);
  });
  sftp.on('READDIR', (reqid, raw) => {
    const h = handleOf(reqid, raw);
    if (!h || h.node.type !== 'dir') return;
    if (h.listed) return sftp.status(reqid, STATUS_CODE.EOF);
    h.listed = true;
    sftp.name(reqid, h.node.entries.map(([name, node]) => ({ filename: name, longname: name, attrs: attrsOf(node) })));
  });
  sftp.on('OPEN', (reqid, path) => {
    const node = lookup(reqid, path, true);
    if (!node) return;
    if (node.type !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE);
    open(reqid, path, node);
  });
  sftp.on('FSTAT', (reqid, raw) => {
    const h = handleOf(reqid, raw);
    if (h) sftp.attrs(reqid, attrsOf(h.node));
  });
  sftp.on('READ', (reqid, raw, offset, length) => {
    const h = handleOf(reqid, raw);
    if (!h || h.node.type !== 'file') return;
    const data = Buffer.from(h.node.data);
    if (offset >= data.length) return sftp.status(reqid, STATUS_CODE.EOF);
    sftp.data(reqid, data.subarray(offset, offset + length));
  });
  sftp.on('CLOSE', (reqid, raw) => {
    handles.delete(raw.toString());
    sftp.status(reqid, STATUS_CODE.OK);
  });
  return { requests };
}
