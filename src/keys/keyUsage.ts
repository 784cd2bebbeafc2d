// Which key each host last logged in with, kept across sessions so the Keys view can say
// "last used on box". Only host names and public fingerprints are stored: nothing secret.
import { Emitter } from '../common/event';

/** The part of vscode.Memento this needs (globalState), so the store runs in plain Node. */
export interface UsageStorage {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

interface Use {
  readonly host: string;
  readonly fingerprint: string;
  readonly at: number;
}

const STORAGE_KEY = 'sandboxExplorer.keyUsage';
/** One entry per host; the oldest go first past this many. */
const MAX_HOSTS = 300;

export class KeyUsage {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  private uses: Use[];

  constructor(
    private readonly storage: UsageStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.uses = validUses(storage.get<unknown>(STORAGE_KEY));
  }

  /** `host` just logged in with the key of this fingerprint. */
  record(host: string, fingerprint: string): void {
    const current = this.uses.find((u) => u.host === host);
    if (current?.fingerprint === fingerprint && this.uses[0] === current) return;
    this.uses = [{ host, fingerprint, at: this.now() }, ...this.uses.filter((u) => u.host !== host)].slice(0, MAX_HOSTS);
    void this.storage.update(STORAGE_KEY, this.uses);
    this.changed.fire();
  }

  /** The hosts whose last login used this key, most recent first. */
  hostsFor(fingerprint: string): string[] {
    return this.uses.filter((u) => u.fingerprint === fingerprint).map((u) => u.host);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** What storage held, keeping only well-formed entries (it is ours, but may be from an older version). */
function validUses(value: unknown): Use[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((u): u is Use => !!u && typeof u.host === 'string' && typeof u.fingerprint === 'string' && typeof u.at === 'number')
    .slice(0, MAX_HOSTS);
}
