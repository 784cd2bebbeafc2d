// The byte stream an SSH connection runs over: a TCP socket we create ourselves
// (with TCP_NODELAY: ssh2 never sets it, and without it every small request waits
// ~40 ms for a delayed ACK), or a ProxyCommand's stdio.
import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';
import { Duplex, Writable } from 'stream';
import { Logger } from '../common/log';
import { withDeadline } from '../common/time';
import { abortError, fromErrno, sshDeadline, SshError, timeoutError } from './errors';

export interface Transport {
  readonly stream: Duplex;
  /** Ends whatever the transport started (socket, child process, jump channel). */
  dispose(): void;
}

export async function connectTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Transport> {
  const target = `${host}:${port}`;
  if (signal?.aborted) throw abortError(`connect to ${target}`);
  const socket = net.connect({ host, port, noDelay: true });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const errno = fromErrno(err.code);
      const why = errno ? `${errno.text} (${err.code})` : (err.code ?? err.message);
      reject(new SshError(`could not reach ${target}: ${why}`, 'unavailable', { cause: err, code: errno?.code, target }));
    });
    socket.once('connect', resolve);
  });
  try {
    await withDeadline(connected, {
      ms: timeoutMs,
      signal,
      what: `connect to ${target}`,
      ...sshDeadline({ target }),
      timeout: () => timeoutError(`could not reach ${target}: no answer within ${timeoutMs / 1000} s`, { target }),
    });
  } catch (err) {
    socket.destroy();
    throw err;
  }
  socket.removeAllListeners('error');
  socket.setNoDelay(true);
  coalesceWrites(socket);
  return { stream: socket, dispose: () => socket.destroy() };
}

/**
 * Without its native addon ssh2 writes every packet as three or four writes (length,
 * ciphertext, tag); on a TCP_NODELAY socket each one is a syscall and a segment of its own,
 * and through a jump host each one is a whole SSH packet of the outer connection. Writes made
 * in one tick are corked and leave together when the tick ends, which adds no latency: the
 * tick's own work was going to finish first anyway. Streams without a vectored write get one
 * that joins the chunks.
 */
export function coalesceWrites<S extends Writable>(stream: S): S {
  if (!stream._writev) {
    stream._writev = function (this: Writable, chunks: { chunk: Buffer }[], done: (err?: Error | null) => void) {
      this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'buffer' as BufferEncoding, done);
    };
  }
  const write = stream.write;
  let corked = false;
  const flush = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function (this: S, ...args: Parameters<Writable['write']>) {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(flush);
    }
    return write.apply(this, args);
  } as Writable['write'];
  return stream;
}

/**
 * Runs `command` through /bin/sh like OpenSSH does and speaks SSH over its stdin/stdout.
 * stderr goes to the log; the child is killed when the transport is disposed.
 */
export function spawnProxyCommand(command: string, log: Logger): Transport {
  const child = spawn('/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) log.info(`ProxyCommand: ${line.trimEnd()}`);
  });
  const stream = coalesceWrites(new ChildStream(child));
  child.once('exit', (code, sig) => {
    log.debug(`ProxyCommand exited (${sig ?? code})`);
    stream.destroy();
  });
  child.once('error', (err) => stream.destroy(new SshError(`ProxyCommand failed to start: ${err.message}`, 'unavailable', { cause: err })));
  return {
    stream,
    dispose: () => {
      stream.destroy();
      killChild(child);
    },
  };
}

function killChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

/** A Duplex over a child's stdout (readable side) and stdin (writable side). */
class ChildStream extends Duplex {
  constructor(private readonly child: ChildProcess) {
    super();
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout!.pause();
    });
    child.stdout!.once('end', () => this.push(null));
    child.stdin!.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.child.stdin!.write(chunk, done);
  }

  /** One writev on the pipe for everything written in a tick (see coalesceWrites). */
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    const stdin = this.child.stdin!;
    stdin.cork();
    chunks.forEach((c, i) => stdin.write(c.chunk, i === chunks.length - 1 ? done : undefined));
    stdin.uncork();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.child.stdin!.end(done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.child.stdin!.destroy();
    this.child.stdout!.destroy();
    done(err);
  }
}
