// Polls the remote's listening TCP ports from /proc/net/tcp{,6} over the connection's SFTP
// channel: no exec per poll, at most two small reads every interval, each capped in size. One
// poll at a time (the next is scheduled after the last finished), so a slow server slows the
// polling instead of piling requests up.
import { Emitter } from '../common/event';
import { Logger } from '../common/log';
import { ForwardingHost } from './connectionPort';
import { isLocalOrAny, ListeningSocket, listeningPorts, parseProcNetTcp } from './procNetTcp';

export interface DetectorOptions {
  readonly intervalMs?: number;
  /** Bytes read of each file at most (a busy host has ~150 bytes a socket). */
  readonly maxBytes?: number;
}

export interface DetectedPorts {
  readonly ports: readonly number[];
  readonly added: readonly number[];
  readonly removed: readonly number[];
  readonly sockets: readonly ListeningSocket[];
}

export const DEFAULT_DETECT_INTERVAL_MS = 3000;
export const DEFAULT_PROC_MAX_BYTES = 512 * 1024;
/** Ports handled and shown per host at most (the lowest ones): a crafted table holds ~11,000. */
export const MAX_DETECTED_PORTS = 1000;

export class PortDetector {
  private readonly changed = new Emitter<DetectedPorts>();
  /** Fires after a poll that found ports appear or go away (and after the first poll). */
  readonly onDidChange = this.changed.event;
  private current: number[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private disposed = false;
  private warnedTruncated = false;
  private warnedTooMany = false;
  private lastError: string | undefined;
  /** Polls done, for tests and the log. */
  polls = 0;

  constructor(
    private readonly host: ForwardingHost,
    private readonly log: Logger,
    private readonly options: DetectorOptions = {},
  ) {}

  get ports(): readonly number[] {
    return this.current ?? [];
  }

  start(): void {
    if (this.running || this.disposed) return;
    this.running = true;
    void this.tick();
  }

  private async tick(): Promise<void> {
    await this.poll();
    if (this.running) this.schedule();
  }

  private schedule(): void {
    if (this.disposed) return;
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs ?? DEFAULT_DETECT_INTERVAL_MS);
    this.timer.unref?.();
  }

  /** One poll now; resolves when done. Errors are logged once per distinct message and polling goes on. */
  async poll(): Promise<void> {
    if (this.disposed) return;
    try {
      // Only while connected: detection must not bring a dropped connection back by itself.
      if (this.host.state !== 'connected') return;
      const channels = await this.host.channels();
      const maxBytes = this.options.maxBytes ?? DEFAULT_PROC_MAX_BYTES;
      const [v4, v6] = await Promise.all([
        channels.readFileCapped('/proc/net/tcp', maxBytes),
        channels.readFileCapped('/proc/net/tcp6', maxBytes).catch(() => ({ data: Buffer.alloc(0), truncated: false })), // no IPv6 there
      ]);
      if ((v4.truncated || v6.truncated) && !this.warnedTruncated) {
        this.warnedTruncated = true;
        this.log.warn(`port detection on ${this.host.name}: the socket table is larger than ${maxBytes} bytes; ports past that are not seen`);
      }
      const sockets = [...parseProcNetTcp(v4.data.toString('latin1'), 4), ...parseProcNetTcp(v6.data.toString('latin1'), 6)].filter(isLocalOrAny);
      this.polls++;
      this.lastError = undefined;
      this.update(sockets);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.log.warn(`port detection on ${this.host.name}: ${message}`);
      this.lastError = message;
    }
  }

  private update(sockets: ListeningSocket[]): void {
    let ports = listeningPorts(sockets);
    if (ports.length > MAX_DETECTED_PORTS) {
      if (!this.warnedTooMany) {
        this.warnedTooMany = true;
        this.log.warn(`port detection on ${this.host.name}: ${ports.length} listening ports; only the lowest ${MAX_DETECTED_PORTS} are shown and auto-forwarded`);
      }
      ports = ports.slice(0, MAX_DETECTED_PORTS);
    }
    const before = new Set(this.current ?? []);
    const now = new Set(ports);
    const added = ports.filter((p) => !before.has(p));
    const removed = [...before].filter((p) => !now.has(p));
    const first = this.current === undefined;
    this.current = ports;
    if (first || added.length || removed.length) this.changed.fire({ ports, added, removed, sockets });
  }

  dispose(): void {
    this.disposed = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}
