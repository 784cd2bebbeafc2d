// Entry of the integration suite, loaded by the editor inside its extension host
// (extensionTestsPath): code-server offline, desktop VS Code via @vscode/test-electron.
// Runs every out/test/integration/**/*.test.js with mocha and writes a JSON results file
// ($SBX_TEST_RESULTS, else results.json next to this file) for the launcher to read.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import ResultsReporter = require('../harness/resultsReporter');

/** Node 20 has no fs.globSync; the suite is small enough for a plain walk. */
function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

export async function run(): Promise<void> {
  const output = process.env.SBX_TEST_RESULTS || path.join(__dirname, 'results.json');
  fs.rmSync(output, { force: true });
  const environment = { vscode: vscode.version, node: process.version, appName: vscode.env.appName, appHost: vscode.env.appHost, uiKind: vscode.UIKind[vscode.env.uiKind] };
  console.log(`integration suite: VS Code ${environment.vscode} (${environment.appName}, ${environment.appHost}), extension host Node ${environment.node}`);
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    grep: process.env.SBX_TEST_GREP || undefined,
    reporter: ResultsReporter as unknown as string,
    reporterOptions: { output, environment },
  });
  // The hostile-sandbox windows (test/harness/hostileWorkspace.ts) run only hostile/; the main window the rest.
  const hostilePass = process.env.SBX_INTEGRATION_PASS === 'hostile';
  const hostileDir = path.join(__dirname, 'hostile') + path.sep;
  const files = findTests(__dirname).filter((f) => f.startsWith(hostileDir) === hostilePass);
  if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname}`);
  files.forEach((f) => mocha.addFile(f));
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      mocha.run(resolve);
    } catch (e) {
      reject(e);
    }
  });
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
