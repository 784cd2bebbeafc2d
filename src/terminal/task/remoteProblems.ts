// Problem matching for sandbox tasks. VS Code turns a problem matcher's file paths into
// file:// URIs for every workspace whose scheme has no task system of its own, and an extension
// cannot register one for sbx://: `$tsc` on a sandbox task would point at this machine's files.
// So the matchers tasks name most (`$tsc`, `$gcc`, and a generic `path:line:col: severity:
// message`) run here instead, on the task's output, and their paths resolve on the sandbox
// against the task's folder.
import * as path from 'path';

export interface RemoteProblem {
  /** Absolute remote path. */
  readonly path: string;
  /** 1-based, as compilers print them. */
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly code?: string;
}

export type MatcherName = '$tsc' | '$gcc' | '$sandbox';

// tsc: src/a.ts(1,5): error TS2322: message
const TSC = /^([^\s(][^(]*)\((\d+),(\d+)\):\s+(error|warning|info)\s+(TS\d+)\s*:\s*(.*)$/;
// gcc and most compilers: src/a.c:3:7: error: message (column optional; note = info)
const GCC = /^([^\s:][^:]*):(\d+):(?:(\d+):)?\s+(?:fatal\s+)?(error|warning|note|info):\s*(.*)$/;

/** The matchers among a task's problemMatcher names that are run here; the rest stay VS Code's. */
export function ownMatchers(names: readonly string[]): MatcherName[] {
  return names.filter((n): n is MatcherName => n === '$tsc' || n === '$gcc' || n === '$sandbox');
}

/** One output line (control sequences already removed) as a problem, or undefined. */
export function matchProblem(line: string, matchers: readonly MatcherName[], cwd: string | undefined): RemoteProblem | undefined {
  const text = line.replace(/\r$/, '').slice(0, 4096);
  if (matchers.includes('$tsc')) {
    const m = TSC.exec(text);
    if (m) return problem(m[1], m[2], m[3], m[4], m[6], cwd, m[5]);
  }
  if (matchers.includes('$gcc') || matchers.includes('$sandbox')) {
    const m = GCC.exec(text);
    if (m) return problem(m[1], m[2], m[3] ?? '1', m[4], m[5], cwd);
  }
  return undefined;
}

function problem(file: string, line: string, column: string, severity: string, message: string, cwd: string | undefined, code?: string): RemoteProblem | undefined {
  const trimmed = file.trim();
  if (!trimmed.startsWith('/') && !cwd) return undefined;
  const absolute = path.posix.resolve(cwd ?? '/', trimmed);
  return {
    path: absolute,
    line: Math.max(1, Number(line)),
    column: Math.max(1, Number(column)),
    severity: severity === 'warning' ? 'warning' : severity === 'error' ? 'error' : 'info',
    message: message.trim(),
    code,
  };
}

/** Splits streamed text into complete lines (bounded: a line without an end is cut at 64 KiB). */
export class LineSplitter {
  private partial = '';

  push(text: string): string[] {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > 65536) this.partial = this.partial.slice(-65536);
    return parts;
  }

  end(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? [rest] : [];
  }
}
