// The one place the terminal meets the connection core (ConnectionPool.acquire, a long-lived
// PTY session channel from src/ssh/channels, exec() for one-shot commands); nothing else in
// src/terminal names ssh types.
import { toDisposable } from '../common/disposable';
import { Emitter } from '../common/event';
import { Logger } from '../common/log';
import { SessionChannel } from '../ssh/channels';
import { exec } from '../ssh/exec';
import { ConnectionPool } from '../ssh/pool';
import { WriteQueue } from './writeQueue';
import { ChannelExit, CommandResult, ConnectTerminal, PtyChannel, PtyRequest, TerminalConnection, OpenOptions } from './connectionPort';

export function poolTerminalConnector(pool: ConnectionPool, host: string, log: Logger): ConnectTerminal {
  return async (signal) => {
    const ref = await pool.acquire(host, signal);
    let disposed = false;
    const connection: TerminalConnection = {
      label: host,
      async openPty(request: PtyRequest, options: OpenOptions = {}): Promise<PtyChannel> {
        const c = await ref.connection(options.signal);
        // Long-lived: terminals leave the session slots file operations and commands need.
        const channel = await c.exec(request.command, {
          kind: 'long-lived',
          pty: { term: request.term, rows: request.rows, cols: request.cols },
          signal: options.signal,
          onWaiting: (wait) => options.onWaiting?.(wait.inUse),
        });
        return wrapChannel(channel);
      },
      async openCommand(command: string, options: OpenOptions = {}): Promise<PtyChannel> {
        const c = await ref.connection(options.signal);
        const channel = await c.exec(command, { kind: 'long-lived', signal: options.signal, onWaiting: (wait) => options.onWaiting?.(wait.inUse) });
        // No input: a task reads nothing, and a command waiting on stdin must see EOF, not hang.
        channel.end();
        return wrapChannel(channel);
      },
      async run(command, options = {}): Promise<CommandResult> {
        const c = await ref.connection(options.signal);
        const result = await exec(c, command, { timeoutMs: options.timeoutMs ?? 15_000, signal: options.signal }, log);
        return { code: result.code, stdout: result.stdout.toString('utf8') };
      },
      onDidReconnect: (listener) => ref.onDidReplaceConnection(() => listener()),
      dispose() {
        if (disposed) return;
        disposed = true;
        ref.release();
      },
    };
    return connection;
  };
}

function wrapChannel(channel: SessionChannel): PtyChannel {
  const exited = new Emitter<ChannelExit>();
  const closed = new Emitter<{ lost: boolean }>();
  const dropped = new Emitter<number>();
  // Paced by the channel's drain, bounded in between (writeQueue.ts).
  const input = new WriteQueue((data) => channel.write(data), (bytes) => dropped.fire(bytes));
  // The exit status (when one came) first, then the close, once.
  void channel.closed.then((end) => {
    if (end.code !== null || end.signal) exited.fire(toExit(end.code, end.signal));
    input.close();
    closed.fire({ lost: !!end.lost });
    exited.dispose();
    closed.dispose();
    dropped.dispose();
  });
  return {
    onData: (fn) => {
      // A PTY merges stderr into stdout; a server may still send extended data, so show both.
      const a = channel.onData(fn);
      const b = channel.onStderr(fn);
      return toDisposable(() => (a.dispose(), b.dispose()));
    },
    onExit: (fn) => exited.event(fn),
    onClose: (fn) => closed.event(fn),
    write: (data) => input.write(data),
    onDidDropInput: (fn) => dropped.event(fn),
    get pendingInput() {
      return input.pending;
    },
    resize: (rows, cols) => channel.resize(rows, cols),
    close: () => channel.close(),
  };
}

function toExit(code: number | null, signal?: string): ChannelExit {
  return typeof code === 'number' ? { code } : { code: null, signal: signal ?? undefined };
}
