// Auto-forwarding of detected remote ports, shaped like VS Code's: each newly detected port is
// forwarded to the same local port (another free one unless its attributes require the same),
// according to its attributes' onAutoForward; one notice per poll, not one per port. A port
// whose listener goes away is un-forwarded; a port the user stopped is not forwarded again;
// after `maxAuto` auto-forwards it stops and says so once. Off means nothing is forwarded unasked.
import { Logger } from '../common/log';
import { ForwardRow, HostForwards } from './forwardManager';
import { LocalForwardSpec } from './forwardSpec';
import { OnAutoForward, PortAttributesMatcher } from './portAttributes';
import { nextFreePort } from './localListeners';
import { DetectedPorts, PortDetector } from './portDetector';

export interface AutoForwardSettings {
  readonly enabled: boolean;
  readonly attributes: PortAttributesMatcher;
  /** Auto-forwards per host before it stops (20: ephemeral test ports must not flood the view). */
  readonly maxAuto?: number;
  /**
   * Local ports other forwards hold or want (every host's, in any state, and remembered ones
   * not started yet). Auto-forwarding never takes one of them, even where the bind would work
   * (another forward on [::1]:3000 leaves 127.0.0.1:3000 free, and a browser's localhost:3000
   * would then reach either). This host's rows are always counted.
   */
  readonly claimedLocalPorts?: () => Iterable<number> | Promise<Iterable<number>>;
}

export type AutoForwardNotice =
  | { readonly kind: 'forwarded'; readonly rows: readonly { readonly row: ForwardRow; readonly action: OnAutoForward; readonly label?: string }[] }
  | { readonly kind: 'limit'; readonly max: number }
  /** Its attributes require the same local port and that one is taken: the user decides (`suggestedPort` is free). */
  | { readonly kind: 'unavailable'; readonly port: number; readonly reason: string; readonly suggestedPort?: number; readonly label?: string };

export const DEFAULT_MAX_AUTO_FORWARDS = 20;

/** Privileged ports and well-known local services (PostgreSQL, Redis, MySQL, Node inspector, MongoDB). */
const WELL_KNOWN_LOCAL = new Set([3306, 5432, 6379, 9229, 27017]);
function isLocalServicePort(port: number): boolean {
  return port < 1024 || WELL_KNOWN_LOCAL.has(port);
}

export class AutoForwarder {
  /** Remote port → id of the row auto-forwarding it. */
  private readonly auto = new Map<number, number>();
  /** Ports the user stopped: never auto-forwarded again in this session. */
  private readonly userStopped = new Set<number>();
  private autoCount = 0;
  private saidLimit = false;
  private readonly subs: { dispose(): void }[];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly detector: PortDetector,
    private readonly forwards: HostForwards,
    private readonly settings: () => AutoForwardSettings,
    private readonly notify: (notice: AutoForwardNotice) => void,
    private readonly log: Logger,
  ) {
    this.subs = [
      // Polls are handled one after another: a slow forward start must not interleave two.
      detector.onDidChange((change) => (this.chain = this.chain.then(() => this.onDetected(change)))),
      forwards.onDidStop((row) => this.onStopped(row)),
    ];
  }

  /** Detected ports nothing forwards yet (the view's "detected" rows). */
  get detected(): number[] {
    const forwarded = new Set(this.forwards.rows.flatMap((r) => (r.spec.kind === 'local' && r.spec.target.kind === 'tcp' && isLoopbackName(r.spec.target.host) ? [r.spec.target.port] : [])));
    return this.detector.ports.filter((p) => !forwarded.has(p));
  }

  /** Resolves when the detections seen so far have been handled (for tests and shutdown). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async onDetected(change: DetectedPorts): Promise<void> {
    for (const port of change.removed) {
      const id = this.auto.get(port);
      if (id === undefined) continue;
      this.auto.delete(port);
      this.log.info(`auto-forward: remote port ${port} stopped listening; forward removed`);
      await this.forwards.stop(id);
    }
    const settings = this.settings();
    if (!settings.enabled) return;
    const max = settings.maxAuto ?? DEFAULT_MAX_AUTO_FORWARDS;
    const done: { row: ForwardRow; action: OnAutoForward; label?: string }[] = [];
    // Once per poll, not once per port (a crafted table made that quadratic).
    const detected = new Set(this.detected);
    for (const port of change.added) {
      if (this.userStopped.has(port) || this.auto.has(port) || !detected.has(port)) continue;
      const { attributes, key } = settings.attributes.match(port);
      const action = attributes.onAutoForward ?? 'notify';
      if (action === 'ignore') continue;
      // A port local services use: taking it would catch this machine's own clients later.
      if (isLocalServicePort(port) && (key === undefined || attributes.onAutoForward === undefined)) {
        this.log.info(`auto-forward: remote port ${port} is one local services use; not forwarded automatically (forward it by hand, or give it an onAutoForward attribute)`);
        continue;
      }
      if (this.autoCount >= max) {
        if (!this.saidLimit) {
          this.saidLimit = true;
          this.log.info(`auto-forward: ${max} ports forwarded automatically on this host; not forwarding more (forward others by hand)`);
          this.notify({ kind: 'limit', max });
        }
        break;
      }
      const row = await this.forwardSamePort(port, attributes.requireLocalPort === true, attributes.label);
      if (!row) continue;
      this.autoCount++;
      this.auto.set(port, row.id);
      done.push({ row, action, label: attributes.label });
    }
    if (done.length) this.notify({ kind: 'forwarded', rows: done });
  }

  /** Local ports that another forward holds or wants. */
  private async claimed(): Promise<Set<number>> {
    const ports = new Set<number>((await this.settings().claimedLocalPorts?.()) ?? []);
    for (const r of this.forwards.rows) {
      if (r.spec.kind !== 'remote' && r.spec.listen.kind === 'tcp' && r.spec.listen.port !== 0) ports.add(r.spec.listen.port);
      if (r.localPort !== undefined) ports.add(r.localPort);
    }
    return ports;
  }

  /**
   * Forwards `port` to the same local port. When that is taken (bound by something else, or
   * claimed by another forward) it takes the next free unclaimed one, unless the attributes
   * require the same port: then nothing is forwarded and the user is asked.
   */
  private async forwardSamePort(port: number, requireLocalPort: boolean, label: string | undefined): Promise<ForwardRow | undefined> {
    // `localhost`: 127.0.0.1 and ::1 both, so a port something holds on either loopback counts as
    // taken, and a client of either reaches the forward, not a local server on the other.
    const spec = (localPort: number): LocalForwardSpec => ({ kind: 'local', listen: { kind: 'tcp', host: 'localhost', port: localPort }, target: { kind: 'tcp', host: 'localhost', port } });
    const claimed = await this.claimed();
    let localPort: number | undefined = port;
    let reason = claimed.has(port) ? `local port ${port} belongs to another forward` : undefined;
    // A few tries: a suggested port may be claimed too, or taken by the time it is bound.
    for (let attempt = 0; attempt < 5 && localPort !== undefined; attempt++) {
      if (claimed.has(localPort)) {
        if (requireLocalPort) break;
        localPort = await nextFreePort('localhost', localPort + 1, { skip: claimed });
        continue;
      }
      const row = await this.forwards.add(spec(localPort), 'auto');
      if (row.state !== 'failed') return row;
      await this.forwards.stop(row.id);
      reason ??= row.reason;
      if (requireLocalPort) {
        localPort = row.suggestedPort;
        break;
      }
      claimed.add(localPort);
      localPort = row.suggestedPort;
    }
    if (requireLocalPort) {
      const suggestedPort = localPort === port ? await nextFreePort('localhost', port + 1, { skip: claimed }) : localPort;
      const why = reason ?? `local port ${port} is taken`;
      this.log.warn(`auto-forward: remote port ${port} needs the same local port (requireLocalPort): ${why}`);
      this.notify({ kind: 'unavailable', port, reason: why, suggestedPort, label });
    } else {
      this.log.warn(`auto-forward: remote port ${port}: ${reason ?? 'no free local port'}`);
    }
    return undefined;
  }

  private onStopped(row: ForwardRow): void {
    if (row.origin !== 'auto' || row.spec.kind !== 'local' || row.spec.target.kind !== 'tcp') return;
    const port = row.spec.target.port;
    // Stopped by us (listener gone, failed start) clears `auto` first; anything else was the user.
    if (this.auto.get(port) === row.id) {
      this.auto.delete(port);
      this.userStopped.add(port);
    }
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '::1';
}
