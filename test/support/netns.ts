// A test host in its own network namespace, joined to ours by a veth pair, so a test
// can cut the link (iptables DROP inside the namespace) without touching anything else.
// Addresses are a /30 of our own inside 10.213.0.0/16; traffic never leaves the machine.
import { execFileSync } from 'child_process';

export interface Netns {
  readonly name: string;
  /** Our side of the link. */
  readonly hostAddress: string;
  /** The namespace's side, where its servers listen. */
  readonly address: string;
  /** Drops every packet into and out of the namespace (a silent partition, no RST). */
  partition(): void;
  heal(): void;
  destroy(): void;
}

export function netnsAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const tool of ['ip', 'iptables']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install -y ${tool === 'ip' ? 'iproute2' : 'iptables'})`;
    }
  }
  return undefined;
}

function run(...args: string[]): void {
  execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10000 });
}

export function createNetns(): Netns {
  const id = `${process.pid % 1000}${Math.floor(Math.random() * 1000)}`;
  const name = `sbxt${id}`;
  const outer = `sbxo${id}`;
  const inner = `sbxi${id}`;
  const third = 1 + Math.floor(Math.random() * 250);
  const hostAddress = `10.213.${third}.1`;
  const address = `10.213.${third}.2`;
  run('ip', 'netns', 'add', name);
  try {
    run('ip', 'link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
    run('ip', 'link', 'set', inner, 'netns', name);
    run('ip', 'addr', 'add', `${hostAddress}/30`, 'dev', outer);
    run('ip', 'link', 'set', outer, 'up');
    run('ip', 'netns', 'exec', name, 'ip', 'addr', 'add', `${address}/30`, 'dev', inner);
    run('ip', 'netns', 'exec', name, 'ip', 'link', 'set', inner, 'up');
    run('ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    try {
      run('ip', 'link', 'del', outer);
    } catch {
      /* not created */
    }
    run('ip', 'netns', 'del', name);
    throw err;
  }
  let cut = false;
  return {
    name,
    hostAddress,
    address,
    partition() {
      if (cut) return;
      run('ip', 'netns', 'exec', name, 'iptables', '-I', 'INPUT', '-j', 'DROP');
      run('ip', 'netns', 'exec', name, 'iptables', '-I', 'OUTPUT', '-j', 'DROP');
      cut = true;
    },
    heal() {
      if (!cut) return;
      run('ip', 'netns', 'exec', name, 'iptables', '-D', 'INPUT', '-j', 'DROP');
      run('ip', 'netns', 'exec', name, 'iptables', '-D', 'OUTPUT', '-j', 'DROP');
      cut = false;
    },
    destroy() {
      try {
        run('ip', 'link', 'del', outer);
      } catch {
        /* gone with the namespace */
      }
      run('ip', 'netns', 'del', name);
    },
  };
}
