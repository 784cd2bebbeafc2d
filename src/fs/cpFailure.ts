// What a failed `cp -pR … && mv -f …` on the remote means, as the kind of error every other
// file operation reports. The command runs with LC_ALL=C, so the reasons are strerror(3)'s
// English words after the last colon of each line.
export type CpFailureKind = 'not-found' | 'no-permission' | 'exists';

const KINDS: ReadonlyArray<[RegExp, CpFailureKind]> = [
  [/: No such file or directory$/, 'not-found'],
  [/: (Permission denied|Operation not permitted|Read-only file system)$/, 'no-permission'],
  [/: (File exists|Directory not empty)$/, 'exists'],
  // mv onto a folder with a file, or onto a file with a folder (the target appeared meanwhile).
  [/cannot overwrite (non-)?directory/, 'exists'],
];

export interface CpFailure {
  readonly kind: CpFailureKind | undefined;
  /** The first line that says what went wrong, for the message. */
  readonly line: string;
}

/** The first line of cp's or mv's stderr that names a known reason, else the first line. */
export function parseCpFailure(stderr: string): CpFailure {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    for (const [pattern, kind] of KINDS) if (pattern.test(line)) return { kind, line };
  }
  return { kind: undefined, line: lines[0] ?? '' };
}

/** Whether `line` is about `path` itself (coreutils quotes names as 'name' in the C locale). */
export function isAbout(line: string, path: string): boolean {
  return line.includes(`'${path}'`);
}
