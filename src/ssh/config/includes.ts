// Where config text comes from: reading files (with ssh's ownership check) and expanding
// `Include` arguments with glob(3) semantics as OpenSSH does (readconf.c oInclude).
import * as fs from 'fs';
import * as path from 'path';
import { LOCAL_FILE_LIMITS, readRegularFileSync } from '../../common/localFile';
import { passwdHome } from './tokens';

/** File access used by the resolver; tests can pass an in-memory one. */
export interface ConfigFs {
  /** File text; undefined when the file does not exist. Directories read as empty. */
  readFile(file: string): string | undefined;
  /** Entry names of a directory; undefined when it cannot be listed. */
  readDir(dir: string): string[] | undefined;
  exists(file: string): boolean;
  /** Owner and mode, for the permission check; undefined to skip it. */
  stat?(file: string): { uid: number; mode: number } | undefined;
}

export const nodeConfigFs: ConfigFs = {
  readFile(file) {
    try {
      return readRegularFileSync(file, LOCAL_FILE_LIMITS.config).toString('utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'EISDIR') return '';
      throw err;
    }
  },
  readDir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return undefined;
    }
  },
  exists: (file) => fs.existsSync(file),
  stat(file) {
    try {
      const st = fs.statSync(file);
      return { uid: st.uid, mode: st.mode };
    } catch {
      return undefined;
    }
  },
};

/**
 * ssh refuses a user config or an included file that another user owns or that is group- or
 * world-writable (anyone who can write it can make ssh run commands). Returns the problem.
 */
export function permissionProblem(file: string, cfs: ConfigFs): string | undefined {
  const uid = process.getuid?.();
  const st = cfs.stat?.(file);
  if (uid === undefined || !st) return undefined;
  if ((st.uid !== 0 && st.uid !== uid) || (st.mode & 0o022) !== 0) return `Bad owner or permissions on ${file}`;
  return undefined;
}

/** One glob(3) path segment as a regular expression: `*`, `?`, `[...]`, `\` escapes. */
function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < segment.length) re += escapeRe(segment[++i]);
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = segment.slice(i + 1, close);
        const negated = body.startsWith('!');
        if (negated) body = body.slice(1);
        re += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = close;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** Expands an absolute glob pattern to the existing paths it names, sorted bytewise. */
function globPaths(pattern: string, cfs: ConfigFs): string[] {
  const segments = pattern.split('/');
  let current = [segments[0]];
  for (const segment of segments.slice(1)) {
    const next: string[] = [];
    for (const base of current) {
      if (segment === '' || !hasMagic(segment)) {
        next.push(`${base}/${segment.replace(/\\(.)/g, '$1')}`);
        continue;
      }
      const re = segmentRegExp(segment);
      // '' is the root of `/x`, `C:` the root of `C:/x`.
      for (const name of cfs.readDir(base === '' || base.endsWith(':') ? `${base}/` : base) ?? []) {
        // A leading dot must be matched explicitly, as in the shell.
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name)) next.push(`${base}/${name}`);
      }
    }
    current = next;
  }
  return current.filter((p) => cfs.exists(p)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface IncludeContext {
  /** Included from a user config (relative paths under ~/.ssh) or the system one (under systemDir, no `~`). */
  readonly userConfig: boolean;
  /** What glob(3) expands `~` to in Include: $HOME when set, else the home directory. */
  readonly globHome: string;
  readonly systemDir: string;
  /** For `~user/...` (glob(3) looks the user up in the password database). */
  readonly homeDir: string;
  readonly localUser: string;
  readonly fs: ConfigFs;
}

/** The files one Include argument names, in the order ssh reads them. Throws on a `~` in system config. */
export function includeTargets(arg: string, ctx: IncludeContext): string[] {
  if (arg.startsWith('~') && !ctx.userConfig) throw new Error(`bad include path ${arg}`);
  // Windows paths may use either separator; glob patterns here use `/` (so no `\` escapes there).
  let pattern = process.platform === 'win32' ? arg.replace(/\\/g, '/') : arg;
  if (!path.isAbsolute(pattern) && !pattern.startsWith('~')) pattern = ctx.userConfig ? `~/.ssh/${pattern}` : `${ctx.systemDir}/${pattern}`;
  if (pattern === '~' || pattern.startsWith('~/')) pattern = ctx.globHome + pattern.slice(1);
  else if (pattern.startsWith('~')) {
    const slash = pattern.indexOf('/');
    const user = pattern.slice(1, slash < 0 ? undefined : slash);
    const home = user === ctx.localUser ? ctx.homeDir : passwdHome(user);
    // An unknown user leaves the pattern as it is, which then names no file.
    if (home === undefined) return [];
    pattern = home + (slash < 0 ? '' : pattern.slice(slash));
  }
  return globPaths(pattern, ctx.fs);
}
