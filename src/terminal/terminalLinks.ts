// File references in terminal output (`src/app.ts:12:5`, `/etc/hosts`, `./a.py:3`,
// `lib/x.ts(4,2)`), found in one line of text. Plain logic: the editor side resolves them
// against the terminal's current folder on the sandbox.
export interface FileLink {
  readonly startIndex: number;
  readonly length: number;
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

// A path with at least one `/` or a file extension, then optional :line[:col] or (line,col).
const LINK = /(?<![\w./~@+-])((?:~|\.{1,2})?\/?(?:[\w@.+-]+\/)*[\w@+-][\w@.+-]*\.[A-Za-z0-9]{1,10}|(?:~|\.{1,2})?\/(?:[\w@.+-]+\/)*[\w@.+-]+)(?::(\d{1,7})(?::(\d{1,5}))?|\((\d{1,7})(?:,\s?(\d{1,5}))?\))?/g;

/** At most this many links per line (a hostile program can print anything). */
const MAX_LINKS = 32;

export function findFileLinks(text: string): FileLink[] {
  const links: FileLink[] = [];
  if (text.length > 4096) text = text.slice(0, 4096);
  for (const m of text.matchAll(LINK)) {
    const path = m[1];
    // A bare number-ish word (`1.5`) or a URL's tail is not a file.
    if (/^\d+(\.\d+)*$/.test(path)) continue;
    if (m.index! >= 3 && text.slice(m.index! - 3, m.index!) === '://') continue;
    const line = m[2] ?? m[4];
    const column = m[3] ?? m[5];
    links.push({ startIndex: m.index!, length: m[0].length, path, line: line ? Number(line) : undefined, column: column ? Number(column) : undefined });
    if (links.length >= MAX_LINKS) break;
  }
  return links;
}

/** `path` as an absolute remote path: relative ones against `cwd`, `~` against `home`; undefined when neither is known. */
export function resolveRemotePath(path: string, cwd: string | undefined, home: string | undefined): string | undefined {
  let absolute: string;
  if (path.startsWith('/')) absolute = path;
  else if (path === '~' || path.startsWith('~/')) {
    if (!home) return undefined;
    absolute = `${home}/${path.slice(2)}`;
  } else {
    if (!cwd) return undefined;
    absolute = `${cwd}/${path}`;
  }
  const parts: string[] = [];
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
