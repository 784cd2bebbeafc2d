// Live numbers for a forward's row: open connections, totals and bytes each way.
import { Emitter } from '../common/event';

export interface TrafficSnapshot {
  readonly active: number;
  readonly opened: number;
  /** Connections that could not be forwarded (refused by the target, no connection). */
  readonly failed: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
}

export class TrafficStats {
  private value = { active: 0, opened: 0, failed: 0, bytesUp: 0, bytesDown: 0 };
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

  failed(): void {
    this.value.failed++;
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
