// Credentials kept in the editor's secret storage, in plain Node: the editor supplies the
// storage (`SecretBackend`) and the input boxes (`SecretPrompts`). A saved secret is used only
// for the exact target it was typed for (user, host, port, host key), a wrong one is forgotten
// only for that target, and passwords are kept only when the user agrees after a login worked.
import { Logger } from '../common/log';
import { displayDestination } from '../common/userToken';
import { Credentials, KeyboardInteractiveRequest, PassphraseRequest, PasswordRequest, SecretKind, UserTokenRequest } from './credentials';
import { apiTokenKey, INDEX_KEY, indexEntry, IndexEntry, parseIndex, secretKey, secretLabel } from './secretIndex';

/** The subset of the editor's SecretStorage used here. */
export interface SecretBackend {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SecretPrompts {
  /** A masked input box; undefined when cancelled. */
  ask(box: { title: string; prompt: string }): Promise<string | undefined>;
  /** "Remember …?": resolves true to keep it. The login does not wait for the answer. */
  offerToKeep(what: string): Promise<boolean>;
  keyboardInteractive(request: KeyboardInteractiveRequest): Promise<string[] | undefined>;
}

export class SavedCredentials implements Credentials {
  /** Where the last value for each secret came from; values themselves are not kept here. */
  private readonly origin = new Map<string, 'stored' | 'typed'>();
  /** Typed values waiting for the login result, so they can be offered for storage. */
  private readonly typed = new Map<string, string>();
  /** Index updates run one after another (read, change, write). */
  private indexQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly backend: SecretBackend,
    private readonly prompts: SecretPrompts,
    private readonly log: Logger,
  ) {}

  password(request: PasswordRequest): Promise<string | undefined> {
    const who = displayDestination(request.user, request.host, request.port);
    return this.obtain({ kind: 'password', ...target(request) }, request.attempt, {
      title: `Sandbox Explorer: ${who}`,
      prompt: request.attempt > 1 ? `Wrong password. Password for ${who}` : `Password for ${who}`,
    });
  }

  userToken(request: UserTokenRequest): Promise<string | undefined> {
    const who = displayDestination(request.user, request.host, request.port);
    return this.obtain({ kind: 'userToken', ...target(request) }, 1, {
      title: `Sandbox Explorer: ${who}`,
      prompt: `Token for ${who}: the part after "#" in the user name. It is kept in the editor's secret storage.`,
    });
  }

  passphrase(request: PassphraseRequest): Promise<string | undefined> {
    return this.obtain({ kind: 'passphrase', keyPath: request.keyPath }, request.attempt, {
      title: 'Sandbox Explorer: key passphrase',
      prompt: request.attempt > 1 ? `Wrong passphrase. Passphrase for ${request.keyPath}` : `Passphrase for ${request.keyPath}`,
    });
  }

  keyboardInteractive(request: KeyboardInteractiveRequest): Promise<string[] | undefined> {
    return this.prompts.keyboardInteractive(request);
  }

  rejected(secret: SecretKind): void {
    const key = secretKey(secret);
    if (this.origin.get(key) === 'stored') void this.forget([key]);
    this.origin.delete(key);
    this.typed.delete(key);
  }

  accepted(secret: SecretKind): void {
    const key = secretKey(secret);
    const value = this.typed.get(key);
    this.typed.delete(key);
    if (this.origin.get(key) !== 'typed' || value === undefined) return;
    this.origin.delete(key);
    const what = `the ${secretLabel(secret)}`;
    // A host marked `userToken` asked for the token to be kept: no question.
    if (secret.kind === 'userToken') {
      void this.keep(secret, value, what);
      return;
    }
    // Not awaited: the login goes on while the offer is shown.
    void this.prompts.offerToKeep(`Remember ${what} in the editor's secret storage?`).then((yes) => (yes ? this.keep(secret, value, what) : undefined));
  }

  /** Keeps a key's passphrase the user chose to remember when making the key (it has not logged in anywhere yet). */
  rememberPassphrase(keyPath: string, passphrase: string): Promise<void> {
    const secret: SecretKind = { kind: 'passphrase', keyPath };
    return this.keep(secret, passphrase, `the ${secretLabel(secret)}`);
  }

  /** A sandbox gateway's API token for `baseUrl`, if one was entered. */
  apiToken(baseUrl: string): Promise<string | undefined> {
    return this.backend.get(apiTokenKey(baseUrl));
  }

  /** Keeps a gateway's API token (replacing an older one), listed for Forget as `label` (which must not hold the token). */
  async storeApiToken(baseUrl: string, label: string, value: string): Promise<void> {
    const key = apiTokenKey(baseUrl);
    await this.backend.store(key, value);
    await this.updateIndex((all) => [...all.filter((e) => e.key !== key), { key, label }]);
    this.log.info(`kept the ${label} in the editor's secret storage`);
  }

  /** Saved secrets with their Forget-list labels. */
  async stored(): Promise<Array<{ label: string; key: string }>> {
    return (await this.updateIndex()).map(({ key, label }) => ({ key, label }));
  }

  async forget(keys: string[]): Promise<void> {
    for (const key of keys) await this.backend.delete(key);
    await this.updateIndex((all) => all.filter((e) => !keys.includes(e.key)));
  }

  /** Converts an older index once; says how many legacy (port-less) passwords are no longer used. */
  async migrate(): Promise<void> {
    const entries = await this.updateIndex();
    const legacy = entries.filter((e) => e.legacy).length;
    if (legacy > 0) {
      this.log.info(
        `${legacy} password${legacy === 1 ? '' : 's'} saved by an older version without a port ${legacy === 1 ? 'is' : 'are'} no longer used (each could belong to any port of its host). ` +
          'You will be asked again; "Forget Saved Passwords…" lists them as legacy.',
      );
    }
  }

  private async keep(secret: SecretKind, value: string, what: string): Promise<void> {
    const entry = indexEntry(secret);
    await this.backend.store(entry.key, value);
    // The same user, host and port under an older host key: that secret can never be used again.
    const stale: string[] = [];
    await this.updateIndex((all) => {
      for (const e of all) if (entry.endpoint && e.endpoint === entry.endpoint && e.key !== entry.key) stale.push(e.key);
      return [...all.filter((e) => e.key !== entry.key && !stale.includes(e.key)), entry];
    });
    for (const key of stale) await this.backend.delete(key);
    this.log.info(`kept ${what} in the editor's secret storage`);
  }

  /** Reads the index (writing it back once if it was in an older format), applies `change`, writes it. */
  private updateIndex(change?: (entries: IndexEntry[]) => IndexEntry[]): Promise<IndexEntry[]> {
    const run = this.indexQueue.then(async () => {
      const { entries, migrated } = parseIndex(await this.backend.get(INDEX_KEY));
      const next = change ? change(entries) : entries;
      if (change || migrated) await this.backend.store(INDEX_KEY, JSON.stringify(next));
      return next;
    });
    this.indexQueue = run.catch(() => undefined);
    return run;
  }

  private async obtain(secret: SecretKind, attempt: number, box: { title: string; prompt: string }): Promise<string | undefined> {
    const key = secretKey(secret);
    if (attempt === 1) {
      const stored = await this.backend.get(key);
      if (stored !== undefined) {
        this.origin.set(key, 'stored');
        return stored;
      }
    }
    const value = await this.prompts.ask(box);
    if (value === undefined) return undefined;
    this.origin.set(key, 'typed');
    this.typed.set(key, value);
    return value;
  }
}

/** Only the fields that identify the target (a request also carries its attempt number). */
function target(r: UserTokenRequest): UserTokenRequest {
  return { host: r.host, port: r.port, user: r.user, hostKeyFingerprint: r.hostKeyFingerprint };
}
