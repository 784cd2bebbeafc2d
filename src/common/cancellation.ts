// The one bridge from the editor's CancellationToken to an AbortSignal. Typed by shape, so
// plain-Node code (and its tests) can use it without the `vscode` module.

/** The part of vscode.CancellationToken the bridge needs. */
export interface CancellationTokenLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => unknown): { dispose(): unknown };
}

/** Runs `work` with a signal that aborts when `token` is cancelled; the token listener ends with the work. */
export async function withTokenSignal<T>(token: CancellationTokenLike, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const sub = token.onCancellationRequested(() => controller.abort());
  try {
    return await work(controller.signal);
  } finally {
    sub.dispose();
  }
}
