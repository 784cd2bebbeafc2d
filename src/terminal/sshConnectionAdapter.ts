// The one place the terminal meets today's connection API (ConnectionPool.acquire,
// SshConnection.exec with a PTY, exec() for one-shot commands). Re-point this file at the
// channel layer when it lands; nothing else in src/terminal names ssh types.
import { IDisposable, toDisposable } from '../common/disposable';
import { Logger } from '../common/log';
import { SessionChannelHandle } from '../ssh/connection';
import { exec } from '../ssh/exec';
import { ConnectionPool } from '../ssh/pool';
import { ChannelExit, CommandResult, ConnectTerminal, PtyChannel, PtyRequest, TerminalConnection, OpenOptions } from './connectionPort';

export function poolTerminalConnector(pool: ConnectionPool, host: string, log: Logger): ConnectTerminal {
  return async (signal) => {
    const ref = await pool.acquire(host, signal);
    let disposed = false;
    const connection: TerminalConnection = {
      label: host,
      async openPty(request: PtyRequest, options: OpenOptions = {}): Promise<PtyChannel> {
        const c = await ref.connection(options.signal);
        const s = c.scheduler;
        if (s.active >= s.limit || s.waiting > 0) options.onWaiting?.(s.active);
        const channel = await c.exec(request.command, { pty: { term: request.term, rows: request.rows, cols: request.cols, width: 0, height: 0 } }, options.signal);
        return wrapChannel(channel);
      },
      async run(command, options = {}): Promise<CommandResult> {
        const c = await ref.connection(options.signal);
        const result = await exec(c, command, { timeoutMs: options.timeoutMs ?? 15_000, signal: options.signal }, log);
        return { code: result.code, stdout: result.stdout.toString('utf8') };
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        ref.release();
      },
    };
    return connection;
  };
}

function wrapChannel(channel: SessionChannelHandle): PtyChannel {
  const on = <A extends unknown[]>(event: string, fn: (...args: A) => void): IDisposable => {
    const listener = fn as (...args: unknown[]) => void;
    channel.on(event, listener);
    return toDisposable(() => channel.off(event, listener));
  };
  return {
    onData: (fn) => {
      // A PTY merges stderr into stdout; a server may still send extended data, so show both.
      const a = on<[Buffer]>('data', fn);
      const b = toDisposable(() => channel.stderr.off('data', fn));
      channel.stderr.on('data', fn);
      return toDisposable(() => (a.dispose(), b.dispose()));
    },
    onExit: (fn) => on<[number | null, string?]>('exit', (code, signal) => fn(toExit(code, signal))),
    onClose: (fn) => on<[]>('close', fn),
    write: (data) => {
      channel.write(data);
    },
    resize: (rows, cols) => channel.setWindow(rows, cols, 0, 0),
    close: () => {
      try {
        channel.close();
      } catch {
        /* the connection is already gone */
      }
    },
  };
}

function toExit(code: number | null, signal?: string): ChannelExit {
  return typeof code === 'number' ? { code } : { code: null, signal: signal ?? undefined };
}
