// Variables a sandbox terminal starts with: the host's ssh config SetEnv, then the
// `sandboxExplorer.terminal.env` setting (which wins), with `${env:NAME}` taken from the
// editor's environment. Secret-looking names are never sent, neither as a variable nor as
// the source of a `${env:…}` value (the same filter exec uses: src/ssh/environment.ts).
import { filterEnvironment, looksSecret } from '../ssh/environment';

export interface TerminalEnvironment {
  readonly env: Record<string, string>;
  /** Names left out because they look secret or are not valid names (for the log, never values). */
  readonly withheld: string[];
}

export function terminalEnvironment(
  setEnv: Readonly<Record<string, string>>,
  setting: Readonly<Record<string, string | null | undefined>>,
  local: Readonly<Record<string, string | undefined>> = process.env,
): TerminalEnvironment {
  const withheld: string[] = [];
  const merged: Record<string, string | undefined> = { ...setEnv };
  for (const [name, value] of Object.entries(setting)) {
    // null in the setting removes a SetEnv variable, as terminal.integrated.env does.
    merged[name] = value === null || value === undefined ? undefined : substituteLocal(value, local, withheld);
  }
  const filtered = filterEnvironment(merged);
  return { env: filtered.env, withheld: [...new Set([...withheld, ...filtered.withheld])] };
}

function substituteLocal(value: string, local: Readonly<Record<string, string | undefined>>, withheld: string[]): string {
  return value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    if (looksSecret(name)) {
      withheld.push(name);
      return '';
    }
    return local[name] ?? '';
  });
}
