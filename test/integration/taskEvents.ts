// Waiting on VS Code's task events in the integration suites.
import * as vscode from 'vscode';

/** The exit code VS Code reports when `execution`'s process ends. */
export function ended(execution: vscode.TaskExecution): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution !== execution) return;
      sub.dispose();
      resolve(e.exitCode);
    });
  });
}
