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
import { CodeServerInstall, ensureCodeServer, findChromium } from './editorTools';
import { writeHostileWorkspace } from './hostileWorkspace';
import { INTEGRATION_SUITE, REPO_ROOT, RESULTS_ENV, resultsDir, USER_DATA_ENV } from './paths';
import { SandboxHost, startSandboxHost } from './sandboxHost';
import { printNotable, readResults } from './testResults';
import { writeUserSettings, writeWorkspaceFile } from './userSettings';

/** First line the suite logs (test/integration/index.ts). */
const SUITE_BANNER = 'integration suite:';
const RUN_TIMEOUT_MS = Number(process.env.SBX_INTEGRATION_TIMEOUT_MS ?? 180_000);

/** One window of the suite: which folder or workspace it opens, with which settings and tests. */
interface Pass {
  readonly name: string;
  /** A local folder path, an sbx:// folder URI, or a .code-workspace path or URI. */
  readonly open: string;
  /** Workspace trust on (as users have it) or off (the main suite's local folder). */
  readonly workspaceTrust: boolean;
  /** Tells the suite which tests to run (test/integration/index.ts). */
  readonly env: Record<string, string>;
}

interface PassResult {
  passed: number;
  failed: number;
  pending: number;
}

async function runPass(install: CodeServerInstall, sandbox: SandboxHost, pass: Pass, outDir: string): Promise<PassResult> {
  const resultsFile = path.join(outDir, `results-${pass.name}.json`);
  fs.rmSync(resultsFile, { force: true });
  const teardown = new Teardown();
  try {
    const profile = teardown.add(createProfile(`sbx-integration-${pass.name}-`), (p) => p.remove());
    writeUserSettings(profile.userDataDir, { ...sandbox.settings(), 'security.workspace.trust.enabled': pass.workspaceTrust });
    const server = teardown.add(
      await startCodeServer(install, profile, { offline: true, workspaceTrust: pass.workspaceTrust, env: { ...sandbox.env, ...pass.env, [RESULTS_ENV]: resultsFile, [USER_DATA_ENV]: profile.userDataDir } }),
      async (s) => {
        await s.stop();
        fs.writeFileSync(path.join(outDir, `code-server-${pass.name}.log`), s.log());
      },
    );
    const browser = teardown.add(await launchBrowser(profile.env), (b) => b.close());
    const { page } = browser;
    const browserLog = recordBrowserConsole(page, outDir, `browser-console-${pass.name}.log`);

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

    const url = server.workbenchUrl(pass.open, [
      ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', server.remoteUri(INTEGRATION_SUITE)],
    ]);
    console.log(`integration [${pass.name}]: code-server ${install.version} at ${server.url}, opening ${pass.open}, workspace trust ${pass.workspaceTrust ? 'on' : 'off'}`);
    await page.goto(url, { timeout: 60_000 });

    let exitCode: number | undefined;
    try {
      exitCode = await withTimeout(exited, RUN_TIMEOUT_MS, `the integration suite (${pass.name})`);
    } catch (e) {
      await page.screenshot({ path: path.join(outDir, `timeout-${pass.name}.png`) }).catch(() => undefined);
      console.error(`${(e as Error).message}; screenshot and logs in ${outDir}`);
    }
    browserLog.end();

    const results = readResults(resultsFile);
    if (!results) {
      console.log(`integration [${pass.name}]: no results from the extension host${exitCode === undefined ? ', timed out' : `, exit code ${exitCode}`}; see ${outDir}`);
      return { passed: 0, failed: 1, pending: 0 };
    }
    const env = results.environment;
    console.log(`integration [${pass.name}]: ran inside ${env.appName ?? 'VS Code'} ${env.vscode} (${env.appHost ?? '?'}), extension host Node ${env.node}`);
    printNotable(results);
    // A timeout or a non-zero exit after results were written still counts as a failure.
    const extra = exitCode === undefined || (exitCode !== 0 && results.failed === 0) ? 1 : 0;
    if (results.passed + results.failed === 0) {
      console.error(`integration [${pass.name}]: no tests ran`);
      return { passed: 0, failed: 1, pending: results.pending };
    }
    return { passed: results.passed, failed: results.failed + extra, pending: results.pending };
  } finally {
    await teardown.run();
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  if (!fs.existsSync(INTEGRATION_SUITE)) throw new Error(`${INTEGRATION_SUITE} is missing; run npm run build:tests first`);
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing; run npm run build first');
  findChromium(); // fail fast, before anything is started
  const install = await ensureCodeServer();
  const outDir = resultsDir('integration');

  const teardown = new Teardown();
  try {
    const sandbox = teardown.add(await startSandboxHost(), (s) => s.stop());
    const hostile = teardown.add(writeHostileWorkspace(sandbox), (h) => h.remove());
    const passes: Pass[] = [
      // A workspace file (not the bare folder): tests add folders to the workspace, and the
      // editor refuses to turn a folder window into a workspace while extension tests run.
      { name: 'main', open: writeWorkspaceFile(sandbox.sshd.dir, [sandbox.sshd.root]), workspaceTrust: false, env: {} },
      // A window on the sandbox itself, whose folder settings the sandbox wrote; trust on, as users have it.
      { name: 'sandbox-folder', open: hostile.folderUri, workspaceTrust: true, env: hostile.env },
      // A trusted .code-workspace file on this machine that defines hosts and opens the sandbox folder.
      { name: 'local-workspace', open: hostile.workspaceFile, workspaceTrust: false, env: hostile.env },
    ].filter((p) => !process.env.SBX_INTEGRATION_PASSES || process.env.SBX_INTEGRATION_PASSES.split(',').includes(p.name));
    const total: PassResult = { passed: 0, failed: 0, pending: 0 };
    for (const pass of passes) {
      const r = await runPass(install, sandbox, pass, outDir);
      total.passed += r.passed;
      total.failed += r.failed;
      total.pending += r.pending;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`integration: ${total.passed} passed, ${total.failed} failed${total.pending ? `, ${total.pending} pending` : ''} in ${seconds} s`);
    if (total.passed + total.failed === 0) {
      console.error('integration: no tests ran');
      return 1;
    }
    return total.failed > 0 ? 1 : 0;
  } finally {
    await teardown.run();
    const left = runningGroups();
    if (left.length) console.error(`integration: processes still running after teardown: ${JSON.stringify(left)}`);
  }
}

runTier('integration', main);
