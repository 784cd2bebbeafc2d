// End-to-end tier: the extension as a user gets it. Packages a VSIX, installs it into
// code-server, starts the local sandbox (real sshd), and drives the workbench in headless
// Chromium: clicks, the Command Palette, and what the DOM shows afterwards.
//
// Prints `e2e: N passed, N failed`; screenshots land in test-results/e2e/.
import { recordBrowserConsole, Teardown } from './teardown';
import { runTier } from './tierMain';
import * as fs from 'fs';
import * as path from 'path';
import { launchBrowser } from './browser';
import { runCommand, runningGroups } from './childProcesses';
import { createProfile, installExtension, startCodeServer } from './codeServer';
import { ensureCodeServer, findChromium, npmCli } from './editorTools';
import { REPO_ROOT, resultsDir } from './paths';
import { startSandboxHost } from './sandboxHost';
import { startFakeServer } from '../support/ssh2Server';
import { scenarios, ScenarioContext } from '../e2e/scenarios';
import { TestResult, TestResults } from './testResults';
import { writeUserSettings } from './userSettings';

const SCENARIO_TIMEOUT_MS = 60_000;
const E2E_PASSWORD = 'e2e-Pa55word-only-in-secret-storage';
const E2E_PASSWORD_B = 'e2e-Second-port-Pa55word';
/** A gateway token inside the password hosts' user name (in settings, as some users have it today). */
const E2E_USER = 'sandbox-7f3a#e2eUserTok3n';
/** The token of the userToken host: typed once, kept only in secret storage. */
const E2E_TOKEN = 'e2eGatewayTok123';

/** `vsce package` runs vscode:prepublish (the production build); the dev build is restored after. */
async function packageVsix(outDir: string): Promise<string> {
  const vsix = path.join(outDir, 'sandbox-explorer.vsix');
  fs.rmSync(vsix, { force: true });
  try {
    // The flags live in the `package` script. stdin is closed, so a vsce question fails the
    // run instead of waiting for an answer.
    await runCommand(process.execPath, [npmCli(), 'run', 'package', '--', '--out', vsix], {
      label: 'npm run package (vsce)',
      timeoutMs: 3 * 60_000,
      cwd: REPO_ROOT,
      logFile: path.join(outDir, 'vsce.log'),
    });
  } finally {
    await runCommand(process.execPath, [path.join(REPO_ROOT, 'esbuild.mjs')], { label: 'dev build (esbuild)', timeoutMs: 2 * 60_000, cwd: REPO_ROOT });
  }
  if (!fs.existsSync(vsix)) throw new Error(`vsce package did not write ${vsix}`);
  return vsix;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

async function main(): Promise<number> {
  const started = Date.now();
  findChromium(); // fail fast, before anything is started
  const install = await ensureCodeServer();
  const outDir = resultsDir('e2e');
  for (const f of fs.readdirSync(outDir)) if (f.endsWith('.png')) fs.rmSync(path.join(outDir, f));

  const teardown = new Teardown();
  try {
    const vsix = await packageVsix(outDir);
    console.log(`e2e: packaged ${path.relative(REPO_ROOT, vsix)} (${Math.round(fs.statSync(vsix).size / 1024)} KiB)`);
    const profile = teardown.add(createProfile('sbx-e2e-'), (p) => p.remove());
    const installed = await installExtension(install, profile, vsix);
    if (!/successfully installed/i.test(installed)) throw new Error(`code-server did not install the VSIX:\n${installed}`);
    const sandbox = teardown.add(await startSandboxHost(), (s) => s.stop());
    // Two hosts on one address and two ports that only take their own password, and a gateway that
    // takes `sbx-1#<token>`; none is in any known_hosts file yet. Each records what it was sent.
    const sent = new Map<string, string[]>();
    const passwordServerFor = async (name: string, password: string) => {
      sent.set(name, []);
      const server = await startFakeServer({
        authenticate: (ctx) => {
          if (ctx.method === 'password') sent.get(name)!.push(ctx.password);
          if (ctx.method === 'password' && ctx.password === password) return ctx.accept();
          ctx.reject(['password']);
        },
      });
      return teardown.add(server, (s) => s.stop());
    };
    const passwordServer = await passwordServerFor('password-box', E2E_PASSWORD);
    const secondServer = await passwordServerFor('second-port-box', E2E_PASSWORD_B);
    const tokenLogins: string[] = [];
    const tokenServer = teardown.add(
      await startFakeServer({
        authenticate: (ctx) => {
          if (ctx.method === 'none' && ctx.username === `sbx-1#${E2E_TOKEN}`) {
            tokenLogins.push(ctx.username);
            return ctx.accept();
          }
          ctx.reject(['password']);
        },
      }),
      (s) => s.stop(),
    );
    const passwordHost = { name: 'password-box', host: '127.0.0.1', port: passwordServer.port, user: E2E_USER };
    const secondHost = { name: 'second-port-box', host: '127.0.0.1', port: secondServer.port, user: E2E_USER };
    const tokenHost = { name: 'token-gateway', host: '127.0.0.1', port: tokenServer.port, user: 'sbx-1', userToken: true };
    const settings = sandbox.settings();
    writeUserSettings(profile.userDataDir, {
      ...settings,
      'sandboxExplorer.hosts': [...(settings['sandboxExplorer.hosts'] as unknown[]), passwordHost, secondHost, tokenHost],
      // The browser workbench saves a second after each edit by default (desktop VS Code does not):
      // scenarios save with Ctrl+S, and an edit must stay unsaved while the sandbox changes under it.
      'files.autoSave': 'off',
    });
    const server = teardown.add(await startCodeServer(install, profile, { offline: true }), async (s) => {
      await s.stop();
      fs.writeFileSync(path.join(outDir, 'code-server.log'), s.log());
    });
    const browser = teardown.add(await launchBrowser(profile.env), (b) => b.close());
    const { page } = browser;
    const browserLog = recordBrowserConsole(page, outDir);
    page.setDefaultTimeout(30_000);
    await page.goto(server.workbenchUrl(sandbox.sshd.root), { timeout: 60_000 });
    console.log(`e2e: code-server ${install.version} at ${server.url}, sandbox sshd on port ${sandbox.sshd.port}`);

    const context: ScenarioContext = {
      page,
      sandbox: sandbox.setting,
      passwordHost: { ...passwordHost, password: E2E_PASSWORD },
      secondPasswordHost: { ...secondHost, password: E2E_PASSWORD_B },
      tokenHost: { ...tokenHost, token: E2E_TOKEN },
      userNameToken: E2E_USER.slice(E2E_USER.indexOf('#') + 1),
      passwordsSent: (name) => [...(sent.get(name) ?? [])],
      tokenLogins: () => [...tokenLogins],
      userDataDir: profile.userDataDir,
      home: profile.env.HOME!,
      screenshot: async (name, of = page) => {
        const file = path.join(outDir, `${name}.png`);
        await of.screenshot({ path: file });
        return file;
      },
    };
    const results: TestResult[] = [];
    let index = 0;
    // SBX_E2E_GREP (a developer aid): the first two scenarios (workbench, Hosts view) and the ones whose title matches.
    const grep = process.env.SBX_E2E_GREP ? new RegExp(process.env.SBX_E2E_GREP) : undefined;
    for (const scenario of scenarios) {
      index++;
      if (grep && index > 2 && !grep.test(scenario.title)) continue;
      if (scenario.pending) {
        results.push({ title: scenario.title, state: 'pending' });
        console.log(`  - ${scenario.title} (pending: ${scenario.pending})`);
        continue;
      }
      const t0 = Date.now();
      try {
        await Promise.race([
          scenario.run(context),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${(scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS) / 1000} s`)), scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS).unref()),
        ]);
        results.push({ title: scenario.title, state: 'passed', durationMs: Date.now() - t0 });
        console.log(`  ✔ ${scenario.title} (${Date.now() - t0} ms)`);
      } catch (e) {
        const file = path.join(outDir, `${String(index).padStart(2, '0')}-${slug(scenario.title)}-failed.png`);
        await page.screenshot({ path: file }).catch(() => undefined);
        results.push({ title: scenario.title, state: 'failed', durationMs: Date.now() - t0, error: String((e as Error).stack ?? e) });
        console.log(`  ✘ ${scenario.title}\n      ${(e as Error).message.split('\n').join('\n      ')}\n      screenshot: ${path.relative(REPO_ROOT, file)}`);
      }
    }
    browserLog.end();

    const count = (s: TestResult['state']) => results.filter((r) => r.state === s).length;
    const summary: TestResults = {
      passed: count('passed'),
      failed: count('failed'),
      pending: count('pending'),
      durationMs: Date.now() - started,
      environment: { codeServer: install.version, browser: browser.browser.version() },
      tests: results,
    };
    fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(summary, null, 2) + '\n');
    const hostsShot = path.join(outDir, '04-remote-file.png');
    if (process.env.SBX_UPDATE_README_SCREENSHOT === '1' && summary.failed === 0 && fs.existsSync(hostsShot)) {
      fs.copyFileSync(hostsShot, path.join(REPO_ROOT, 'media', 'screenshot-hosts.png'));
      console.log('e2e: updated media/screenshot-hosts.png (the README screenshot)');
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`e2e: screenshots in ${path.relative(REPO_ROOT, outDir)}/`);
    console.log(`e2e: ${summary.passed} passed, ${summary.failed} failed${summary.pending ? `, ${summary.pending} pending` : ''} in ${seconds} s`);
    return summary.failed > 0 || summary.passed === 0 ? 1 : 0;
  } finally {
    await teardown.run();
    const left = runningGroups();
    if (left.length) console.error(`e2e: processes still running after teardown: ${JSON.stringify(left)}`);
  }
}

runTier('e2e', main);
