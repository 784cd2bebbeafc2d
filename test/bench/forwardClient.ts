// The side of the forward bench that runs our code: a LocalForward (src/forwarding) over the
// real ConnectionPool, bundled the way the extension ships (ssh2 without its native addon).
import { LocalForward } from '../../src/forwarding/localForward';
import { acquireForwardingHost } from '../../src/forwarding/sshConnectionPort';
import { memoryLog, targetFor, testPool } from '../support/targets';
import type { Sshd } from '../support/sshd';

export { nativeAddonLoaded } from './addon';

export interface OurForward {
  readonly port: number;
  close(): Promise<void>;
}

/** A local forward 127.0.0.1:<free> → 127.0.0.1:targetPort over one pooled connection to `sshd`. */
export async function startForward(sshd: Sshd, targetPort: number): Promise<OurForward> {
  const pool = testPool({ targets: { bench: targetFor(sshd) }, hostKeys: [sshd.hostKey.publicKey] });
  const host = await acquireForwardingHost(pool, 'bench');
  const log = memoryLog();
  const forward = await LocalForward.start({ host, log, spec: { kind: 'local', listen: { kind: 'tcp', host: '127.0.0.1', port: 0 }, target: { kind: 'tcp', host: '127.0.0.1', port: targetPort } } });
  return {
    port: forward.localPort!,
    async close() {
      await forward.dispose();
      host.release();
      await pool.dispose();
    },
  };
}
