// Long reads show a notification the user can cancel; cancelling aborts the work's signal.
import * as vscode from 'vscode';
import { withTokenSignal } from '../common/cancellation';

export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => withTokenSignal(token, work)));
}

/**
 * Runs `work` at once and shows a cancellable notification only if it is still running after
 * `delayMs` (a short delete shows nothing). `report` updates the notification's message.
 */
export async function withCancellableProgressWhenSlow<T>(title: string, delayMs: number, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let message: string | undefined;
  let shown: vscode.Progress<{ message?: string }> | undefined;
  const running = work(abort.signal, (m) => {
    message = m;
    shown?.report({ message: m });
  });
  const timer = setTimeout(() => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      shown = progress;
      if (message) progress.report({ message });
      const cancel = token.onCancellationRequested(() => abort.abort());
      return running.then(() => undefined, () => undefined).finally(() => cancel.dispose());
    });
  }, delayMs);
  try {
    return await running;
  } finally {
    clearTimeout(timer);
  }
}
