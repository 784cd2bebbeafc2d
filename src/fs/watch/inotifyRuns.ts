// The inotifywait runs of one host: one exec channel per kind (recursive roots, single
// folders), started before the old ones stop so no change falls into a gap. It reports what
// the runs print, when a run has set every watch, and when a run ends that nobody stopped.
import { Logger } from '../../common/log';
import { StringDecoder } from 'string_decoder';
import { SessionChannel } from '../../ssh/channels';
import { SshConnection } from '../../ssh/connection';
import { shellQuote } from '../../ssh/exec';
import { InotifyOutput, inotifyCommand, RemoteChange } from './inotifyEvents';

/** A run that lasted this long had started, even if it never said so. */
const STARTED_MS = 30_000;
/** How long the old runs overlap the new ones. */
const OVERLAP_MS = 500;

export type Run = [paths: string[], recursive: boolean];

export interface RunEnd {
  /** The run had set its watches (or ran long enough to have): changes since it ended are unknown. */
  started: boolean;
  /** The remote has no inotifywait: watch by polling instead. */
  toolMissing: boolean;
  /** The remote's inotify limit (fs.inotify.max_user_watches or max_user_instances) is reached: watch by polling instead. */
  limitReached: boolean;
}

export interface RunListener {
  /** A change one run printed. */
  change(change: RemoteChange): void;
  /** A watched root went away: inotifywait does not see it come back, so the runs must start afresh. */
  rootGone(root: string): void;
  /** A run has set every watch. */
  started(paths: string[], recursive: boolean): void;
  /** A run ended that was not stopped here. */
  ended(end: RunEnd): void;
}

export class InotifyRuns {
  private channels: SessionChannel[] = [];
  /** The runs now active, to skip restarts that would change nothing. */
  private signature: string | undefined;
  private disposed = false;
  /** The server allows one session at a time, and the SFTP channel holds it: no run can ever start. */
  oneSession = false;

  constructor(
    private readonly host: string,
    private readonly listener: RunListener,
    private readonly log: Logger,
  ) {}

  get running(): boolean {
    return this.channels.length > 0;
  }

  /** Whether exactly `runs` are running already. */
  areRunning(runs: Run[], exclude?: string): boolean {
    return JSON.stringify([runs, exclude]) === this.signature && this.channels.length === runs.length;
  }

  /** Starts `runs` (leaving out paths matching the regex `exclude`), then stops the runs they replace. */
  async start(connection: SshConnection, runs: Run[], exclude?: string): Promise<void> {
    const previous = this.forget();
    try {
      for (const [paths, recursive] of runs) {
        // Long-lived: the watcher never takes the session slots file operations need. If the new
        // run has to wait for a slot, the old runs hold it: end them now rather than wait forever.
        const gaveUp = new AbortController();
        const onWaiting = (wait: { limit: number }) => {
          previous.splice(0).forEach((c) => c.close());
          // A server that allows one session (sshd's MaxSessions 1): the SFTP channel keeps it for the whole connection.
          if (wait.limit <= 1) {
            this.oneSession = true;
            gaveUp.abort();
          }
        };
        const channel = await connection.exec(inotifyCommand(paths, recursive, shellQuote, exclude), { kind: 'long-lived', onWaiting, signal: gaveUp.signal });
        // Disposed while it opened: nothing else would ever close it, and its inotifywait would run on.
        if (this.disposed) {
          channel.close();
          return;
        }
        this.channels.push(channel);
        this.follow(channel, paths, recursive);
      }
      this.signature = JSON.stringify([runs, exclude]);
    } finally {
      // The old runs go whatever happened here: nobody tracks them any more.
      if (this.disposed) previous.forEach((c) => c.close());
      else setTimeout(() => previous.forEach((c) => c.close()), OVERLAP_MS);
    }
  }

  /** The next start begins afresh even if it plans the same runs. */
  invalidate(): void {
    this.signature = undefined;
  }

  /** Stops every run now. */
  stop(): void {
    this.forget().forEach((c) => c.close());
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private follow(channel: SessionChannel, roots: string[], recursive: boolean): void {
    const output = new InotifyOutput(new Set(roots));
    const openedAt = Date.now();
    let established = false;
    let toolMissing = false;
    let limitReached = false;
    let stderr = '';
    const ours = () => !this.disposed && this.channels.includes(channel);
    const text = new StringDecoder('utf8');
    channel.onData((chunk) => {
      if (this.disposed) return;
      for (const change of output.push(text.write(chunk))) {
        this.listener.change(change);
        if (change.kind === 'deleted' && roots.includes(change.path)) {
          this.invalidate();
          this.listener.rootGone(change.path);
        }
      }
    });
    channel.onStderr((d) => {
      stderr = (stderr + d.toString()).slice(-4096);
      // inotifywait says so once it has set every watch: from now on no change is missed.
      if (!established && /Watches established/.test(stderr)) {
        established = true;
        if (ours()) this.listener.started(roots, recursive);
      }
    });
    void channel.closed.then(({ code }) => {
      if (!ours()) return;
      if (code === 127 || /not found/i.test(stderr)) {
        toolMissing = true;
      } else if (/upper limit on inotify (watches|instances) reached/i.test(stderr)) {
        // inotifywait's words for ENOSPC/EMFILE from inotify: retrying would fail the same way.
        limitReached = true;
        this.log.debug(`watch ${this.host}: inotifywait (${recursive ? 'recursive' : 'folders'}): ${stderr.trim()}`);
      } else {
        this.log.debug(`watch ${this.host}: inotifywait (${recursive ? 'recursive' : 'folders'}) ended with ${code}: ${stderr.trim()}`);
      }
      this.channels = this.channels.filter((c) => c !== channel);
      // A run that died setting up watched nothing: there is nothing to refresh.
      this.listener.ended({ started: established || Date.now() - openedAt >= STARTED_MS, toolMissing, limitReached });
    });
  }

  /** Forgets the runs and returns them; the caller closes them (now, or once replaced). */
  private forget(): SessionChannel[] {
    const channels = this.channels;
    this.channels = [];
    this.signature = undefined;
    return channels;
  }
}
