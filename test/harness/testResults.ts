// The JSON results file a mocha run writes (unit tier, and the integration suite inside
// the extension host), read back by the launchers.
import * as fs from 'fs';

export type TestState = 'passed' | 'failed' | 'pending';

export interface TestResult {
  title: string;
  state: TestState;
  durationMs?: number;
  error?: string;
}

export interface TestResults {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  /** Where the run happened, e.g. { vscode: '1.139.1', node: 'v24.21.0' }. */
  environment: Record<string, string>;
  tests: TestResult[];
}

export function readResults(file: string): TestResults | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as TestResults;
    return typeof parsed.passed === 'number' && typeof parsed.failed === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Prints one line per failed or pending test, with the first lines of the error. */
export function printNotable(results: TestResults, out: (line: string) => void = console.log): void {
  for (const t of results.tests) {
    if (t.state === 'failed') out(`  FAILED  ${t.title}\n${(t.error ?? '').split('\n').slice(0, 8).map((l) => `          ${l}`).join('\n')}`);
    if (t.state === 'pending') out(`  pending ${t.title}`);
  }
}
