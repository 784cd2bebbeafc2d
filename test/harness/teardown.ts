// What a launcher started, stopped in reverse order exactly once: at the end of the run,
// on failure, or on Ctrl-C (like a DisposableStore, but asynchronous).
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { onInterrupt } from './childProcesses';

export class Teardown {
  private readonly steps: Array<() => unknown> = [];
  private running: Promise<void> | undefined;
  private readonly removeInterruptHandler = onInterrupt(() => this.run());

  /** Registers how to stop `resource` and returns it. */
  add<T>(resource: T, stop: (resource: T) => unknown): T {
    this.steps.push(() => stop(resource));
    return resource;
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step();
        } catch (e) {
          process.stderr.write(`teardown step failed: ${e}\n`);
        }
      }
      this.removeInterruptHandler();
    })();
    return this.running;
  }
}

/** The page's console and uncaught errors, into `<outDir>/browser-console.log`. */
export function recordBrowserConsole(page: Page, outDir: string, name = 'browser-console.log'): fs.WriteStream {
  const log = fs.createWriteStream(path.join(outDir, name));
  page.on('console', (m) => log.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => log.write(`[pageerror] ${e.stack ?? e}\n`));
  return log;
}
