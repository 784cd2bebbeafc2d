// The tmux sessions of open sandbox terminals, per host (names and start folders only), kept in
// the window's workspace state (per window: one never restores another's): VS Code does not revive an extension's pseudoterminals after a
// window reload, so on activation the ones still alive on the remote are opened again. A
// session the user closed is forgotten here and remembered in ClosedSessions, so it is never
// brought back; one gone from the remote is forgotten. Bounded per host.
import { TerminalConnection } from '../connectionPort';
import { isNonce } from '../sandboxPseudoterminal';
import { ClosedSessions, KeyValueStore } from './closedSessions';
import { killCommand, listCommand, parseList } from './tmuxCommands';
import { isSessionName } from './tmuxNames';

export interface RememberedSession {
  readonly name: string;
  /** The remote folder the terminal was opened on. */
  readonly cwd?: string;
  /** The shell-integration nonce its shell's hook carries (reused when restored; never logged). */
  readonly nonce?: string;
}

export const MAX_OPEN_PER_HOST = 50;
const MAX_CWD_CHARS = 4096;

export class OpenSessions {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key = 'sandboxExplorer.terminal.openSessions',
  ) {}

  hosts(): string[] {
    return Object.keys(this.all());
  }

  of(host: string): RememberedSession[] {
    return this.all()[host] ?? [];
  }

  async add(host: string, session: RememberedSession): Promise<void> {
    const all = this.all();
    const list = (all[host] ?? []).filter((s) => s.name !== session.name);
    list.push({ name: session.name, ...(session.cwd ? { cwd: session.cwd } : {}), ...(isNonce(session.nonce) ? { nonce: session.nonce } : {}) });
    all[host] = list.slice(-MAX_OPEN_PER_HOST);
    await this.store.update(this.key, all);
  }

  async remove(host: string, name: string): Promise<void> {
    const all = this.all();
    if (!all[host]?.some((s) => s.name === name)) return;
    all[host] = all[host].filter((s) => s.name !== name);
    if (!all[host].length) delete all[host];
    await this.store.update(this.key, all);
  }

  /**
   * The remembered sessions of `host` to open again: alive on the remote, held by no other
   * client (another window may have it open), and not closed by the user. Gone ones are forgotten;
   * alive ones the user closed are killed.
   */
  async restorable(host: string, connection: TerminalConnection, closed: ClosedSessions, socket?: string): Promise<RememberedSession[]> {
    const list = async () => parseList((await connection.run(listCommand(socket), { timeoutMs: 15_000 })).stdout);
    let alive = await list();
    // Closed by the user while the connection was down (the kill never arrived): end them now.
    const stale = alive.filter((s) => closed.has(host, s.name));
    for (const s of stale) await connection.run(killCommand(s.name, socket), { timeoutMs: 15_000 }).catch(() => undefined);
    if (stale.length) alive = await list();
    const names = alive.map((s) => s.name);
    await closed.forgetGone(host, names);
    const remembered = this.of(host);
    for (const s of remembered) if (!names.includes(s.name)) await this.remove(host, s.name);
    return remembered.filter((s) => alive.some((a) => a.name === s.name && a.attached === 0) && !closed.has(host, s.name));
  }

  /** What the store holds, checked: it is ours, but a bad value must not break activation. */
  private all(): Record<string, RememberedSession[]> {
    const value = this.store.get<unknown>(this.key);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const out: Record<string, RememberedSession[]> = {};
    for (const [host, list] of Object.entries(value as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      const sessions = list
        .filter((s): s is { name: string; cwd?: unknown; nonce?: unknown } => !!s && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string' && isSessionName((s as { name: string }).name))
        .map((s) => ({
          name: s.name,
          ...(typeof s.cwd === 'string' && s.cwd.startsWith('/') && s.cwd.length <= MAX_CWD_CHARS ? { cwd: s.cwd } : {}),
          ...(isNonce(s.nonce) ? { nonce: s.nonce } : {}),
        }))
        .slice(-MAX_OPEN_PER_HOST);
      if (sessions.length) out[host] = sessions;
    }
    return out;
  }
}
