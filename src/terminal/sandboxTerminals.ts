// The editor's sandbox terminals: builds each one's options (the plain-Node pseudoterminal, in
// a tmux session when `terminal.persistentSessions` is `auto` and the remote has tmux), knows
// which open terminals are ours and on which host, and keeps their tmux sessions across window
// reloads: remembered per host in this window's workspace state (names, folders, nonces), restored on
// activation, ended and never brought back once the user closes the terminal.
import * as path from 'path';
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { HostChildNode, HostChildSource } from '../editor/hostsNode';
import { ConnectionPool } from '../ssh/pool';
import { settings } from '../editor/settings';
import { OpenRequest } from './openRequestFilter';
import { OpenThrottle } from './openThrottle';
import { SandboxPseudoterminal, ShellSession } from './sandboxPseudoterminal';
import { poolTerminalConnector } from './sshConnectionAdapter';
import { terminalEnvironment } from './terminalEnvironment';
import { canonicalEncoding } from './textDecoder';
import { ClosedSessions } from './tmux/closedSessions';
import { OpenSessions, RememberedSession } from './tmux/openSessions';
import { newSessionName } from './tmux/tmuxNames';
import { TmuxShellSession } from './tmux/tmuxSession';

export interface TerminalInfo {
  readonly host: string;
  readonly cwd?: string;
  readonly pty: SandboxPseudoterminal;
  /** The tmux session's name when the terminal may run in one. */
  readonly session?: string;
}

export interface SandboxTerminalsDeps {
  readonly pool: ConnectionPool;
  readonly scheme: string;
  readonly state: vscode.Memento;
  /** The host's ssh config SetEnv. */
  setEnv(host: string): Promise<Record<string, string>>;
  readonly log: Logger;
}

/** `shellIntegrationNonce` is newer than the @types/vscode this project builds against (1.100). */
export type TerminalOptionsWithNonce = vscode.ExtensionTerminalOptions & { shellIntegrationNonce?: string };

/** How long a pseudoterminal's close() waits to learn why its terminal closed (reload or user). */
const CLOSE_REASON_WAIT_MS = 2000;

export const TERMINAL_FEATURE = 'terminal';
export const FOCUS_COMMAND = 'sandboxExplorer.terminal.focus';

export class SandboxTerminals implements vscode.Disposable, HostChildSource {
  private readonly ids = new WeakMap<vscode.Terminal, string>();
  private nextId = 1;
  private readonly infos = new WeakMap<vscode.Pseudoterminal, TerminalInfo>();
  private readonly closeReasons = new WeakMap<SandboxPseudoterminal, vscode.TerminalExitReason | undefined>();
  private readonly closeWaiters = new Map<SandboxPseudoterminal, () => void>();
  private readonly memory: OpenSessions;
  private readonly closedByUser: ClosedSessions;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** A host's list of open sandbox terminals changed (the host's name). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Set when the extension is deactivated (window closing or reloading): every later close is a shutdown. */
  private disposed = false;

  constructor(private readonly deps: SandboxTerminalsDeps) {
    this.memory = new OpenSessions(deps.state);
    this.closedByUser = new ClosedSessions(deps.state);
    this.subscriptions.push(
      this.changed,
      vscode.window.onDidOpenTerminal((t) => this.fireFor(t)),
      vscode.window.onDidCloseTerminal((t) => {
        const info = this.info(t);
        if (!info) return;
        this.closeReasons.set(info.pty, t.exitStatus?.reason);
        this.closeWaiters.get(info.pty)?.();
        this.hostChanged(info.host);
      }),
      vscode.window.onDidChangeTerminalState((t) => this.fireFor(t)),
    );
  }

  /** Our terminal's host, folder and pseudoterminal; undefined for any other terminal. */
  info(terminal: vscode.Terminal): TerminalInfo | undefined {
    const pty = (terminal.creationOptions as vscode.ExtensionTerminalOptions).pty;
    return pty ? this.infos.get(pty) : undefined;
  }

  /** Open sandbox terminals on `host`, in the panel's order. */
  terminalsOf(host: string): vscode.Terminal[] {
    return vscode.window.terminals.filter((t) => this.info(t)?.host === host && t.exitStatus === undefined);
  }

  /** The Hosts view's rows under `host`: its open sandbox terminals; a click focuses one. */
  children(host: string): readonly HostChildNode[] {
    return this.terminalsOf(host).map((terminal) => {
      const info = this.info(terminal)!;
      const node: HostChildNode = {
        kind: 'child',
        host,
        feature: TERMINAL_FEATURE,
        id: this.idOf(terminal),
        label: terminal.name,
        description: info.pty.persistent ? 'tmux' : undefined,
        tooltip: `Terminal on ${host}${info.cwd ? ` in ${info.cwd}` : ''}${info.pty.persistent ? ` (tmux session ${info.session})` : ''}`,
        icon: 'terminal',
        contextValue: TERMINAL_FEATURE,
      };
      return { ...node, command: { command: FOCUS_COMMAND, title: 'Focus Terminal', arguments: [node] } };
    });
  }

  /** The open terminal a Hosts view row stands for. */
  terminalOf(host: string, id: string): vscode.Terminal | undefined {
    return this.terminalsOf(host).find((t) => this.ids.get(t) === id);
  }

  /** Options for a new terminal on `host` (for createTerminal or a profile); `restore` re-attaches a remembered tmux session. */
  async create(host: string, cwd?: string, restore?: RememberedSession): Promise<TerminalOptionsWithNonce> {
    const { log } = this.deps;
    const env = terminalEnvironment(await this.deps.setEnv(host).catch(() => ({})), settings.terminalEnv());
    if (env.withheld.length) log.info(`terminal on ${host}: not sending ${env.withheld.length} secret-looking variable(s): ${env.withheld.join(', ')}`);
    const encoding = this.encodingOf(host);
    const throttle = new OpenThrottle();
    const name = restore?.name ?? newSessionName(host);
    const tmux = restore || settings.terminalPersistentSessions() === 'auto' ? new TmuxShellSession({ name, host, log, refreshEnv: env.env }) : undefined;
    let pty: SandboxPseudoterminal;
    const session: ShellSession | undefined = tmux && {
      command: (shell, dimensions, connection) => tmux.command(shell, dimensions, connection),
      // Ends the tmux session only when the user closed the terminal, not when the window reloads.
      end: async (connection) => {
        if (!(await this.closedByTheUser(pty))) return log.info(`terminal on ${host}: the window is closing, its tmux session ${name} is kept`);
        await this.closedByUser.add(host, name);
        await this.memory.remove(host, name);
        await tmux.end(connection);
      },
    };
    pty = new SandboxPseudoterminal({
      connect: poolTerminalConnector(this.deps.pool, host, log),
      host,
      cwd: restore?.cwd ?? cwd,
      env: env.env,
      encoding,
      log,
      session,
      // A restored session's shell still carries its first nonce: `code` requests and shell integration keep working.
      nonce: restore?.nonce,
      onOpenRequest: (request) => {
        if (throttle.take()) return void openRequested(this.deps.scheme, host, request).catch((err) => log.warn(`terminal on ${host}: could not open ${request.path}: ${err instanceof Error ? err.message : String(err)}`));
        // Said once per burst: the log must not become the flood.
        if (throttle.droppedCount === 1 || throttle.droppedCount % 1000 === 0) log.warn(`terminal on ${host}: ${throttle.droppedCount} open request(s) dropped (more than 5 at once, or more than one a second)`);
      },
    });
    pty.onDidOpenChannel(() => {
      if (pty.persistent) void this.memory.add(host, { name, cwd: restore?.cwd ?? cwd, nonce: pty.nonce });
      this.hostChanged(host);
    });
    // The shell ended by itself (exit): its tmux session went with it.
    pty.onDidClose(() => void this.memory.remove(host, name));
    this.infos.set(pty, { host, cwd: restore?.cwd ?? cwd, pty, session: tmux ? name : undefined });
    const folder = restore?.cwd ?? cwd;
    // The nonce our hook puts in its command-line sequences: VS Code then trusts them (rerun without asking).
    return { name: folder ? `${host}: ${path.posix.basename(folder) || '/'}` : host, pty, iconPath: new vscode.ThemeIcon('remote'), shellIntegrationNonce: pty.nonce };
  }

  /**
   * Opens again the terminals whose tmux sessions outlived the last window (see OpenSessions.restorable).
   * Runs on activation, in the background; a host that cannot be reached keeps its memory for next time.
   */
  async restore(): Promise<number> {
    if (settings.terminalPersistentSessions() === 'off') return 0;
    let restored = 0;
    // Hosts with only closed sessions too: those still alive there are ended (restorable kills them).
    for (const host of new Set([...this.memory.hosts(), ...this.closedByUser.hosts()])) {
      try {
        const connection = await poolTerminalConnector(this.deps.pool, host, this.deps.log)();
        try {
          for (const session of await this.memory.restorable(host, connection, this.closedByUser)) {
            vscode.window.createTerminal(await this.create(host, undefined, session));
            restored++;
          }
        } finally {
          connection.dispose();
        }
      } catch (err) {
        this.deps.log.warn(`terminal sessions on ${host} not restored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (restored) this.deps.log.info(`restored ${restored} sandbox terminal(s) whose tmux sessions were still running`);
    return restored;
  }

  dispose(): void {
    // Deactivation comes before (or instead of) each terminal's close event: their closes now are the window's.
    this.disposed = true;
    this.closeWaiters.forEach((wake) => wake());
    this.subscriptions.forEach((s) => s.dispose());
  }

  private encodingOf(host: string): string | undefined {
    const label = settings.terminalEncoding(host);
    if (label && !canonicalEncoding(label)) {
      this.deps.log.warn(`terminal on ${host}: unknown encoding "${label}" in sandboxExplorer.terminal.encoding, using UTF-8`);
      return undefined;
    }
    return label;
  }

  /** Why the pseudoterminal's terminal closed: true unless the window is closing or reloading. */
  private async closedByTheUser(pty: SandboxPseudoterminal): Promise<boolean> {
    if (this.disposed) return false;
    if (!this.closeReasons.has(pty)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_REASON_WAIT_MS);
        this.closeWaiters.set(pty, () => (clearTimeout(timer), resolve()));
      });
      this.closeWaiters.delete(pty);
    }
    return !this.disposed && this.closeReasons.get(pty) !== vscode.TerminalExitReason.Shutdown;
  }

  private idOf(terminal: vscode.Terminal): string {
    let id = this.ids.get(terminal);
    if (!id) this.ids.set(terminal, (id = `t${this.nextId++}`));
    return id;
  }

  private fireFor(terminal: vscode.Terminal): void {
    const info = this.info(terminal);
    if (info) this.hostChanged(info.host);
  }

  /** Coalesced: opening a terminal fires open, state and channel events within moments. */
  private pendingHosts = new Set<string>();
  private hostChanged(host: string): void {
    if (this.pendingHosts.has(host)) return;
    this.pendingHosts.add(host);
    setTimeout(() => {
      this.pendingHosts.delete(host);
      this.changed.fire(host);
    }, 100);
  }
}

async function openRequested(scheme: string, host: string, request: OpenRequest): Promise<void> {
  const uri = vscode.Uri.from({ scheme, authority: host, path: request.path });
  if (request.kind === 'folder') await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.window.showTextDocument(uri, { preview: false });
}
