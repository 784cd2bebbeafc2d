// Narrowing a long Hosts view: a typed text matched against each host's name, address, user
// and group (case-insensitive, every word must match somewhere). Plain logic, no vscode.
import { HostEntry } from '../common/hostEntry';

export function hostMatches(host: HostEntry, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [host.name, host.hostname, host.user, host.group, host.port === undefined ? undefined : String(host.port)]
    .filter((v): v is string => v !== undefined)
    .join(' ')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export interface HostGroups {
  /** Groups by name, sorted; each keeps its hosts in the order they were listed. */
  readonly groups: Array<{ readonly name: string; readonly hosts: HostEntry[] }>;
  /** Hosts without a group, in listed order. */
  readonly ungrouped: HostEntry[];
}

/** The Hosts view's top level: hosts passing `filter`, grouped by `group`. Linear in the number of hosts. */
export function groupHosts(hosts: readonly HostEntry[], filter = ''): HostGroups {
  const byGroup = new Map<string, HostEntry[]>();
  const ungrouped: HostEntry[] = [];
  for (const h of hosts) {
    if (!hostMatches(h, filter)) continue;
    if (h.group) {
      const list = byGroup.get(h.group);
      if (list) list.push(h);
      else byGroup.set(h.group, [h]);
    } else ungrouped.push(h);
  }
  const groups = [...byGroup].sort(([a], [b]) => a.localeCompare(b)).map(([name, members]) => ({ name, hosts: members }));
  return { groups, ungrouped };
}
