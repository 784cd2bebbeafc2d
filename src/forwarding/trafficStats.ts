// Live numbers for a forward's row: open connections, totals and bytes each way.
import { Emitter } from '../common/event';

export interface TrafficSnapshot {
  readonly active: number;
  readonly opened: number;
  /** Connections that could not be forwarded (refused by the target, no connection). */
  readonly failed: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Why the last connection that could not be forwarded failed (e.g. the server's AllowTcpForwarding), for the row. */
  readonly lastFailure?: string;
}

export class TrafficStats {
  private value: { active: number; opened: number; failed: number; bytesUp: number; bytesDown: number; lastFailure?: string } = { active: 0, opened: 0, failed: 0, bytesUp: 0, bytesDown: 0 };
  private readonly changed = new Emitter<TrafficSnapshot>();
  /** Fires when a connection opens, closes or fails (not per byte: read `snapshot` for bytes). */
  readonly onDidChange = this.changed.event;

  get snapshot(): TrafficSnapshot {
    return { ...this.value };
  }

  opened(): void {
    this.value.active++;
    this.value.opened++;
    this.changed.fire(this.snapshot);
  }

  closed(): void {
    this.value.active--;
    this.changed.fire(this.snapshot);
  }

  failed(reason?: string): void {
    this.value.failed++;
    if (reason !== undefined) this.value.lastFailure = reason;
    this.changed.fire(this.snapshot);
  }

  readonly counters = {
    up: (n: number) => void (this.value.bytesUp += n),
    down: (n: number) => void (this.value.bytesDown += n),
  };

  dispose(): void {
    this.changed.dispose();
  }
}
