// Our tmux sessions' names. tmux matches a bare `-t name` by prefix (and then by pattern), so
// "sbx-1" would find "sbx-10": every target we build is `=name` (exact). Names carry a random
// id, never a counter, and only characters tmux keeps as they are (it rewrites `.` and `:`).
import { randomBytes } from 'crypto';

export const SESSION_PREFIX = 'sbx-';
const NAME = /^sbx-[a-z0-9]{1,32}(-[a-z0-9]{1,32})?$/;

export function newSessionName(label = ''): string {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 16);
  const id = randomBytes(6).toString('hex');
  return slug ? `${SESSION_PREFIX}${slug}-${id}` : `${SESSION_PREFIX}${id}`;
}

export function isSessionName(name: string): boolean {
  return NAME.test(name);
}

/** The exact-match target for a session (`-t =name`); throws on a name we would not have made. */
export function exactTarget(name: string): string {
  if (!isSessionName(name)) throw new RangeError(`not a sandbox terminal session name: ${JSON.stringify(name)}`);
  return `=${name}`;
}

/**
 * The exact target for set-option/show-options: tmux 3.x parses their -t as a pane, where a
 * bare `=name` is "no such session"; `=name:` is that session's current window.
 */
export function exactOptionsTarget(name: string): string {
  return `${exactTarget(name)}:`;
}
