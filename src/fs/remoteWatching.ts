// What the provider needs from the remote watcher (watch/remoteWatcher.ts). The watcher is
// built first and handed to the provider, which subscribes to its changes: no setter, no cycle.
import * as vscode from 'vscode';

export interface RemoteWatching {
  /** Changes made on the remote by someone else. */
  readonly onDidChangeFile: vscode.Event<vscode.FileChangeEvent[]>;
  watch(uri: vscode.Uri, options: { recursive: boolean; excludes: readonly string[] }): vscode.Disposable;
  /**
   * Our own write to `uri` is starting, so its echo is not reported as an outside change.
   * Call the returned function when the write has finished (or failed).
   */
  noteOwnChange(uri: vscode.Uri): () => void;
}
