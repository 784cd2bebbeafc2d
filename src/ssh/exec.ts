// Runs a command to completion on a connection: bounded by a timeout and an
// AbortSignal (the channel is closed and the run reported failed), with an audit
// line per run that names the host and the command's first word only.
import { Logger } from '../common/log';
import { SessionChannel } from './channels';
import { ExecChannelOptions, SshConnection } from './connection';
import { filterEnvironment } from './environment';
import { abortError, SshError, timeoutError } from './errors';

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
  /** Called if the command has to wait for a session slot (see ChannelScheduler). */
  readonly onWaiting?: ExecChannelOptions['onWaiting'];
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

/**
 * What the audit line names a command by: its first word when that is a plain program name.
 * A first word like `TOKEN=… ./deploy` (or anything with quotes or `$`) is not logged: it can
 * carry a secret the user typed into a task or an ad-hoc command.
 */
export function auditWord(command: string): string {
  const first = command.trim().split(/\s+/)[0] ?? '';
  return /^[A-Za-z0-9_./+-]{1,64}$/.test(first) ? first : '<command>';
}

/** The one audit line per remote command run: the host, the command's first word (auditWord), the outcome. */
export function auditLine(log: Logger, host: string, command: string, outcome: string, startedAt: number): void {
  log.info(`exec ${host}: ${auditWord(command)} → ${outcome} in ${Date.now() - startedAt} ms`);
}

export async function exec(connection: SshConnection, command: string, options: ExecOptions, log: Logger): Promise<ExecResult> {
  const started = Date.now();
  const firstWord = auditWord(command);
  const { env, withheld } = filterEnvironment(options.env ?? {});
  if (withheld.length) log.info(`exec: not sending ${withheld.length} secret-looking environment variable(s)`);
  const audit = (outcome: string) => auditLine(log, connection.label, command, outcome, started);

  // One signal for the caller's cancel and our own timeout; which one fired decides the error.
  const timeout = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const signal = timeout && options.signal ? AbortSignal.any([options.signal, timeout]) : (timeout ?? options.signal ?? new AbortController().signal);
  const timedOut = () => timeout?.aborted === true && !options.signal?.aborted;
  try {
    // Variables go through the command line, not `env` requests: sshd's AcceptEnv drops most names.
    const exports = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}; `).join('');
    const channel = await connection.exec(exports + buildCommand(command, options), { signal, onWaiting: options.onWaiting });
    const result = await collect(channel, options, signal);
    audit(result.signal ? `signal ${result.signal}` : `exit ${result.code}`);
    return result;
  } catch (err) {
    const final = timedOut() ? timeoutError(`${firstWord}: timed out after ${options.timeoutMs} ms`) : err;
    audit(SshError.is(final) ? final.reason : 'error');
    throw final;
  }
}

function collect(channel: SessionChannel, options: ExecOptions, signal: AbortSignal): Promise<ExecResult> {
  const max = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    const onAbort = () => {
      // sshd keeps a session (and its MaxSessions slot) until the process exits: signal it, then close.
      // (sshd ignores signals for root logins without privilege separation; the slot then frees on exit.)
      channel.signal('KILL');
      channel.close();
      reject(abortError('command'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    channel.onData((chunk) => {
      if (outBytes + chunk.length > max) truncated = true;
      else out.push(chunk);
      outBytes += chunk.length;
    });
    channel.onStderr((chunk) => {
      if (errBytes + chunk.length > max) truncated = true;
      else err.push(chunk);
      errBytes += chunk.length;
    });
    void channel.closed.then((exit) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return;
      if (exit.code === null && !exit.signal) return reject(new SshError('command: channel closed before the command exited (connection lost?)', 'unavailable'));
      resolve({ code: exit.code, signal: exit.signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), truncated });
    });
    channel.end(options.stdin);
  });
}
