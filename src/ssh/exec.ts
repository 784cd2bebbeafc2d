// Runs a command to completion on a connection: bounded by a timeout and an
// AbortSignal (the channel is closed and the run reported failed), with an audit
// line per run that names the host and the command's first word only.
import { ClientChannel } from 'ssh2';
import { Logger } from '../common/log';
import { signalChannel, SshConnection } from './connection';
import { filterEnvironment } from './environment';
import { abortError, SshError } from './errors';

export interface ExecOptions {
  /** Variables to set for the command; secret-looking names are dropped. */
  readonly env?: Record<string, string | undefined>;
  /** Remote working directory. */
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Written to the command's stdin, which is then closed. */
  readonly stdin?: string | Buffer;
  /** Cap on captured output per stream (default 16 MiB); the rest is dropped and `truncated` set. */
  readonly maxOutputBytes?: number;
}

export interface ExecResult {
  readonly code: number | null;
  readonly signal: string | undefined;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly truncated: boolean;
}

/** POSIX shell single-quoting. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function buildCommand(command: string, options: Pick<ExecOptions, 'cwd'>): string {
  return options.cwd ? `cd ${shellQuote(options.cwd)} && ${command}` : command;
}

export async function exec(connection: SshConnection, command: string, options: ExecOptions, log: Logger): Promise<ExecResult> {
  const started = Date.now();
  const firstWord = command.trim().split(/\s+/)[0] ?? '';
  const { env, withheld } = filterEnvironment(options.env ?? {});
  if (withheld.length) log.info(`exec: not sending ${withheld.length} secret-looking environment variable(s)`);
  const audit = (outcome: string) => log.info(`exec ${connection.label}: ${firstWord} → ${outcome} in ${Date.now() - started} ms`);

  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs ? setTimeout(() => controller.abort(), options.timeoutMs) : undefined;
  const timedOut = () => timer !== undefined && controller.signal.aborted && !options.signal?.aborted;
  try {
    let channel: ClientChannel;
    try {
      // Variables go through the command line, not `env` requests: sshd's AcceptEnv drops most names.
      const exports = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}; `).join('');
      channel = await connection.exec(exports + buildCommand(command, options), {}, controller.signal);
    } catch (err) {
      if (SshError.is(err, 'cancelled') && timedOut()) throw new SshError(`${firstWord}: timed out after ${options.timeoutMs} ms`, 'timeout');
      throw err;
    }
    const result = await collect(channel, options, controller.signal);
    audit(result.signal ? `signal ${result.signal}` : `exit ${result.code}`);
    return result;
  } catch (err) {
    const final = timedOut() ? new SshError(`${firstWord}: timed out after ${options.timeoutMs} ms`, 'timeout') : err;
    audit(SshError.is(final) ? final.reason : 'error');
    throw final;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function collect(channel: ClientChannel, options: ExecOptions, signal: AbortSignal): Promise<ExecResult> {
  const max = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let code: number | null = null;
    let exitSignal: string | undefined;
    let sawExit = false;
    const onAbort = () => {
      // sshd keeps a session (and its MaxSessions slot) until the process exits: signal it, then close.
      // (sshd ignores signals for root logins without privilege separation; the slot then frees on exit.)
      signalChannel(channel, 'KILL');
      channel.close();
      reject(abortError('command'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    channel.on('data', (chunk: Buffer) => {
      if (outBytes + chunk.length > max) truncated = true;
      else out.push(chunk);
      outBytes += chunk.length;
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      if (errBytes + chunk.length > max) truncated = true;
      else err.push(chunk);
      errBytes += chunk.length;
    });
    channel.once('exit', (c: number | null, s?: string) => {
      sawExit = true;
      code = c;
      exitSignal = s ?? undefined;
    });
    // ssh2 emits 'exit' once, when the request arrives; a command that ends at once can exit
    // before these listeners exist (its packets parsed in the tick that opened the channel,
    // e.g. through a jump host). 'close' carries the same status (undefined when none came).
    channel.once('close', (closeCode?: number | null, closeSignal?: string) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return;
      if (!sawExit && closeCode !== undefined) {
        sawExit = true;
        code = closeCode;
        exitSignal = closeSignal ?? undefined;
      }
      if (!sawExit) return reject(new SshError('command: channel closed before the command exited (connection lost?)', 'unavailable'));
      resolve({ code, signal: exitSignal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), truncated });
    });
    if (options.stdin !== undefined) channel.end(options.stdin);
    else channel.end();
  });
}
