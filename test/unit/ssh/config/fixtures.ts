// The ssh_config parity corpus (test/fixtures/ssh_config): each `NN-name.conf` is a config
// whose leading comments say what to ask for:
//   # aliases: a b c          hosts to resolve (required; `user@host` and ssh:// URIs as ssh takes them)
//   # hops: u@h:22 h2         ProxyJump hops to resolve as ssh resolves each hop: `ssh -l u -p 22 h`
//   # mode: default-files     install it as ~/.ssh/config and run ssh without -F (needs a mount namespace)
//   # env: NAME=value ...     extra environment for ${NAME} references
//   # differs: <id>           a documented deliberate difference (see parity.test.ts)
// An optional directory `NN-name/` beside it holds `home/` (becomes $HOME, or ~ in default-files
// mode), `etc/` (becomes /etc/ssh in default-files mode) and anything else; `@DIR@` in any of
// these files is replaced with the absolute path of the materialised copy.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Fixture {
  readonly name: string;
  readonly file: string;
  readonly aliases: string[];
  /** ProxyJump hops, each compared with `ssh -l user -p port -G host`. */
  readonly hops: string[];
  readonly defaultFiles: boolean;
  readonly env: Record<string, string>;
  readonly differs?: string;
}

export interface Materialised {
  readonly dir: string;
  readonly home: string;
  readonly etc: string;
  /** The config passed with -F (file mode) or installed as ~/.ssh/config. */
  readonly config: string;
  readonly systemConfig: string;
}

function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

export const FIXTURE_DIR = path.join(repoRoot(), 'test', 'fixtures', 'ssh_config');

export function loadFixtures(): Fixture[] {
  return fs
    .readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.conf'))
    .sort()
    .map((f) => {
      const file = path.join(FIXTURE_DIR, f);
      const fields: Record<string, string> = {};
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.startsWith('#')) break;
        const m = /^#\s*(aliases|hops|mode|env|differs):\s*(.*?)\s*$/.exec(line);
        if (m) fields[m[1]] = m[2];
      }
      if (!fields.aliases) throw new Error(`${f}: no "# aliases:" header`);
      const env: Record<string, string> = {};
      for (const pair of (fields.env ?? '').split(/\s+/).filter(Boolean)) env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
      return { name: f.replace(/\.conf$/, ''), file, aliases: fields.aliases.split(/\s+/), hops: (fields.hops ?? '').split(/\s+/).filter(Boolean), defaultFiles: fields.mode === 'default-files', env, differs: fields.differs };
    });
}

function copyTree(from: string, to: string, dir: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst, dir);
    else fs.writeFileSync(dst, fs.readFileSync(src, 'utf8').replace(/@DIR@/g, dir), { mode: 0o644 });
  }
}

/** Copies a fixture into a fresh temporary directory; the caller removes `dir`. */
export function materialise(fx: Fixture): Materialised {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-sshcfg-')));
  const side = path.join(FIXTURE_DIR, fx.name);
  if (fs.existsSync(side)) copyTree(side, dir, dir);
  const home = path.join(dir, 'home');
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  fs.mkdirSync(etc, { recursive: true });
  const text = fs.readFileSync(fx.file, 'utf8').replace(/@DIR@/g, dir);
  const config = fx.defaultFiles ? path.join(home, '.ssh', 'config') : path.join(dir, 'config');
  fs.writeFileSync(config, text, { mode: 0o644 });
  const systemConfig = path.join(etc, 'ssh_config');
  if (!fs.existsSync(systemConfig)) fs.writeFileSync(systemConfig, '', { mode: 0o644 });
  return { dir, home, etc, config, systemConfig };
}
