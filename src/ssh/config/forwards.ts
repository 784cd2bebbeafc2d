// LocalForward / RemoteForward / DynamicForward specifications (readconf.c parse_forward,
// parse_fwd_field) and the form `ssh -G` prints them in.

export interface ForwardSpec {
  readonly listenHost?: string;
  /** 0 for a remote forward whose port the server picks. */
  readonly listenPort?: number;
  /** Unix socket to listen on (instead of host/port). */
  readonly listenPath?: string;
  /** 'socks' for a dynamic forward. */
  readonly connectHost?: string;
  readonly connectPort?: number;
  readonly connectPath?: string;
}

interface Field {
  arg: string;
  isPath: boolean;
}

/** Splits `a:b:[c]:d`; `[...]` is taken literally, `\` escapes, a `/` marks a Unix socket path. */
function splitFields(spec: string): Field[] | undefined {
  const fields: Field[] = [];
  let s = spec.replace(/^\s+/, '');
  while (s !== '' && fields.length < 4) {
    if (s.startsWith('[')) {
      const end = s.indexOf(']');
      if (end < 0 || (s[end + 1] !== ':' && s[end + 1] !== undefined)) return undefined;
      const arg = s.slice(1, end);
      fields.push({ arg, isPath: arg.includes('/') });
      s = s.slice(end + 2);
      continue;
    }
    let arg = '';
    let isPath = false;
    let i = 0;
    for (; i < s.length && s[i] !== ':'; i++) {
      if (s[i] === '\\') {
        if (++i >= s.length) return undefined;
      } else if (s[i] === '/') {
        isPath = true;
      }
      arg += s[i];
    }
    fields.push({ arg, isPath });
    s = s.slice(i + 1);
  }
  return s === '' ? fields : undefined;
}

function port(s: string): number {
  if (!/^\d+$/.test(s)) return -1;
  const n = Number(s);
  return n <= 65535 ? n : -1;
}

/**
 * Parses a forward the way the config file hands it over: `listen:target` for Local and
 * Remote forwards (the two words joined with `:`), the listen part alone for dynamic ones.
 */
export function parseForward(spec: string, dynamic: boolean, remote: boolean): ForwardSpec | undefined {
  const f = splitFields(spec);
  if (!f) return undefined;
  let fwd: ForwardSpec;
  switch (f.length) {
    case 1:
      fwd = f[0].isPath ? { listenPath: f[0].arg, connectHost: 'socks' } : { listenPort: port(f[0].arg), connectHost: 'socks' };
      break;
    case 2:
      if (f[0].isPath && f[1].isPath) fwd = { listenPath: f[0].arg, connectPath: f[1].arg };
      else if (f[1].isPath) fwd = { listenPort: port(f[0].arg), connectPath: f[1].arg };
      else fwd = { listenHost: f[0].arg, listenPort: port(f[1].arg), connectHost: 'socks' };
      break;
    case 3:
      if (f[0].isPath) fwd = { listenPath: f[0].arg, connectHost: f[1].arg, connectPort: port(f[2].arg) };
      else if (f[2].isPath) fwd = { listenHost: f[0].arg, listenPort: port(f[1].arg), connectPath: f[2].arg };
      else fwd = { listenPort: port(f[0].arg), connectHost: f[1].arg, connectPort: port(f[2].arg) };
      break;
    case 4:
      fwd = { listenHost: f[0].arg, listenPort: port(f[1].arg), connectHost: f[2].arg, connectPort: port(f[3].arg) };
      break;
    default:
      return undefined;
  }
  if (dynamic) {
    if (f.length > 2) return undefined;
  } else {
    if (f.length < 3 && fwd.connectPath === undefined && fwd.listenPath === undefined) return undefined;
    if ((fwd.connectPort ?? 0) <= 0 && fwd.connectPath === undefined) return undefined;
  }
  if (fwd.listenPath === undefined && (fwd.listenPort ?? -1) < 0) return undefined;
  if (!remote && fwd.listenPath === undefined && fwd.listenPort === 0) return undefined;
  return fwd;
}

export function sameForward(a: ForwardSpec, b: ForwardSpec): boolean {
  return (
    a.listenHost === b.listenHost && a.listenPort === b.listenPort && a.listenPath === b.listenPath &&
    a.connectHost === b.connectHost && a.connectPort === b.connectPort && a.connectPath === b.connectPath
  );
}

export function isDynamic(f: ForwardSpec): boolean {
  return f.connectHost === 'socks';
}

/** readconf.c dump_cfg_forwards(): `8080 [localhost]:80`, `[::1]:1080`, `/tmp/a.sock /tmp/b.sock`. */
export function formatForward(f: ForwardSpec, withTarget: boolean): string {
  const listen = f.listenPath ?? (f.listenHost === undefined ? String(f.listenPort) : `[${f.listenHost}]:${f.listenPort}`);
  if (!withTarget) return listen;
  const target = f.connectPath ?? (f.connectHost === undefined ? String(f.connectPort) : `[${f.connectHost}]:${f.connectPort ?? 0}`);
  return `${listen} ${target}`;
}
