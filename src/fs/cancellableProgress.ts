// Long reads show a notification the user can cancel; cancelling aborts the work's signal.
import * as vscode from 'vscode';
import { withTokenSignal } from '../common/cancellation';

export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => withTokenSignal(token, work)));
}
