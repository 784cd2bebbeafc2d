// The integration suite in desktop VS Code, for machines with internet: @vscode/test-electron
// downloads VS Code into .vscode-test/, then the same suite (out/test/integration) runs in
// its extension host against the local sandbox. `npm run test:desktop`.
//
// VS Code is started here rather than by runTests() so that it runs in its own process
// group with a timeout and is stopped by PID, like every other tool of the harness.
import { runTier } from './tierMain';
import { download } from '@vscode/test-electron';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onInterrupt, startGroup, Started, withTimeout } from './childProcesses';
import { createProfile, Profile } from './codeServer';
import { CACHE_DIR, INTEGRATION_SUITE, REPO_ROOT, RESULTS_ENV, resultsDir, USER_DATA_ENV } from './paths';
import { SandboxHost, startSandboxHost } from './sandboxHost';
import { printNotable, readResults } from './testResults';
import { writeUserSettings, writeWorkspaceFile } from './userSettings';

const VERSION = process.env.SBX_VSCODE_VERSION ?? 'stable';
const RUN_TIMEOUT_MS = Number(process.env.SBX_DESKTOP_TIMEOUT_MS ?? 300_000);

function onPath(command: string): string | undefined {
  return (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, command)).find((p) => fs.existsSync(p));
}

async function main(): Promise<number> {
  const started = Date.now();
  if (!fs.existsSync(INTEGRATION_SUITE)) throw new Error(`${INTEGRATION_SUITE} is missing; run npm run build:tests first`);
  let executable: string;
  try {
    executable = await withTimeout(download({ version: VERSION, cachePath: CACHE_DIR, timeout: 30_000 }), 10 * 60_000, `downloading VS Code ${VERSION}`);
  } catch (e) {
    throw new Error(`could not download VS Code ${VERSION} (${(e as Error).message}). Desktop tests need internet; offline, run npm run test:integration (code-server).`);
  }
  const outDir = resultsDir('desktop');
  const resultsFile = path.join(outDir, 'results.json');
  fs.rmSync(resultsFile, { force: true });

  let sandbox: SandboxHost | undefined;
  let profile: Profile | undefined;
  let editor: Started | undefined;
  // Called by the interrupt handler and by finally: runs once.
  let cleaning: Promise<void> | undefined;
  const cleanup = () => (cleaning ??= stopAll());
  const stopAll = async () => {
    await editor?.stop();
    await sandbox?.stop();
    profile?.remove();
    editor = sandbox = profile = undefined;
  };
  const removeInterruptHandler = onInterrupt(cleanup);
  try {
    sandbox = await startSandboxHost();
    profile = createProfile('sbx-desktop-');
    writeUserSettings(profile.userDataDir, sandbox.settings());
    const args = [
      writeWorkspaceFile(profile.root, [sandbox.sshd.root]),
      `--extensionDevelopmentPath=${REPO_ROOT}`,
      `--extensionTestsPath=${INTEGRATION_SUITE}`,
      `--user-data-dir=${profile.userDataDir}`,
      `--extensions-dir=${profile.extensionsDir}`,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-updates',
      '--disable-gpu',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ];
    const env: NodeJS.ProcessEnv = { ...profile.env, ...sandbox.env, [RESULTS_ENV]: resultsFile, [USER_DATA_ENV]: profile.userDataDir };
    // The isolated HOME hides ~/.Xauthority from X clients.
    if (!env.XAUTHORITY && fs.existsSync(path.join(os.homedir(), '.Xauthority'))) env.XAUTHORITY = path.join(os.homedir(), '.Xauthority');
    let command = executable;
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      const xvfb = onPath('xvfb-run');
      if (!xvfb) throw new Error('no display: set DISPLAY or install xvfb (sudo apt-get install -y xvfb)');
      args.unshift('-a', executable);
      command = xvfb;
    }
    console.log(`desktop: VS Code ${VERSION} from ${path.relative(REPO_ROOT, executable)}, sandbox sshd on port ${sandbox.sshd.port}`);
    editor = startGroup(command, args, { label: 'VS Code', env, stdio: ['ignore', 'inherit', 'inherit'] });
    let exitCode: number | null | undefined;
    try {
      exitCode = await withTimeout(editor.exited, RUN_TIMEOUT_MS, 'the desktop integration run');
    } catch (e) {
      console.error((e as Error).message);
    }
    const results = readResults(resultsFile);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!results) {
      console.log(`desktop: 0 passed, 1 failed (no results${exitCode === undefined ? ', timed out' : `, exit code ${exitCode}`}) in ${seconds} s`);
      return 1;
    }
    console.log(`desktop: ran inside ${results.environment.appName ?? 'VS Code'} ${results.environment.vscode}, extension host Node ${results.environment.node}`);
    printNotable(results);
    const failed = results.failed + (exitCode === undefined ? 1 : 0);
    console.log(`desktop: ${results.passed} passed, ${failed} failed in ${seconds} s`);
    return failed > 0 || results.passed === 0 || exitCode !== 0 ? 1 : 0;
  } finally {
    await cleanup();
    removeInterruptHandler();
  }
}

runTier('desktop', main);
