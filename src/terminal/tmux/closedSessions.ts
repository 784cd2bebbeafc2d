// Sessions the user closed are remembered (per host) so a reload or reconnect never brings
// them back, even if killing them on the remote failed (connection already gone). Bounded:
// the oldest names are forgotten first.
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const MAX_REMEMBERED = 200;

export class ClosedSessions {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key = 'sandboxExplorer.terminal.closedSessions',
  ) {}

  /** Hosts with closed sessions that may still need ending there. */
  hosts(): string[] {
    return Object.keys(this.all());
  }

  has(host: string, name: string): boolean {
    return this.all()[host]?.includes(name) ?? false;
  }

  async add(host: string, name: string): Promise<void> {
    const all = this.all();
    const names = (all[host] ?? []).filter((n) => n !== name);
    names.push(name);
    all[host] = names.slice(-MAX_REMEMBERED);
    await this.store.update(this.key, all);
  }

  /** Once the remote no longer has the session, there is nothing left to guard against. */
  async forgetGone(host: string, alive: readonly string[]): Promise<void> {
    const all = this.all();
    if (!all[host]) return;
    const kept = all[host].filter((n) => alive.includes(n));
    if (kept.length) all[host] = kept;
    else delete all[host];
    await this.store.update(this.key, all);
  }

  private all(): Record<string, string[]> {
    const value = this.store.get<Record<string, string[]>>(this.key);
    if (!value || typeof value !== 'object') return {};
    const out: Record<string, string[]> = {};
    for (const [host, names] of Object.entries(value)) if (Array.isArray(names)) out[host] = names.filter((n) => typeof n === 'string');
    return out;
  }
}
