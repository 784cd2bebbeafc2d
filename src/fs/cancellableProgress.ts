// Long reads show a notification the user can cancel; cancelling aborts the work's signal.
import * as vscode from 'vscode';

export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        return await work(controller.signal);
      } finally {
        sub.dispose();
      }
    }),
  );
}
