// Mocha's spec reporter that also writes a JSON results file, so launchers count tests
// from data rather than from console text. The file is reporterOptions.output or the path
// in $SBX_TEST_RESULTS. Used by the unit tier (--reporter) and the integration suite.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import type { TestResult, TestResults } from './testResults';

const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

interface Options {
  output?: string;
  environment?: Record<string, string>;
}

class ResultsReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions & { reporterOptions?: Options; reporterOption?: Options }) {
    super(runner, options);
    const opts: Options = options.reporterOptions ?? options.reporterOption ?? {};
    const output = opts.output ?? process.env.SBX_TEST_RESULTS;
    const tests: TestResult[] = [];
    let started = Date.now();
    runner.once(EVENT_RUN_BEGIN, () => (started = Date.now()));
    runner.on(EVENT_TEST_PASS, (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on(EVENT_TEST_PENDING, (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    // Hook failures arrive here too, with the hook as the runnable: they count as failures.
    runner.on(EVENT_TEST_FAIL, (t, err: Error) =>
      tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: String(err?.stack ?? err) }),
    );
    runner.once(EVENT_RUN_END, () => {
      if (!output) return;
      const count = (state: TestResult['state']) => tests.filter((t) => t.state === state).length;
      const results: TestResults = {
        passed: count('passed'),
        failed: count('failed'),
        pending: count('pending'),
        durationMs: Date.now() - started,
        environment: { node: process.version, ...opts.environment },
        tests,
      };
      fs.mkdirSync(path.dirname(output), { recursive: true });
      fs.writeFileSync(output, JSON.stringify(results, null, 2) + '\n');
    });
  }
}

export = ResultsReporter;
