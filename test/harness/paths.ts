// Where the harness keeps things. Everything here is git-ignored.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'sandbox-explorer') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no sandbox-explorer package.json above ${start}`);
  }
}

/** The extension's folder (compiled harness files live in out/test/harness). */
export const REPO_ROOT = findRepoRoot(__dirname);
/** Node 24 and code-server, installed once and reused. */
export const CACHE_DIR = process.env.SBX_EDITOR_CACHE ?? path.join(REPO_ROOT, '.vscode-test');
/** Screenshots, logs and result files of test runs. */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
/** The integration suite's entry, run inside the extension host. */
export const INTEGRATION_SUITE = path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js');
/** Environment variable naming the JSON results file the suites write. */
export const RESULTS_ENV = 'SBX_TEST_RESULTS';
/** Environment variable naming the editor's user data folder (its logs), for suites that read them. */
export const USER_DATA_ENV = 'SBX_USER_DATA_DIR';

export function resultsDir(...sub: string[]): string {
  const dir = path.join(RESULTS_DIR, ...sub);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
