// What the user types into "Forward a Port…": `3000`, `8080:localhost:80`, `db.internal:5432`,
// `R 9000:localhost:9000`, `D 1080`, `[::1]:5432`, `2375:/var/run/docker.sock`. Shorter than
// OpenSSH's -L/-R/-D grammar (readconf.c parse_forward) because the missing parts have safe
// defaults: local listeners bind 127.0.0.1, remote ones the remote's loopback. A local (or
// remote) port 0 asks for any free port, unlike OpenSSH's -L.

export type Endpoint = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

export interface LocalForwardSpec {
  readonly kind: 'local';
  /** Where we listen on this machine; host is '127.0.0.1' unless the user named one. Port 0: pick a free one. */
  readonly listen: Endpoint;
  /** Where the remote side connects (resolved there): a host and port, or a Unix socket. */
  readonly target: Endpoint;
}

export interface RemoteForwardSpec {
  readonly kind: 'remote';
  /** Where the server listens; host 'localhost' (the remote's loopback) unless named. Port 0: the server picks. */
  readonly listen: { readonly kind: 'tcp'; readonly host: string; readonly port: number };
  /** Where we connect on this machine. */
  readonly target: Endpoint;
}

export interface DynamicForwardSpec {
  readonly kind: 'dynamic';
  readonly listen: { readonly kind: 'tcp'; readonly host: string; readonly port: number };
}

export type ForwardSpec = LocalForwardSpec | RemoteForwardSpec | DynamicForwardSpec;

export const DEFAULT_LOCAL_BIND = '127.0.0.1';
export const DEFAULT_REMOTE_BIND = 'localhost';
const MAX_SPEC_LENGTH = 1024;

export class ForwardSpecError extends Error {
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
    this.name = 'ForwardSpecError';
  }
}

/** Parses one forward; throws ForwardSpecError with a message meant for the user. */
export function parseForwardSpec(input: string): ForwardSpec {
  const text = input.trim();
  const fail = (why: string): never => {
    throw new ForwardSpecError(`"${shorten(text)}": ${why}`, input);
  };
  if (text === '') fail('empty; type a port such as 3000, 8080:localhost:80, R 9000:localhost:9000 or D 1080');
  if (text.length > MAX_SPEC_LENGTH) fail(`longer than ${MAX_SPEC_LENGTH} characters`);
  if (/[\x00-\x1f\x7f]/.test(text)) fail('contains control characters');

  const prefix = /^-?([LRD])(?:\s+|(?=\d|\[))/i.exec(text);
  const kind = prefix ? ({ L: 'local', R: 'remote', D: 'dynamic' } as const)[prefix[1].toUpperCase() as 'L' | 'R' | 'D'] : 'local';
  const rest = prefix ? text.slice(prefix[0].length).trim() : text;
  if (rest === '') fail(`nothing after "${prefix![1]}"; e.g. ${kind === 'dynamic' ? 'D 1080' : kind === 'remote' ? 'R 9000:localhost:9000' : '8080:localhost:80'}`);
  if (/\s/.test(rest)) fail('unexpected space; separate the parts with ":" (e.g. 8080:localhost:80)');
  if (!rest.includes('[') && rest.includes('::')) fail('IPv6 addresses go in brackets: [::1]:5432');
  const fields = splitFields(rest, fail);

  if (kind === 'dynamic') {
    if (fields.length > 2 || fields.some((f) => f.isPath)) fail('a dynamic (SOCKS) forward takes a port, or an address and a port: D 1080 or D 127.0.0.1:1080');
    const [host, port] = fields.length === 2 ? [hostField(fields[0], fail), fields[1]] : [DEFAULT_LOCAL_BIND, fields[0]];
    return { kind, listen: { kind: 'tcp', host, port: portField(port, fail, 'local port', true) } };
  }

  if (kind === 'remote') {
    // R PORT | R PORT:HOST:PORT | R ADDR:PORT:HOST:PORT | R PORT:/local/socket | R ADDR:PORT:/local/socket
    const last = fields[fields.length - 1];
    let listenFields: Field[];
    let target: Endpoint;
    if (fields.length === 1) {
      const port = portField(fields[0], fail, 'remote port', false);
      return { kind, listen: { kind: 'tcp', host: DEFAULT_REMOTE_BIND, port }, target: { kind: 'tcp', host: 'localhost', port } };
    } else if (last.isPath) {
      listenFields = fields.slice(0, -1);
      target = { kind: 'unix', path: pathField(last, fail) };
    } else if (fields.length >= 3) {
      listenFields = fields.slice(0, -2);
      target = { kind: 'tcp', host: hostField(fields[fields.length - 2], fail), port: portField(last, fail, 'local port', false) };
    } else {
      return fail('a remote forward reads R REMOTEPORT:LOCALHOST:LOCALPORT (e.g. R 9000:localhost:9000), or R PORT for the same port on both sides');
    }
    if (listenFields.length > 2 || listenFields.some((f) => f.isPath)) fail('a remote forward listens on a port of the server: R [ADDRESS:]PORT:HOST:PORT');
    const listenHost = listenFields.length === 2 ? hostField(listenFields[0], fail) : DEFAULT_REMOTE_BIND;
    // 0: the server picks the port (OpenSSH prints it); allowed for -R only.
    const listenPort = portField(listenFields[listenFields.length - 1], fail, 'remote port', true);
    return { kind, listen: { kind: 'tcp', host: listenHost, port: listenPort }, target };
  }

  // Local. One field: PORT (same port on both sides) or /remote/socket (any free local port).
  // Two: HOST:PORT (same port locally) or PORT:/remote/socket or /local/socket:/remote/socket.
  // Three: PORT:HOST:PORT, ADDR:PORT:/remote/socket. Four: ADDR:PORT:HOST:PORT.
  const last = fields[fields.length - 1];
  if (fields.length === 1) {
    if (last.isPath) return { kind, listen: { kind: 'tcp', host: DEFAULT_LOCAL_BIND, port: 0 }, target: { kind: 'unix', path: pathField(last, fail) } };
    const port = portField(last, fail, 'port', false);
    return { kind, listen: { kind: 'tcp', host: DEFAULT_LOCAL_BIND, port }, target: { kind: 'tcp', host: 'localhost', port } };
  }
  if (last.isPath) {
    const target: Endpoint = { kind: 'unix', path: pathField(last, fail) };
    const listenFields = fields.slice(0, -1);
    if (listenFields.length === 1 && listenFields[0].isPath) return { kind, listen: { kind: 'unix', path: pathField(listenFields[0], fail) }, target };
    if (listenFields.length > 2 || listenFields.some((f) => f.isPath)) fail('a socket forward reads [ADDRESS:]LOCALPORT:/remote/socket');
    const host = listenFields.length === 2 ? hostField(listenFields[0], fail) : DEFAULT_LOCAL_BIND;
    return { kind, listen: { kind: 'tcp', host, port: portField(listenFields[listenFields.length - 1], fail, 'local port', true) }, target };
  }
  if (fields.some((f) => f.isPath)) fail('a Unix socket path may only be the first or the last part');
  if (fields.length === 2) {
    if (/^\d+$/.test(fields[0].text) && !/^\d+$/.test(fields[1].text)) fail(`the remote port is missing: ${fields[0].text}:${fields[1].text}:PORT`);
    const port = portField(fields[1], fail, 'remote port', false);
    return { kind, listen: { kind: 'tcp', host: DEFAULT_LOCAL_BIND, port }, target: { kind: 'tcp', host: hostField(fields[0], fail), port } };
  }
  const target: Endpoint = { kind: 'tcp', host: hostField(fields[fields.length - 2], fail), port: portField(last, fail, 'remote port', false) };
  const host = fields.length === 4 ? hostField(fields[0], fail) : DEFAULT_LOCAL_BIND;
  return { kind, listen: { kind: 'tcp', host, port: portField(fields[fields.length - 3], fail, 'local port', true) }, target };
}

/** The spec in the form parseForwardSpec reads back (for remembered forwards and the view). */
export function formatForwardSpec(spec: ForwardSpec): string {
  const ep = (e: Endpoint) => (e.kind === 'unix' ? e.path : `${bracket(e.host)}:${e.port}`);
  switch (spec.kind) {
    case 'dynamic':
      return `D ${ep(spec.listen)}`;
    case 'remote':
      return `R ${ep(spec.listen)}:${ep(spec.target)}`;
    case 'local':
      return `${ep(spec.listen)}:${ep(spec.target)}`;
  }
}

/** `host:port` with IPv6 literals in brackets, for messages and addresses. */
export function formatEndpoint(e: Endpoint): string {
  return e.kind === 'unix' ? e.path : `${bracket(e.host)}:${e.port}`;
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

interface Field {
  readonly text: string;
  readonly bracketed: boolean;
  readonly isPath: boolean;
}

/** Splits on `:`; `[...]` keeps an IPv6 address whole; a field starting with `/` is a Unix socket path. */
function splitFields(s: string, fail: (why: string) => never): Field[] {
  const fields: Field[] = [];
  let i = 0;
  while (i <= s.length) {
    if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) fail('"[" without a closing "]"');
      fields.push({ text: s.slice(i + 1, end), bracketed: true, isPath: false });
      i = end + 1;
      if (i < s.length && s[i] !== ':') fail('expected ":" after "]"');
      i++;
      continue;
    }
    if (s[i] === '/') {
      // A path runs to the end: only the last part can be a path that contains ':'… except the
      // local socket of /local.sock:/remote.sock, which is split at the last ':/'.
      const rest = s.slice(i);
      const split = rest.lastIndexOf(':/');
      if (split > 0) {
        fields.push({ text: rest.slice(0, split), bracketed: false, isPath: true });
        fields.push({ text: rest.slice(split + 1), bracketed: false, isPath: true });
      } else {
        fields.push({ text: rest, bracketed: false, isPath: true });
      }
      break;
    }
    const end = s.indexOf(':', i);
    const text = end < 0 ? s.slice(i) : s.slice(i, end);
    fields.push({ text, bracketed: false, isPath: false });
    if (end < 0) break;
    i = end + 1;
    if (i === s.length) fail('ends with ":"');
  }
  if (fields.length > 4) fail('too many ":"-separated parts (IPv6 addresses go in brackets: [::1]:5432)');
  return fields;
}

function portField(f: Field, fail: (why: string) => never, what: string, allowZero: boolean): number {
  if (f.isPath) fail(`expected a ${what}, found the path ${f.text}`);
  if (!/^\d{1,5}$/.test(f.text)) fail(f.text === '' ? `the ${what} is missing` : `"${shorten(f.text)}" is not a ${what} (a number from 1 to 65535)`);
  const n = Number(f.text);
  if (n > 65535 || (n === 0 && !allowZero)) fail(`${what} ${f.text} is out of range (1-65535)`);
  return n;
}

function hostField(f: Field, fail: (why: string) => never): string {
  const h = f.text;
  if (h === '') fail('a host name is missing');
  if (f.bracketed) {
    if (!/^[0-9a-fA-F:.]+(%[\w.-]+)?$/.test(h) || !h.includes(':')) fail(`"${shorten(h)}" is not an IPv6 address`);
    return h;
  }
  if (h.includes(':')) fail('IPv6 addresses go in brackets: [::1]:5432');
  if (/^\d+$/.test(h)) fail(`"${h}" looks like a port where a host name was expected`);
  // RFC 1123 names and IPv4 literals; `*` is the one wildcard OpenSSH takes for a bind address.
  if (h !== '*' && !/^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$/.test(h)) fail(`"${shorten(h)}" is not a valid host name`);
  return h;
}

function pathField(f: Field, fail: (why: string) => never): string {
  if (!f.text.startsWith('/') || f.text.length < 2) fail(`"${shorten(f.text)}" is not an absolute socket path`);
  if (f.text.length > 107) fail('a Unix socket path is limited to 107 bytes');
  return f.text;
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
