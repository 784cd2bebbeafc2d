// Which remote paths the watcher leaves out, from glob patterns (`files.watcherExclude`'s form):
// checked here on every reported change, and handed to inotifywait as one `--exclude` regex so
// excluded folders (node_modules, .git/objects) take no inotify watches on the sandbox.

/** What VS Code excludes by default (its `files.watcherExclude` default). */
export const DEFAULT_WATCH_EXCLUDES: readonly string[] = ['**/.git/objects/**', '**/.git/subtree-cache/**', '**/.hg/store/**', '**/node_modules/*/**'];

/** Patterns used at most, and their longest form: bounded work per change and a bounded command line. */
const MAX_PATTERNS = 64;
const MAX_PATTERN_LENGTH = 256;
/** `**` segments per pattern at most: each one can make a regex try every split of the path. */
const MAX_GLOBSTARS = 4;

/**
 * Paths longer than this are not matched here (reported as not excluded): the sandbox prints the
 * paths, and matching cost grows with their length. A real path is at most PATH_MAX (4096).
 */
const MAX_MATCHED_PATH = 4096;

export class WatchExcludes {
  private readonly sources: string[];
  private readonly globs: CompiledGlob[];

  /** `skipped` hears about patterns that are not used (too long, too many, too many `**`). */
  constructor(globs: Iterable<string>, skipped?: (pattern: string, why: string) => void) {
    const sources: string[] = [];
    const compiled: CompiledGlob[] = [];
    for (const glob of new Set(globs)) {
      if (sources.length >= MAX_PATTERNS) {
        skipped?.(glob, `more than ${MAX_PATTERNS} patterns`);
        continue;
      }
      const source = globToRegexSource(glob);
      if (typeof source === 'string') {
        sources.push(source);
        compiled.push(compileGlob(glob));
      } else skipped?.(glob, source.why);
    }
    this.sources = sources;
    this.globs = compiled;
  }

  static none(): WatchExcludes {
    return new WatchExcludes([]);
  }

  /**
   * Whether changes at `path` (absolute, or relative to a watched root with a leading `/`) are
   * left out. Matched name by name without backtracking regexes: the sandbox chooses the paths,
   * and a pattern like `**\/*a*a*a*b` made a regex take seconds on one crafted name.
   */
  excludes(path: string): boolean {
    if (this.globs.length === 0 || path.length > MAX_MATCHED_PATH || !path.startsWith('/')) return false;
    const names = splitNames(path);
    return this.globs.some((glob) => matchSegments(glob, names));
  }

  /** One POSIX extended regex for inotifywait's `--exclude`, or undefined when nothing is excluded. */
  inotifyRegex(): string | undefined {
    return this.sources.length ? this.sources.map((s) => `(${s})`).join('|') : undefined;
  }
}

/**
 * A glob as an anchored regex over absolute paths, in the subset of syntax both JavaScript and
 * POSIX ERE read alike: `**` any folders, `*` and `?` within one name; everything else literal.
 * A pattern that does not start with `/` or `**` matches at any depth (workspace folders are
 * relative; a remote watch has no such base). A trailing `/**` also matches the folder itself,
 * so inotifywait does not descend into it.
 */
function globToRegexSource(glob: string): string | { why: string } {
  if (!glob || glob.length > MAX_PATTERN_LENGTH) return { why: `longer than ${MAX_PATTERN_LENGTH} characters` };
  let segments = glob.split('/').filter((s, i) => s !== '' || i === 0);
  if (segments.filter((s) => s === '**').length > MAX_GLOBSTARS) return { why: `more than ${MAX_GLOBSTARS} "**"` };
  // Consecutive `**` mean the same as one.
  segments = segments.filter((s, i) => !(s === '**' && segments[i - 1] === '**'));
  const absolute = segments[0] === '';
  if (absolute) segments = segments.slice(1);
  else if (segments[0] !== '**') segments = ['**', ...segments];
  // inotifywait names a folder it is about to watch with a trailing `/`.
  let tail = '/?';
  if (segments.length > 1 && segments[segments.length - 1] === '**') {
    segments = segments.slice(0, -1);
    tail = '(/.*)?';
  }
  let out = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') out += last ? '/.*' : '(/[^/]+)*';
    // A name is never empty: a lone `*` must not match the folder's own path with a trailing `/` (as inotifywait checks folders).
    else if (segment === '*') out += '/[^/]+';
    else out += '/' + segment.split('').map(globChar).join('');
  });
  return `^${out}${tail}$`;
}

function globChar(c: string): string {
  if (c === '*') return '[^/]*';
  if (c === '?') return '[^/]';
  return /[.[\]{}()+^$|\\]/.test(c) ? `\\${c}` : c;
}

/** A pattern as the matcher reads it: name patterns and `**`; `tail` when a trailing `/**` also matches the folder itself. */
interface CompiledGlob {
  readonly segments: readonly string[];
  /** The pattern ended in `/**` (after another segment): it matches that folder and everything below. */
  readonly orBelow: boolean;
}

/** The same reading of a glob as globToRegexSource (which the remote inotifywait gets). */
function compileGlob(glob: string): CompiledGlob {
  let segments = glob.split('/').filter((s, i) => s !== '' || i === 0);
  segments = segments.filter((s, i) => !(s === '**' && segments[i - 1] === '**'));
  if (segments[0] === '') segments = segments.slice(1);
  else if (segments[0] !== '**') segments = ['**', ...segments];
  let orBelow = false;
  if (segments.length > 1 && segments[segments.length - 1] === '**') {
    segments = segments.slice(0, -1);
    orBelow = true;
  }
  return { segments, orBelow };
}

/** `/a/b/` → ['a', 'b']; `/` → []. One trailing `/` (inotifywait's folder form) is ignored. */
function splitNames(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '/' ? [] : trimmed.slice(1).split('/');
}

/**
 * Whether `names` match the pattern's segments: dynamic programming over (segment, name), so
 * the work is at most segments × names name matches, never exponential.
 */
function matchSegments(glob: CompiledGlob, names: readonly string[]): boolean {
  const segs = glob.segments;
  const width = names.length + 1;
  // reach[j]: segments so far can consume exactly names[0..j).
  let reach = new Uint8Array(width);
  reach[0] = 1;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const next = new Uint8Array(width);
    if (seg === '**') {
      // Any number of whole names (a last `**` also needs none: `/.*` matched the root's `/`).
      let any = 0;
      for (let j = 0; j < width; j++) {
        any |= reach[j];
        next[j] = any;
      }
    } else {
      for (let j = 0; j < names.length; j++) if (reach[j] && names[j] !== '' && matchName(seg, names[j])) next[j + 1] = 1;
    }
    reach = next;
  }
  if (reach[names.length]) return true;
  // `dir/**` also matches everything below dir.
  if (glob.orBelow) for (let j = 0; j < names.length; j++) if (reach[j]) return true;
  return false;
}

/** A glob name pattern (`*`, `?`, literals) against one name: the two-pointer wildcard match, O(name × pattern) at worst. */
function matchName(pattern: string, name: string): boolean {
  if (pattern === '*') return name.length > 0;
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
