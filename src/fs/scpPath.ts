// "Copy as host:path": remote paths in the form scp and rsync take, ready to paste into a
// shell (plain Node).
import { formatHop } from '../ssh/config/userHostPort';

/** The host part scp understands: an ssh config alias as is, else `[user@]hostname` (IPv6 in brackets). */
export function scpHost(host: { alias?: string; user?: string; hostname?: string }): string {
  if (host.alias) return host.alias;
  return formatHop({ user: host.user || undefined, host: host.hostname ?? '' });
}

/** Quotes a word for a POSIX shell when it holds anything but plainly safe characters. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `host:/abs/path` for each, shell-quoted, separated by spaces (as scp takes several sources). */
export function scpPaths(items: ReadonlyArray<{ host: string; path: string }>): string {
  return items.map((i) => shellQuote(`${i.host}:${i.path}`)).join(' ');
}
