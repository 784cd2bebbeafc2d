// A gateway's key listing as the Keys view shows it (plain Node). The listing is untrusted: a
// duplicate id would give two tree items one id (the view breaks), and a huge listing would be
// drawn row by row, so duplicates are dropped and the rows capped.
import { PlatformKeyRow } from '../editor/keysNode';

export const MAX_PLATFORM_KEY_ROWS = 200;

/** The keys to show (first of each id, at most `max`) and how many were left out. */
export function platformKeyList<K extends PlatformKeyRow>(keys: readonly K[], max = MAX_PLATFORM_KEY_ROWS): { shown: K[]; omitted: number } {
  const seen = new Set<string>();
  const unique = keys.filter((k) => !seen.has(k.id) && (seen.add(k.id), true));
  return { shown: unique.slice(0, max), omitted: Math.max(0, unique.length - max) };
}
