// The user settings.json of a throwaway editor profile.
import * as fs from 'fs';
import * as path from 'path';

/** Keeps a test or demo workbench quiet: no welcome page, update checks, telemetry or chat. */
export const QUIET_WORKBENCH: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

/**
 * Writes `<userDataDir>/User/settings.json` (VS Code and code-server alike) and the same
 * content to `Machine/settings.json`: code-server's window is a remote window, which takes
 * `machine` and `machine-overridable` settings (like sandboxExplorer.hosts) only from there.
 */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): string {
  const content = JSON.stringify({ ...QUIET_WORKBENCH, ...settings }, null, 2) + '\n';
  for (const scope of ['Machine', 'User']) {
    fs.mkdirSync(path.join(userDataDir, scope), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, scope, 'settings.json'), content);
  }
  return path.join(userDataDir, 'User', 'settings.json');
}

/**
 * A multi-root workspace file holding `folders`. Suites that add folders to the workspace
 * (vscode.workspace.updateWorkspaceFolders) need one: a single-folder window would have to
 * become a workspace, which the editor refuses while extension tests run.
 */
export function writeWorkspaceFile(dir: string, folders: string[]): string {
  const file = path.join(dir, 'sandbox.code-workspace');
  fs.writeFileSync(file, JSON.stringify({ folders: folders.map((p) => ({ path: p })) }, null, 2) + '\n');
  return file;
}
