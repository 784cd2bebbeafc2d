// A terminal's shell in its own named tmux session (sandboxPseudoterminal's ShellSession):
// probed once per terminal through `sh -c`; without tmux, or already inside tmux ($TMUX set
// by the login environment), the plain shell runs instead and nothing outlives the channel.
// A re-open after a reconnect re-attaches the same session and detaches our own stale client.
import { Logger } from '../../common/log';
import { TerminalConnection } from '../connectionPort';
import { ShellSession, TerminalDimensions } from '../sandboxPseudoterminal';
import { attachCommand, killCommand, parseProbe, probeCommand, TmuxProbe } from './tmuxCommands';

export interface TmuxSessionOptions {
  /** The session's name (tmuxNames.ts). */
  readonly name: string;
  /** Our tmux server's socket name; tests use their own. */
  readonly socket?: string;
  /** Variables set again in a session we re-attach (the terminal's own). */
  readonly refreshEnv?: Readonly<Record<string, string>>;
  readonly host: string;
  readonly log: Logger;
}

const PROBE_TIMEOUT_MS = 10_000;

export class TmuxShellSession implements ShellSession {
  private probe: TmuxProbe | undefined;
  private opens = 0;

  constructor(private readonly options: TmuxSessionOptions) {}

  get name(): string {
    return this.options.name;
  }

  async command(shellCommand: string, dimensions: TerminalDimensions, connection: TerminalConnection): Promise<{ command: string; persistent: boolean }> {
    const probe = await this.probeOnce(connection);
    if (!probe.available || probe.insideTmux) return { command: shellCommand, persistent: false };
    const reopen = this.opens++ > 0;
    return {
      command: attachCommand({
        socket: this.options.socket,
        name: this.options.name,
        shellCommand,
        probe,
        cols: dimensions.columns,
        rows: dimensions.rows,
        refreshEnv: this.options.refreshEnv,
        detachOthers: reopen,
        // Only a re-attach expects the session; if it has to be created, the user is told in it.
        goneNotice: reopen ? `Reconnected to ${this.options.host}. Its tmux session was gone (it ended on the sandbox while the connection was down); this is a new shell.` : undefined,
      }),
      persistent: true,
    };
  }

  async end(connection: TerminalConnection): Promise<void> {
    if (!this.probe?.available || this.probe.insideTmux) return;
    await connection.run(killCommand(this.options.name, this.options.socket), { timeoutMs: PROBE_TIMEOUT_MS });
  }

  private async probeOnce(connection: TerminalConnection): Promise<TmuxProbe> {
    if (this.probe) return this.probe;
    try {
      this.probe = parseProbe((await connection.run(probeCommand(), { timeoutMs: PROBE_TIMEOUT_MS })).stdout);
    } catch (err) {
      // No answer: a plain shell now, and the next open asks again.
      this.options.log.warn(`terminal on ${this.options.host}: tmux probe failed, starting a plain shell: ${err instanceof Error ? err.message : String(err)}`);
      return { available: false, hasTmuxTerminfo: false, insideTmux: false };
    }
    if (!this.probe.available) this.options.log.info(`terminal on ${this.options.host}: no tmux there, the shell will not survive a dropped connection`);
    return this.probe;
  }
}
