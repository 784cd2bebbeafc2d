// Real OpenSSH sshd processes for tests: loopback only, ephemeral ports, keys
// generated per run in a temp dir, killed by PID in stop().
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { killAndWait, track } from './processes';

export const SSHD_PATH = ['/usr/sbin/sshd', '/usr/local/sbin/sshd'].find((p) => fs.existsSync(p));
/** OpenSSH's stand-alone SFTP server (Debian's path, then a source build's). */
export const SFTP_SERVER_PATH = ['/usr/lib/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/local/libexec/sftp-server'].find((p) => fs.existsSync(p));

export function requireSshd(): string {
  if (!SSHD_PATH) {
    throw new Error('OpenSSH sshd was not found. Install it with: sudo apt-get install -y openssh-server');
  }
  // A root-run sshd insists on its privilege separation directory.
  if (process.getuid?.() === 0 && !fs.existsSync('/run/sshd')) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  return SSHD_PATH;
}

export interface KeyPair {
  privatePath: string;
  publicPath: string;
  publicKey: string;
}

export function generateKey(file: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', passphrase = ''): KeyPair {
  const args = ['-q', '-t', type, '-N', passphrase, '-C', `test-${path.basename(file)}`, '-f', file];
  if (type === 'rsa') args.splice(3, 0, '-b', '2048');
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  return { privatePath: file, publicPath: `${file}.pub`, publicKey: fs.readFileSync(`${file}.pub`, 'utf8').trim() };
}

export function makeTempDir(prefix = 'sbx-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A port nothing listens on right now. Another process may take it before the caller binds
 * it: only for ports that must stay closed, or with a retry on EADDRINUSE (as startSshd does).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something on the port answers with an SSH banner. */
export async function waitForBanner(port: number, timeoutMs = 10000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      const done = (v: boolean) => {
        socket.destroy();
        resolve(v);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
      socket.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SshdOptions {
  /** sshd's MaxSessions (session channels per connection). */
  maxSessions?: number;
  /** Extra sshd_config lines, appended before any Match block. */
  extraConfig?: string[];
  /** Host key type to generate; default ed25519. */
  hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa';
  /** Share another sshd's user key (e.g. a jump host and its target). */
  userKey?: KeyPair;
  /** Also read `<root>/.ssh/authorized_keys` (as a user's `~/.ssh/authorized_keys`, with `root` as home). */
  rootAuthorizedKeys?: boolean;
  /** Authorized public keys besides the generated user key. */
  authorizedKeys?: string[];
  /** Keep sshd's debug log (LogLevel DEBUG1) in dir/sshd.log. */
  debugLog?: boolean;
  /** sshd's LogLevel when a test needs a deeper one (e.g. DEBUG2 logs "fd N setting TCP_NODELAY"); overrides debugLog. */
  logLevel?: 'INFO' | 'VERBOSE' | 'DEBUG1' | 'DEBUG2' | 'DEBUG3';
  /** Run sshd inside this network namespace (see netns.ts), listening on `listenAddress`. */
  netns?: string;
  listenAddress?: string;
  /** Options for internal-sftp, e.g. `-P copy-data` (requests the server refuses and does not announce). */
  sftpOptions?: string;
  /** SFTP sessions start in `root` (internal-sftp -d): REALPATH of "." — the login directory we treat as home — is `root`. */
  sftpStartInRoot?: boolean;
  /** Serve SFTP with this program instead of internal-sftp, e.g. SFTP_SERVER_PATH: a process of its own a test can stop. */
  sftpServer?: string;
  /** Mount a tmpfs of this many KiB at `root` in sshd's own mount namespace (a small disk that fills up). */
  tmpfsRootKiB?: number;
  /** Bind-mount local files over names in `root`, in sshd's own mount namespace only (as Docker's `-v ./app.yml:/app/app.yml`). */
  bindMounts?: { source: string; target: string }[];
  /** The port to try first (default: one free when picked); a taken one is replaced by another. */
  firstPort?: number;
  /** `ulimit -n` for sshd and every session and sftp-server under it (prlimit, which execs in place). */
  maxOpenFiles?: number;
  /**
   * More login names for this machine's user (same uid, home and shell), as sandbox gateways name
   * the SSH user after the sandbox id: a copy of /etc/passwd with them is bind-mounted over it in
   * sshd's own mount namespace only (needs root, like the other mounts).
   */
  loginNames?: string[];
}

export interface Sshd {
  readonly dir: string;
  readonly port: number;
  /** Where sshd listens: 127.0.0.1, or the namespace's address. */
  readonly host: string;
  readonly user: string;
  readonly userKey: KeyPair;
  readonly hostKey: KeyPair;
  readonly configPath: string;
  /** Home for remote test files; the sshd user owns it. */
  readonly root: string;
  readonly pid: number | undefined;
  /** known_hosts line for this sshd, as `[127.0.0.1]:port type key`. */
  knownHostsLine(): string;
  /** Writes a client ssh_config with this host as `alias`; returns its path. */
  writeClientConfig(alias: string, extra?: string[]): string;
  /** Replaces the host key with a fresh one and restarts sshd on the same port. */
  rotateHostKey(): Promise<void>;
  /** Starts sshd again after stop()/kill on the same port, keys and config. */
  restart(): Promise<void>;
  /** SIGKILL: a crashed server, connections die without a goodbye. */
  kill(): Promise<void>;
  /** SIGKILLs every connection's processes (and what they run) while the listener stays: a dropped link that can reconnect at once. */
  dropConnections(): void;
  /** TMUX_TMPDIR of this sshd's sessions (each sshd has its own tmux servers). */
  readonly tmuxTmpdir: string;
  /** Runs `tmux -L <socket> <args>` here against this sshd's tmux server; its stdout. Throws when tmux fails. */
  tmux(socket: string, ...args: string[]): string;
  /** Reads sshd's log (empty unless debugLog). */
  log(): string;
  stop(): Promise<void>;
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const sshd = requireSshd();
  const dir = makeTempDir('sbx-sshd-');
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  // A tmux server per sshd (its sockets under here): sessions never leak onto the machine's
  // own tmux, and a server never carries one test's HOME into another test's sessions.
  const tmuxTmpdir = path.join(dir, 'tmux');
  fs.mkdirSync(tmuxTmpdir, { mode: 0o700 });
  const hostKeyPath = path.join(dir, 'host_key');
  let hostKey = generateKey(hostKeyPath, options.hostKeyType ?? 'ed25519');
  const userKey = options.userKey ?? generateKey(path.join(dir, 'user_key'));
  const authorizedKeysPath = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorizedKeysPath, [userKey.publicKey, ...(options.authorizedKeys ?? [])].join('\n') + '\n', { mode: 0o600 });
  let port = options.firstPort ?? (await freePort());
  const listenAddress = options.listenAddress ?? '127.0.0.1';
  const user = os.userInfo().username;
  const logPath = path.join(dir, 'sshd.log');
  const configPath = path.join(dir, 'sshd_config');
  const config = () => [
    `Port ${port}`,
    `ListenAddress ${listenAddress}`,
    `HostKey ${hostKeyPath}`,
    `AuthorizedKeysFile ${authorizedKeysPath}${options.rootAuthorizedKeys ? ` ${path.join(root, '.ssh', 'authorized_keys')}` : ''}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes',
    'PermitUserEnvironment no',
    'AcceptEnv LANG LC_* SBX_*',
    `Subsystem sftp ${options.sftpServer ?? 'internal-sftp'}${options.sftpOptions ? ' ' + options.sftpOptions : ''}${options.sftpStartInRoot ? ` -d ${root}` : ''}`,
    `MaxSessions ${options.maxSessions ?? 10}`,
    'MaxStartups 100:30:200',
    'LoginGraceTime 30',
    `LogLevel ${options.logLevel ?? (options.debugLog ? 'DEBUG1' : 'INFO')}`,
    // Remote shells read $HOME/.bashrc (bash does for every sshd login) from a fresh, empty
    // home: the machine's own rc files (a pyenv init that waits 60 s on a lock a killed
    // session left behind) must not decide whether a test passes.
    // sshd takes only the first SetEnv line: the caller's variables join this one.
    ['SetEnv', `HOME=${home}`, `TMUX_TMPDIR=${tmuxTmpdir}`, ...(options.extraConfig ?? []).filter((l) => /^SetEnv\s/i.test(l)).map((l) => l.replace(/^SetEnv\s+/i, ''))].join(' '),
    ...(options.extraConfig ?? []).filter((l) => !/^SetEnv\s/i.test(l)),
  ];

  let child: ChildProcess | undefined;
  const start = async () => {
    fs.writeFileSync(configPath, config().join('\n') + '\n');
    const logFrom = readLog().length;
    // -D: stay in the foreground so the PID we hold is sshd's; -E: log to a file.
    const args = ['-D', '-f', configPath, '-E', logPath];
    // `ip netns exec` execs sshd in place, so the PID we hold is still sshd's.
    let argv = [sshd, ...args];
    // unshare + sh exec in place too: the tmpfs exists only in sshd's mount namespace.
    // Paths are passed as arguments ($1, $2, …), never spliced into the script.
    const mounts: string[] = [];
    const mountArgs: string[] = [];
    if (options.tmpfsRootKiB) {
      mountArgs.push(root);
      mounts.push(`mount -t tmpfs -o size=${options.tmpfsRootKiB}k tmpfs "$${mountArgs.length}"`);
    }
    if (options.loginNames?.length) {
      const passwd = fs.readFileSync('/etc/passwd', 'utf8');
      const mine = passwd.split('\n').find((l) => l.startsWith(`${user}:`));
      if (!mine) throw new Error(`no /etc/passwd line for ${user}`);
      const copy = path.join(dir, 'passwd');
      fs.writeFileSync(copy, passwd.replace(/\n*$/, '\n') + options.loginNames.map((n) => `${n}${mine.slice(user.length)}\n`).join(''));
      mountArgs.push(copy, '/etc/passwd');
      mounts.push(`mount --bind "$${mountArgs.length - 1}" "$${mountArgs.length}"`);
    }
    for (const bind of options.bindMounts ?? []) {
      const target = path.join(root, bind.target);
      fs.writeFileSync(target, '');
      mountArgs.push(bind.source, target);
      mounts.push(`mount --bind "$${mountArgs.length - 1}" "$${mountArgs.length}"`);
    }
    if (mounts.length) {
      const n = mountArgs.length;
      argv = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${mounts.join(' && ')} && shift ${n} && exec "$@"`, 'sh', ...mountArgs, ...argv];
    }
    if (options.maxOpenFiles) argv = ['prlimit', `--nofile=${options.maxOpenFiles}`, '--', ...argv];
    if (options.netns) argv = ['ip', 'netns', 'exec', options.netns, ...argv];
    child = track(spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<never>((_, reject) =>
      child!.once('exit', (code) => reject(new SshdExited(`sshd exited early (code ${code}): ${stderr}${readLog()}`, readLog().slice(logFrom)))),
    );
    // Our own sshd says it listens (another process that took the port could answer a banner too).
    await Promise.race([waitForLine(readLog, logFrom, /Server listening on /, 10000), exited]);
    await Promise.race([waitForBanner(port, 10000, listenAddress), exited]);
  };
  const readLog = () => (fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '');
  const stopChild = async (signal: 'SIGTERM' | 'SIGKILL') => {
    if (!child) return;
    const c = child;
    child = undefined;
    // Per-connection sshd processes call setsid() and outlive their listener: end them too,
    // so "sshd died" really drops every connection and nothing survives the test.
    const sessions = descendants(c.pid);
    if (signal === 'SIGKILL') {
      if (c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await gone;
      }
    } else {
      await killAndWait(c);
    }
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  // The port was free when picked, but anything may bind it before sshd does: pick another.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      if (!(err instanceof SshdExited && /Address already in use/.test(err.log)) || attempt >= 5) throw err;
      port = await freePort();
    }
  }

  const result: Sshd = {
    dir,
    port,
    host: listenAddress,
    user,
    userKey,
    get hostKey() {
      return hostKey;
    },
    configPath,
    root,
    get pid() {
      return child?.pid;
    },
    dropConnections() {
      for (const pid of descendants(child?.pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
    knownHostsLine() {
      const [type, key] = hostKey.publicKey.split(/\s+/);
      return `[${listenAddress}]:${port} ${type} ${key}`;
    },
    writeClientConfig(alias, extra = []) {
      const file = path.join(dir, `ssh_config_${alias}`);
      const knownHosts = path.join(dir, 'client_known_hosts');
      if (!fs.existsSync(knownHosts)) fs.writeFileSync(knownHosts, result.knownHostsLine() + '\n');
      fs.writeFileSync(
        file,
        [
          `Host ${alias}`,
          `  HostName ${listenAddress}`,
          `  Port ${port}`,
          `  User ${user}`,
          `  IdentityFile ${userKey.privatePath}`,
          '  IdentitiesOnly yes',
          `  UserKnownHostsFile ${knownHosts}`,
          '  StrictHostKeyChecking yes',
          ...extra.map((l) => `  ${l}`),
        ].join('\n') + '\n',
      );
      return file;
    },
    async rotateHostKey() {
      await stopChild('SIGTERM');
      fs.rmSync(hostKeyPath, { force: true });
      fs.rmSync(`${hostKeyPath}.pub`, { force: true });
      hostKey = generateKey(hostKeyPath, options.hostKeyType ?? 'ed25519');
      await start();
    },
    async restart() {
      await stopChild('SIGTERM');
      await start();
    },
    async kill() {
      await stopChild('SIGKILL');
    },
    log: readLog,
    tmuxTmpdir,
    tmux(socket, ...args) {
      return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, TMUX_TMPDIR: tmuxTmpdir }, stdio: ['ignore', 'pipe', 'ignore'] });
    },
    async stop() {
      await stopChild('SIGTERM');
      killTmuxServers(tmuxTmpdir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return result;
}

/** Ends every tmux server whose socket is under `tmuxTmpdir` (they outlive sshd: tmux daemonizes). */
function killTmuxServers(tmuxTmpdir: string): void {
  const sockets = path.join(tmuxTmpdir, `tmux-${process.getuid?.() ?? 0}`);
  if (!fs.existsSync(sockets)) return;
  for (const name of fs.readdirSync(sockets)) {
    try {
      execFileSync('tmux', ['-S', path.join(sockets, name), 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* not a live server */
    }
  }
}

class SshdExited extends Error {
  constructor(
    message: string,
    /** What sshd logged in this start. */
    readonly log: string,
  ) {
    super(message);
  }
}

async function waitForLine(read: () => string, from: number, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read().slice(from))) {
    if (Date.now() > deadline) throw new Error(`sshd did not log ${pattern} within ${timeoutMs} ms: ${read().slice(from)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * PIDs of every process below `pid` (children of a dead parent are reparented, so read first),
 * from /proc/<pid>/task/<tid>/children: only the test's own processes are looked at.
 */
export function descendants(pid: number | undefined): number[] {
  if (!pid) return [];
  const found: number[] = [];
  const visit = (p: number) => {
    for (const c of childrenOf(p)) {
      found.push(c);
      visit(c);
    }
  };
  visit(pid);
  return found;
}

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // gone
  }
  return tasks.flatMap((tid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** A stdio-bridged sandbox: the client runs `sshd -i -f <config>` as its ProxyCommand. */
export function stdioBridgeCommand(server: Sshd): string {
  return `${requireSshd()} -i -f ${server.configPath} -E ${path.join(server.dir, 'sshd-i.log')}`;
}
