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

export class WatchExcludes {
  private readonly sources: string[];
  private readonly regex: RegExp | undefined;

  /** `skipped` hears about patterns that are not used (too long, too many, too many `**`). */
  constructor(globs: Iterable<string>, skipped?: (pattern: string, why: string) => void) {
    const sources: string[] = [];
    for (const glob of new Set(globs)) {
      if (sources.length >= MAX_PATTERNS) {
        skipped?.(glob, `more than ${MAX_PATTERNS} patterns`);
        continue;
      }
      const source = globToRegexSource(glob);
      if (typeof source === 'string') sources.push(source);
      else skipped?.(glob, source.why);
    }
    this.sources = sources;
    this.regex = sources.length ? new RegExp(sources.map((s) => `(${s})`).join('|')) : undefined;
  }

  static none(): WatchExcludes {
    return new WatchExcludes([]);
  }

  /** Whether changes at `path` (absolute) are left out. */
  excludes(path: string): boolean {
    return this.regex ? this.regex.test(path) : false;
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
