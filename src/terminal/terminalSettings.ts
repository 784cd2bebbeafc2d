// The terminal's settings, read from user settings only: a sandbox writes its folder's
// .vscode/settings.json, and variables sent to the remote are the user's choice, not its.
import * as vscode from 'vscode';

const SECTION = 'sandboxExplorer';
export const TERMINAL_ENV = 'terminal.env';

export function terminalEnvSetting(): Record<string, string | null> {
  const value = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(TERMINAL_ENV)?.globalValue;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, string | null> = {};
  for (const [name, v] of Object.entries(value)) if (typeof v === 'string' || v === null) out[name] = v;
  return out;
}
