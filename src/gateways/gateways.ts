// The configured sandbox gateways as hosts: each gateway's sandboxes (listed by its API when it
// lists them, plus the ids the user added), resolved through the API on each connect, and its
// SSH keys. The host registry and the Keys view get this through interfaces the composition
// root wires (src/hosts and src/keys never import this folder).
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { displayUser } from '../common/userToken';
import { GatewayEndpoint, GatewayGroup, HostEntry } from '../common/hostEntry';
import { SshError } from '../ssh/errors';
import { GatewayClient } from './api/gatewayClient';
import { GatewayError } from './api/gatewayError';
import { isSafeId, PlatformKey } from './api/validate';
import { fallbackEndpoint, rememberPins } from './fallbackPins';
import { GatewayConfig, gatewaysFromSettings } from './gatewayConfig';
import { sandboxHostName } from './sandboxNames';

/** Where API tokens live: the editor's secret storage (src/ssh/savedCredentials.ts), nowhere else. */
export interface GatewayTokens {
  apiToken(baseUrl: string): Promise<string | undefined>;
  storeApiToken(baseUrl: string, label: string, value: string): Promise<void>;
}

export interface GatewaysDeps {
  /** The raw setting (user settings only). */
  readonly settings: () => readonly unknown[];
  readonly tokens: GatewayTokens;
  /** globalState: the sandbox ids added by hand (ids only, never tokens). */
  readonly state: vscode.Memento;
  readonly log: Logger;
  /** A new token was entered: refusals of the gateway's sandboxes may be healed, try again. */
  readonly tokenChanged: () => void;
}

const ADDED_KEY = 'sandboxExplorer.gatewaySandboxes';
/** SSH connect attempts for a sandbox: a gateway may close the first connections while the sandbox resumes. */
const CONNECT_ATTEMPTS = 3;
/** Listing is for the tree: it must not hold every host lookup as long as a resume may take. */
const LISTING_TIMEOUT_MS = 15_000;

interface Listing {
  readonly ids: readonly string[];
  readonly problem?: string;
  readonly needsToken?: boolean;
}

export class Gateways implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** The gateways, their sandboxes or a gateway's problem changed. */
  readonly onDidChange = this.changed.event;
  private readonly activityChanged = new vscode.EventEmitter<string>();
  /** A sandbox started or stopped waiting for its gateway (by host name). */
  readonly onDidChangeActivity = this.activityChanged.event;
  private readonly keysChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeKeys = this.keysChanged.event;
  private listings = new Map<string, Promise<Listing>>();
  private readonly settled = new Map<string, Listing>();
  private readonly resuming = new Set<string>();
  /** Last endpoint the API gave, by host name, for the tree's description. */
  private readonly endpoints = new Map<string, GatewayEndpoint>();
  /** One token prompt per gateway at a time. */
  private readonly asking = new Map<string, Promise<string>>();
  private readonly warned = new Set<string>();

  constructor(private readonly deps: GatewaysDeps) {}

  configs(): GatewayConfig[] {
    return gatewaysFromSettings(this.deps.settings(), (m) => this.warnOnce(m));
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.deps.log.warn(message);
  }

  gateway(name: string | undefined): GatewayConfig | undefined {
    return this.configs().find((g) => g.name === name);
  }

  /** Settings, a token or the added ids changed: list again. */
  reload(): void {
    this.listings = new Map();
    this.settled.clear();
    this.changed.fire();
    this.keysChanged.fire();
  }

  groups(): GatewayGroup[] {
    return this.configs().map((g) => ({ name: g.name, problem: this.settled.get(g.name)?.problem, needsToken: this.settled.get(g.name)?.needsToken }));
  }

  /** Every gateway's sandboxes; the gateways are listed at the same time (one slow API holds no other). */
  async hosts(): Promise<HostEntry[]> {
    return this.unique(await Promise.all(this.configs().map(async (g) => ({ g, listing: await this.listing(g) }))));
  }

  /** The sandbox host `name` (`<id part>.<gateway>`): only that gateway is listed. */
  async host(name: string): Promise<HostEntry | undefined> {
    const gateway = name.slice(name.indexOf('.') + 1);
    const g = name.includes('.') ? this.configs().find((c) => c.name.toLowerCase() === gateway) : undefined;
    return g ? this.unique([{ g, listing: await this.listing(g) }]).find((h) => h.name === name) : undefined;
  }

  private unique(listed: readonly { g: GatewayConfig; listing: Listing }[]): HostEntry[] {
    const all: HostEntry[] = [];
    const names = new Set<string>();
    for (const { g, listing } of listed) {
      for (const id of new Set([...listing.ids, ...this.added(g.name)])) {
        const entry = this.entry(g, id);
        // Two sandboxes under one host name would share tree ids and connections: the second is refused.
        if (names.has(entry.name)) this.warnOnce(`${g.name}: sandbox ${displayUser(id)} has the same host name as another sandbox (${entry.name}); it is not listed.`);
        else all.push(entry), names.add(entry.name);
      }
    }
    return all;
  }

  activity(name: string): string | undefined {
    return this.resuming.has(name) ? 'resuming sandbox…' : undefined;
  }

  target(host: HostEntry): { user?: string; hostname: string; port?: number } {
    const known = this.endpoints.get(host.name);
    if (known) return { user: known.user, hostname: known.hostname, port: known.port };
    // Not resolved yet: the gateway decides where it is on connect.
    return { user: host.sandboxId, hostname: host.gateway ?? host.name };
  }

  /** Sandbox ids the user added under `gateway`. */
  added(gateway: string): string[] {
    const all = this.deps.state.get<Record<string, unknown>>(ADDED_KEY, {});
    const ids = all && typeof all === 'object' ? all[gateway] : undefined;
    return Array.isArray(ids) ? ids.filter((i): i is string => typeof i === 'string' && isSafeId(i)) : [];
  }

  async setAdded(gateway: string, ids: string[]): Promise<void> {
    const all = { ...this.deps.state.get<Record<string, string[]>>(ADDED_KEY, {}) };
    if (ids.length) all[gateway] = ids;
    else delete all[gateway];
    await this.deps.state.update(ADDED_KEY, all);
    this.reload();
  }

  /** Where the sandbox is now, from its gateway's API; failures become the connection core's errors, worded with the gateway's name. */
  async endpoint(host: HostEntry, signal?: AbortSignal): Promise<GatewayEndpoint> {
    const g = this.gateway(host.gateway);
    const id = host.sandboxId;
    if (!g || !id) throw new SshError(`${host.name}: its gateway is no longer in the sandboxExplorer.gateways setting`, 'config');
    const token = await this.token(g);
    this.setResuming(host.name, true);
    try {
      const ssh = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Resuming sandbox ${displayUser(id)} on ${g.name}…` }, () =>
        this.client(g, token, g.timeoutSeconds * 1000).sandbox(id, signal),
      );
      const pinned = ssh.hostKey || ssh.hostKeyFingerprint ? { keys: ssh.hostKey ? [ssh.hostKey] : [], fingerprints: ssh.hostKeyFingerprint ? [ssh.hostKeyFingerprint] : [] } : undefined;
      this.deps.log.info(`${g.name}: sandbox ${displayUser(id)} is at ${ssh.host}:${ssh.port}${pinned ? ' (host key pinned by the platform)' : ''}`);
      const endpoint: GatewayEndpoint = { hostname: ssh.host, port: ssh.port, user: ssh.username, pinnedHostKeys: pinned, connectTimeoutSeconds: g.timeoutSeconds, connectionAttempts: CONNECT_ATTEMPTS };
      this.endpoints.set(host.name, endpoint);
      await rememberPins(this.deps.state, host.name, pinned);
      return endpoint;
    } catch (err) {
      const fallback = this.fallback(g, host.name, id, err);
      if (fallback) return fallback;
      throw this.connectError(g, id, err);
    } finally {
      this.setResuming(host.name, false);
    }
  }

  /** Asks for a new token for `gateway` and keeps it; undefined when dismissed. */
  async enterToken(gateway: GatewayConfig): Promise<boolean> {
    const value = await this.askToken(gateway, 'Enter a new API token');
    if (value === undefined) return false;
    await this.storeToken(gateway, value);
    return true;
  }

  gatewayNames(): string[] {
    return this.configs().map((g) => g.name);
  }

  /** For the Keys view: the keys of the gateway named `name`. */
  platformKeys(name: string): Promise<PlatformKey[]> {
    const g = this.gateway(name);
    if (!g) return Promise.reject(new Error(`${name} is not a gateway in the sandboxExplorer.gateways setting`));
    // The Keys view offers "Enter API Token…" when that is the fix.
    return this.keys(g).catch((err: unknown) => {
      throw GatewayError.is(err, 'token-rejected') ? Object.assign(new Error(err.message), { needsToken: true }) : err;
    });
  }

  async keys(gateway: GatewayConfig): Promise<PlatformKey[]> {
    const token = await this.deps.tokens.apiToken(gateway.baseUrl);
    if (!token) throw new GatewayError(`No API token for ${gateway.name} yet`, 'token-rejected');
    return this.client(gateway, token).keys();
  }

  async addKey(gateway: GatewayConfig, name: string, publicKey: string): Promise<void> {
    await this.client(gateway, await this.token(gateway)).addKey(name, publicKey);
    this.keysChanged.fire();
  }

  async deleteKey(gateway: GatewayConfig, id: string): Promise<void> {
    await this.client(gateway, await this.token(gateway)).deleteKey(id);
    this.keysChanged.fire();
  }

  dispose(): void {
    this.changed.dispose();
    this.activityChanged.dispose();
    this.keysChanged.dispose();
  }

  private entry(g: GatewayConfig, id: string): HostEntry {
    return { name: sandboxHostName(g.name, id), source: 'gateway', gateway: g.name, sandboxId: id, group: g.name, user: id, enabled: true };
  }

  private client(g: GatewayConfig, token: string, timeoutMs = g.timeoutSeconds * 1000): GatewayClient {
    return new GatewayClient({ name: g.name, baseUrl: g.baseUrl }, async () => token, { timeoutMs });
  }

  private listing(g: GatewayConfig): Promise<Listing> {
    let pending = this.listings.get(g.name);
    if (!pending) {
      const listings = this.listings;
      pending = this.list(g).then((listing) => {
        // A reload meanwhile started a new listing: this one is stale.
        if (this.listings === listings) this.settled.set(g.name, listing);
        return listing;
      });
      this.listings.set(g.name, pending);
    }
    return pending;
  }

  /** The platform's sandboxes; a gateway that does not list (404) has only the ids added by hand. No token: no request. */
  private async list(g: GatewayConfig): Promise<Listing> {
    const token = await this.deps.tokens.apiToken(g.baseUrl);
    if (!token) return { ids: [], problem: `No API token for ${g.name} yet: click to enter it.`, needsToken: true };
    try {
      return { ids: await this.client(g, token, Math.min(LISTING_TIMEOUT_MS, g.timeoutSeconds * 1000)).sandboxes() };
    } catch (err) {
      if (GatewayError.is(err, 'not-found')) return { ids: [] };
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.warn(`${g.name}: could not list sandboxes: ${message}`);
      if (GatewayError.is(err, 'token-rejected')) return { ids: [], problem: `${message}: click to enter a new token.`, needsToken: true };
      return { ids: [], problem: message };
    }
  }

  /** The stored token, else asked for once (a masked input box) and kept in secret storage. */
  private async token(g: GatewayConfig): Promise<string> {
    const stored = await this.deps.tokens.apiToken(g.baseUrl);
    if (stored) return stored;
    let asking = this.asking.get(g.name);
    if (!asking) {
      asking = this.askToken(g, 'Enter the API token')
        .then(async (value) => {
          if (value === undefined) throw new SshError(`${g.name}: no API token entered`, 'cancelled');
          await this.storeToken(g, value);
          return value;
        })
        .finally(() => this.asking.delete(g.name));
      this.asking.set(g.name, asking);
    }
    return asking;
  }

  private async askToken(g: GatewayConfig, what: string): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: `Sandbox Explorer: API token for gateway ${g.name}`,
      prompt: `${what} for ${new URL(g.baseUrl).host}. It is kept in the editor's secret storage, never in settings.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'The token is empty' : /[\s\u0000-\u001f\u007f]/.test(v.trim()) ? 'A token has no blanks or control characters' : undefined),
    });
    return value === undefined ? undefined : value.trim();
  }

  private async storeToken(g: GatewayConfig, value: string): Promise<void> {
    await this.deps.tokens.storeApiToken(g.baseUrl, `API token for gateway ${g.name} (${new URL(g.baseUrl).host})`, value);
    this.reload();
    this.deps.tokenChanged();
  }

  /** The configured SSH endpoint, when the API cannot be reached at all (never when it answered: a 401 or 404 is an answer). */
  private fallback(g: GatewayConfig, hostName: string, id: string, err: unknown): GatewayEndpoint | undefined {
    if (!g.sshHost || !(GatewayError.is(err, 'unreachable') || GatewayError.is(err, 'timeout'))) return undefined;
    const endpoint = fallbackEndpoint(this.deps.state, hostName, { hostname: g.sshHost, port: g.sshPort ?? 22, user: id, connectTimeoutSeconds: g.timeoutSeconds, connectionAttempts: CONNECT_ATTEMPTS });
    const check = endpoint.pinnedHostKeys ? 'the host key the platform pinned last' : 'a known_hosts entry (no first-use prompt)';
    this.deps.log.warn(`${(err as Error).message}; connecting to sandbox ${displayUser(id)} through the configured SSH endpoint ${g.sshHost}:${g.sshPort ?? 22} instead, requiring ${check}`);
    return endpoint;
  }

  private connectError(g: GatewayConfig, id: string, err: unknown): SshError {
    if (SshError.is(err)) return err;
    if (!GatewayError.is(err)) return new SshError(`${g.name}: ${err instanceof Error ? err.message : String(err)}`, 'unavailable', { cause: err });
    switch (err.kind) {
      case 'token-rejected':
        // The listing shows it too, and asks nothing again until a new token is entered.
        this.settled.set(g.name, { ids: this.settled.get(g.name)?.ids ?? [], problem: `${err.message}: click to enter a new token.`, needsToken: true });
        this.changed.fire();
        return new SshError(`Token rejected: ${err.message}`, 'config', { code: 'gateway-token', cause: err });
      case 'not-found':
        return new SshError(`${g.name}: no such sandbox "${displayUser(id)}"`, 'config', { cause: err });
      case 'cancelled':
        return new SshError(err.message, 'cancelled', { cause: err });
      case 'timeout':
        return new SshError(`${err.message} (sandbox ${displayUser(id)})`, 'timeout', { cause: err });
      default:
        return new SshError(`${err.message} (sandbox ${displayUser(id)})`, 'unavailable', { cause: err });
    }
  }

  private setResuming(name: string, on: boolean): void {
    if (on) this.resuming.add(name);
    else this.resuming.delete(name);
    this.activityChanged.fire(name);
  }
}
