// Integration tier, offline: the mocha suite in out/test/integration runs inside the real
// extension host of code-server (VS Code's server build, on Node 24), loaded as a
// development extension by a workbench in headless Chromium.
//
// Prints `integration: N passed, N failed`; exits non-zero on a failure, on zero tests and
// on a timeout. Everything it starts (sshd, code-server, Chromium) is stopped by PID.
import { recordBrowserConsole, Teardown } from './teardown';
import { runTier } from './tierMain';
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { launchBrowser } from './browser';
import { runningGroups, withTimeout } from './childProcesses';
import { createProfile, startCodeServer } from './codeServer';
import { ensureCodeServer, findChromium } from './editorTools';
import { INTEGRATION_SUITE, REPO_ROOT, RESULTS_ENV, resultsDir } from './paths';
import { startSandboxHost } from './sandboxHost';
import { printNotable, readResults } from './testResults';
import { writeUserSettings } from './userSettings';

/** First line the suite logs (test/integration/index.ts). */
const SUITE_BANNER = 'integration suite:';
const RUN_TIMEOUT_MS = Number(process.env.SBX_INTEGRATION_TIMEOUT_MS ?? 180_000);

async function main(): Promise<number> {
  const started = Date.now();
  if (!fs.existsSync(INTEGRATION_SUITE)) throw new Error(`${INTEGRATION_SUITE} is missing; run npm run build:tests first`);
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing; run npm run build first');
  findChromium(); // fail fast, before anything is started
  const install = await ensureCodeServer();
  const outDir = resultsDir('integration');
  const resultsFile = path.join(outDir, 'results.json');
  fs.rmSync(resultsFile, { force: true });

  const teardown = new Teardown();
  try {
    const sandbox = teardown.add(await startSandboxHost(), (s) => s.stop());
    const profile = teardown.add(createProfile('sbx-integration-'), (p) => p.remove());
    writeUserSettings(profile.userDataDir, sandbox.settings());
    const server = teardown.add(await startCodeServer(install, profile, { offline: true, env: { ...sandbox.env, [RESULTS_ENV]: resultsFile } }), async (s) => {
      await s.stop();
      fs.writeFileSync(path.join(outDir, 'code-server.log'), s.log());
    });
    const browser = teardown.add(await launchBrowser(profile.env), (b) => b.close());
    const { page } = browser;
    const browserLog = recordBrowserConsole(page, outDir);

    // The workbench calls these when the extension test run ends (enable-smoke-test-driver).
    let suiteStarted = false;
    let reportExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = util.format(...(Array.isArray(args) ? args : [args]));
      browserLog.write(`[automation ${type}] ${text}\n`);
      // The workbench's own start-up chatter stays in the log; the suite's output and errors are shown.
      if (text.startsWith(SUITE_BANNER)) suiteStarted = true;
      if (suiteStarted || type === 'error') process.stdout.write(`${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));

    const url = server.workbenchUrl(sandbox.sshd.root, [
      ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', server.remoteUri(INTEGRATION_SUITE)],
    ]);
    console.log(`integration: code-server ${install.version} at ${server.url}, sandbox sshd on port ${sandbox.sshd.port}`);
    await page.goto(url, { timeout: 60_000 });

    let exitCode: number | undefined;
    try {
      exitCode = await withTimeout(exited, RUN_TIMEOUT_MS, 'the integration suite');
    } catch (e) {
      await page.screenshot({ path: path.join(outDir, 'timeout.png') }).catch(() => undefined);
      console.error(`${(e as Error).message}; screenshot and logs in ${outDir}`);
    }
    browserLog.end();

    const results = readResults(resultsFile);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (!results) {
      console.log(`integration: 0 passed, 1 failed (no results from the extension host${exitCode === undefined ? ', timed out' : `, exit code ${exitCode}`}; see ${outDir}) in ${seconds} s`);
      return 1;
    }
    const env = results.environment;
    console.log(`integration: ran inside ${env.appName ?? 'VS Code'} ${env.vscode} (${env.appHost ?? '?'}), extension host Node ${env.node}`);
    printNotable(results);
    // A timeout after results were written still counts as a failure.
    const failed = results.failed + (exitCode === undefined ? 1 : 0);
    console.log(`integration: ${results.passed} passed, ${failed} failed${results.pending ? `, ${results.pending} pending` : ''} in ${seconds} s`);
    if (results.passed + results.failed === 0) {
      console.error('integration: no tests ran');
      return 1;
    }
    return failed > 0 || exitCode !== 0 ? 1 : 0;
  } finally {
    await teardown.run();
    const left = runningGroups();
    if (left.length) console.error(`integration: processes still running after teardown: ${JSON.stringify(left)}`);
  }
}

runTier('integration', main);
