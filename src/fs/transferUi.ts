// The editor's side of a transfer: a cancellable progress notification with bytes and
// percent, the replace question, and the message at the end (what was done, what was
// skipped and why). The transfer itself is in transfer/ (plain Node).
import * as path from 'path';
import * as vscode from 'vscode';
import { withTokenSignal } from '../common/cancellation';
import { Logger } from '../common/log';
import { isCancellation } from '../editor/commands';
import { percentDone, progressMessage, ReplaceAnswer, reportSummary, skippedCount, skippedSummary, TransferProgress, TransferReport } from './transfer/transferReport';

export interface ProgressSink {
  listing(filesFound: number): void;
  progress(p: TransferProgress): void;
}

/**
 * Runs `work` under a cancellable notification. Resolves its result, or undefined when the
 * user cancelled (a cancel is not a failure and is not reported as one).
 */
export async function withTransferProgress<T>(title: string, log: Logger, work: (signal: AbortSignal, sink: ProgressSink) => Promise<T>): Promise<T | undefined> {
  let cancelled: AbortSignal | undefined;
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
      withTokenSignal(token, (signal) => {
        cancelled = signal;
        let shownPercent = 0;
        let shownFile: string | undefined;
        let shownListing = 0;
        return work(signal, {
          listing(found) {
            // Listing a large tree: tell the count now and then, without a report per file.
            if (found - shownListing < 100 && shownListing !== 0) return;
            shownListing = found;
            progress.report({ message: `listing… ${found} ${found === 1 ? 'file' : 'files'}` });
          },
          progress(p) {
            const percent = percentDone(p);
            if (percent === shownPercent && p.current === shownFile) return;
            progress.report({ increment: percent - shownPercent, message: progressMessage(p) });
            shownPercent = percent;
            shownFile = p.current;
          },
        });
      }),
    );
  } catch (err) {
    if (cancelled?.aborted || isCancellation(err)) {
      log.info(`${title}: cancelled`);
      return undefined;
    }
    throw err;
  }
}

/**
 * The editor's own copy asks the same way: a modal with Replace / Skip / Replace All, and
 * Cancel. For an upload `target` is the remote file; for a download the local file, or the
 * local folder the download would merge into ('folder').
 */
export async function askReplace(target: vscode.Uri, kind: 'file' | 'folder' = 'file'): Promise<ReplaceAnswer> {
  const local = target.scheme === 'file';
  const name = local ? path.basename(target.fsPath) : path.posix.basename(target.path);
  const where = local ? path.dirname(target.fsPath) : `${target.authority}:${path.posix.dirname(target.path)}`;
  const question = kind === 'folder' ? `A folder '${name}' already exists in ${where}. Merge into it?` : `'${name}' already exists in ${where}. Replace it?`;
  const detail =
    kind === 'folder'
      ? 'Files downloaded into it replace local files of the same name (you are asked about each).'
      : local
        ? 'The local file will be replaced by the downloaded one.'
        : 'Its content will be replaced; it keeps its permissions.';
  const answer = await vscode.window.showWarningMessage(question, { modal: true, detail }, 'Replace', 'Skip', 'Replace All');
  return answer === 'Replace' ? 'replace' : answer === 'Skip' ? 'skip' : answer === 'Replace All' ? 'replaceAll' : 'cancel';
}

/** Logs the outcome and tells the user; skipped items make it a warning that names them. */
export function reportDone(verb: 'Downloaded' | 'Uploaded', what: string, where: string, report: TransferReport, log: Logger, reveal?: vscode.Uri): void {
  const text = `${verb} ${what} to ${where} (${reportSummary(report)})`;
  const skipped = skippedCount(report);
  log.info(`${text}${skipped ? `; skipped ${skipped}` : ''}`);
  const actions = reveal ? ['Reveal'] : [];
  const shown = skipped
    ? vscode.window.showWarningMessage(`${text}. Skipped ${skipped}: ${skippedSummary(report.skipped, 5, report.skippedMore)}.`, ...actions, 'Show Log')
    : vscode.window.showInformationMessage(`${text}.`, ...actions);
  void shown.then((choice) => {
    if (choice === 'Show Log') void vscode.commands.executeCommand('sandboxExplorer.log.show');
    if (choice === 'Reveal' && reveal) void revealLocal(reveal);
  });
}

/** The item in the system's file manager; where there is none (a browser), its folder in a new window. */
async function revealLocal(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('revealFileInOS', uri);
  } catch {
    const isFolder = await vscode.workspace.fs.stat(uri).then((s) => (s.type & vscode.FileType.Directory) !== 0, () => false);
    await vscode.commands.executeCommand('vscode.openFolder', isFolder ? uri : vscode.Uri.file(path.dirname(uri.fsPath)), { forceNewWindow: true });
  }
}
