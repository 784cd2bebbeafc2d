// Which names from a server may become a local file name, and the check that a local path
// stays inside the folder a transfer writes to. A remote name is one path segment; on this
// machine it must stay one, whatever the platform's path rules make of it.
import * as path from 'path';

export type PathApi = path.PlatformPath;

/** Device names Windows resolves anywhere, with any extension (`nul.txt` is NUL). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
/** Characters no Windows file name may hold (`:` would also open an NTFS alternate stream). */
const WINDOWS_FORBIDDEN = /[<>:"|?*\u0000-\u001f]/;

function isWindows(api: PathApi): boolean {
  return api.sep === '\\';
}

/**
 * Why `name` cannot be a local file name under `api`'s rules, or undefined when it can. The
 * rule is the same everywhere for `/`, `\`, NUL, `.` and `..`: a Linux name holding `\` would
 * be a path on a Windows client and must not mean something else on another client.
 */
export function localNameProblem(name: string, api: PathApi = path): string | undefined {
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (name.includes('\0')) return 'contains NUL';
  if (name.includes('/')) return 'contains "/"';
  if (name.includes('\\')) return 'contains "\\"';
  if (isWindows(api)) {
    if (WINDOWS_FORBIDDEN.test(name)) return 'contains a character Windows does not allow in names';
    // Windows drops trailing dots and spaces, so "a." would land on "a" (and "... " on "..").
    if (/[. ]$/.test(name)) return 'ends with a dot or a space, which Windows drops';
    const stem = name.split('.')[0].replace(/ +$/, '');
    if (WINDOWS_RESERVED.test(stem)) return `"${stem}" is a reserved device name on Windows`;
  }
  return undefined;
}

/** Whether `candidate` is `root` or lies below it (lexically; symlinked folders are checked where they are entered). */
export function isInside(root: string, candidate: string, api: PathApi = path): boolean {
  const rel = api.relative(api.resolve(root), api.resolve(candidate));
  return rel === '' || (!api.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${api.sep}`));
}

export class UnsafeLocalPathError extends Error {
  constructor(
    readonly root: string,
    readonly candidate: string,
  ) {
    super(`${candidate} is outside ${root}`);
    this.name = 'UnsafeLocalPathError';
  }
}

/** `parent/name` for a server-supplied `name`, or the reason it cannot be one; never a path outside `root`. */
export function childPath(root: string, parent: string, name: string, api: PathApi = path): { path: string } | { problem: string } {
  const problem = localNameProblem(name, api);
  if (problem) return { problem };
  const joined = api.join(parent, name);
  // Belt and braces: the name stayed one segment, and the result is still under the root.
  if (api.basename(joined) !== name || !isInside(root, joined, api)) return { problem: 'would land outside the download folder' };
  return { path: joined };
}

/** Longest link target recreated (PATH_MAX); a longer one is not a link any system would resolve. */
const MAX_LINK_TARGET = 4096;

/**
 * Why a server's link target must not be recreated at `link` (a path under `root`), or
 * undefined when it may. Only a relative target that stays inside `root` is allowed: an
 * absolute, drive-letter or UNC target (`\\host\share` makes Windows connect, and send an NTLM
 * hash, when anything stats the link) points out of the download. `..` may only lead the
 * target: after another segment it would climb from wherever an earlier link led, which no
 * lexical check sees. The rule holds for both path flavours so a link means the same on any client.
 */
export function linkTargetProblem(root: string, link: string, target: string, api: PathApi = path): string | undefined {
  if (target === '' || target.includes('\0') || target.length > MAX_LINK_TARGET) return 'unusable target';
  if (target.startsWith('\\\\') || target.startsWith('//')) return 'target is a network (UNC) path';
  if (/^[a-zA-Z]:/.test(target)) return 'target has a drive letter';
  if (target.startsWith('/') || target.startsWith('\\') || api.isAbsolute(target)) return 'target is an absolute path';
  const segments = target.split(/[\\/]+/);
  const firstOther = segments.findIndex((s) => s !== '..');
  if (firstOther >= 0 && segments.slice(firstOther).includes('..')) return 'target climbs ("..") after descending';
  // `\` read as a separator on every client, so a target escaping on Windows is refused on Linux too.
  if (!isInside(root, api.resolve(api.dirname(link), target.replace(/\\/g, '/')), api)) return 'target is outside the download folder';
  return undefined;
}
