// The provider's onDidChangeFile: change events batched on a short timer like the fsprovider
// sample, so a burst (a checkout, a recursive copy) reaches the editor as one event.
import * as vscode from 'vscode';

const BATCH_MS = 5;

export class FileChangeBatcher implements vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly event = this.changes.event;
  private pending: vscode.FileChangeEvent[] = [];
  private timer: NodeJS.Timeout | undefined;

  fire(events: readonly vscode.FileChangeEvent[]): void {
    this.pending.push(...events);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const batch = this.pending;
      this.pending = [];
      this.changes.fire(batch);
    }, BATCH_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changes.dispose();
  }
}
