// code-server as the offline editor: an isolated profile (HOME, TMPDIR, XDG dirs, user
// data, extensions), started on a free loopback port, stopped by the PID of its group.
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { freePort } from '../support/sshd';
import { runCommand, sleep, startGroup, Started, tail } from './childProcesses';
import { CodeServerInstall } from './editorTools';
import { makeTempDir, removeDir } from './paths';

export interface Profile {
  readonly root: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** HOME, TMPDIR and XDG dirs inside `root`: code-server and Chromium write there. */
  readonly env: NodeJS.ProcessEnv;
  remove(): void;
}

export function createProfile(prefix = 'sbx-editor-'): Profile {
  const root = makeTempDir(prefix);
  const dir = (name: string) => {
    const d = path.join(root, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir('home'),
    TMPDIR: dir('tmp'),
    XDG_CONFIG_HOME: dir('xdg/config'),
    XDG_DATA_HOME: dir('xdg/data'),
    XDG_CACHE_HOME: dir('xdg/cache'),
    XDG_RUNTIME_DIR: dir('xdg/runtime'),
  };
  // Variables of an enclosing editor or npm run would leak into the extension host.
  for (const key of Object.keys(env)) if (/^(VSCODE_|ELECTRON_)/.test(key)) delete env[key];
  return { root, userDataDir: dir('user-data'), extensionsDir: dir('extensions'), env, remove: () => removeDir(root) };
}

function codeServerArgs(profile: Profile): string[] {
  const config = path.join(profile.root, 'config.yaml');
  if (!fs.existsSync(config)) fs.writeFileSync(config, 'auth: none\ncert: false\n');
  return ['--config', config, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];
}

export async function installExtension(install: CodeServerInstall, profile: Profile, vsix: string): Promise<string> {
  const { output } = await runCommand(install.node, [install.entry, ...codeServerArgs(profile), '--install-extension', vsix], {
    label: `code-server --install-extension ${path.basename(vsix)}`,
    timeoutMs: 2 * 60_000,
    env: profile.env,
  });
  return output;
}

export interface CodeServer {
  readonly port: number;
  /** http://127.0.0.1:<port>; the authority of vscode-remote:// URIs is the same host:port. */
  readonly url: string;
  readonly authority: string;
  readonly pid: number;
  log(): string;
  /** Workbench URL opening a folder (or a `.code-workspace` file), with optional development payload pairs. */
  workbenchUrl(folder: string, payload?: Array<[string, string]>, open?: 'folder' | 'workspace'): string;
  /** vscode-remote:// URI of a path on this server's machine. */
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
}

function get(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export async function startCodeServer(install: CodeServerInstall, profile: Profile, options: { env?: NodeJS.ProcessEnv; startTimeoutMs?: number; offline?: boolean; workspaceTrust?: boolean } = {}): Promise<CodeServer> {
  const logFile = path.join(profile.root, 'code-server.log');
  const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  // The port was free when picked, but anything may bind it before code-server does: pick another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const started = await startOnPort(install, profile, options, port, logFile, readLog);
    if (started) return started;
    if (attempt >= 5) throw new Error(`code-server found its port taken ${attempt} times. Its log:\n${tail(readLog())}`);
  }
}

/** code-server on `port`, or undefined when something else took the port first. */
async function startOnPort(
  install: CodeServerInstall,
  profile: Profile,
  options: { env?: NodeJS.ProcessEnv; startTimeoutMs?: number; offline?: boolean; workspaceTrust?: boolean },
  port: number,
  logFile: string,
  readLog: () => string,
): Promise<CodeServer | undefined> {
  const authority = `127.0.0.1:${port}`;
  const logFrom = readLog().length;
  const out = fs.openSync(logFile, 'a');
  let server: Started;
  try {
    server = startGroup(
      install.node,
      [
        install.entry,
        ...codeServerArgs(profile),
        '--auth',
        'none',
        '--bind-addr',
        authority,
        '--disable-telemetry',
        '--disable-update-check',
        // Tests of the trust boundary run with trust on, as users have it.
        ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
        // Without it the workbench ignores extensionDevelopmentPath/extensionTestsPath.
        '--vscode-option',
        'enable-smoke-test-driver',
      ],
      {
        label: 'code-server',
        // An empty gallery stops extension update lookups that fail offline and clutter logs.
        env: { ...profile.env, ...(options.offline ? { EXTENSIONS_GALLERY: '{}' } : {}), ...options.env },
        stdio: ['ignore', out, out],
      },
    );
  } finally {
    fs.closeSync(out);
  }
  const url = `http://${authority}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  server.exited.then((c) => (exitCode = c));
  // Our own code-server must say it listens: another one that took the port would answer /healthz too.
  const listening = () => readLog().slice(logFrom).includes(`HTTP server listening on ${url}/`);
  for (;;) {
    if (listening() && (await get(`${url}/healthz`, 2000)) === 200) break;
    if (exitCode !== undefined || Date.now() > deadline) {
      await server.stop();
      if (exitCode !== undefined && /EADDRINUSE/.test(readLog().slice(logFrom))) return undefined;
      const why = exitCode !== undefined ? `exited with code ${exitCode}` : 'did not answer /healthz in time';
      throw new Error(`code-server ${why}. Its log:\n${tail(readLog())}`);
    }
    await sleep(200);
  }
  const remoteUri = (absPath: string) => `vscode-remote://${authority}${absPath}`;
  return {
    port,
    url,
    authority,
    pid: server.pid,
    log: readLog,
    remoteUri,
    workbenchUrl(folder, payload) {
      // A path opens a folder on this server; a URI (sbx://…) opens it as given; a
      // .code-workspace file opens as a workspace.
      const kind = /\.code-workspace$/.test(folder) ? 'workspace' : 'folder';
      const query = [`${kind}=${encodeURIComponent(folder)}`];
      if (payload?.length) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return `${url}/?${query.join('&')}`;
    },
    stop: () => server.stop(),
  };
}
