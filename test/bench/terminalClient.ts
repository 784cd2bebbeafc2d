// The side of the terminal bench that runs our code: a SandboxPseudoterminal (src/terminal)
// over the real ConnectionPool's PTY channel (sshConnectionAdapter.ts), the way the editor
// opens one, minus VS Code. terminal.ts bundles this file with esbuild as the extension is
// shipped (ssh2 without its native addon) and reads the text the pseudoterminal writes, the
// text VS Code would put on screen.
import { SandboxPseudoterminal } from '../../src/terminal/sandboxPseudoterminal';
import { poolTerminalConnector } from '../../src/terminal/sshConnectionAdapter';
import { TmuxShellSession } from '../../src/terminal/tmux/tmuxSession';
import { newSessionName } from '../../src/terminal/tmux/tmuxNames';
import { ConnectionPool } from '../../src/ssh/pool';
import { memoryLog, targetFor, testPool } from '../support/targets';
import type { Sshd } from '../support/sshd';

export { nativeAddonLoaded } from './addon';

const HOST = 'bench';

export interface BenchTerminal {
  /** What the user types (handleInput). */
  type(text: string): void;
  /** Every piece of text the pseudoterminal writes (onDidWrite). */
  onText(listener: (text: string) => void): void;
  close(): void;
}

export interface ConnectedHost {
  /** A new terminal on the already connected host; output starts flowing at once. In its own tmux session with `inTmux` (the default in the editor when the sandbox has tmux). */
  openTerminal(columns?: number, rows?: number, inTmux?: boolean): BenchTerminal;
  close(): Promise<void>;
}

/** One pooled connection to `sshd`, held open (as the Hosts view holds it) so terminals reuse it. */
export async function connectedHost(sshd: Sshd): Promise<ConnectedHost> {
  const pool: ConnectionPool = testPool({ targets: { [HOST]: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
  const log = memoryLog();
  const ref = await pool.acquire(HOST);
  await ref.connection();
  const connect = poolTerminalConnector(pool, HOST, log);
  return {
    openTerminal(columns = 200, rows = 50, inTmux = false) {
      const session = inTmux ? new TmuxShellSession({ name: newSessionName(HOST), host: HOST, log }) : undefined;
      const pty = new SandboxPseudoterminal({ connect, host: HOST, log, session });
      const listeners: ((text: string) => void)[] = [];
      pty.onDidWrite((text) => listeners.forEach((l) => l(text)));
      pty.open({ columns, rows });
      return {
        type: (text) => pty.handleInput(text),
        onText: (listener) => void listeners.push(listener),
        close: () => pty.close(),
      };
    },
    async close() {
      ref.release();
      await pool.dispose();
    },
  };
}
