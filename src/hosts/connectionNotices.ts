// Notifications about a host's connection, with the fixes as buttons. File operations
// report every failure here; the user hears about each kind of trouble once per episode
// (once per Disconnect, once per refused login), not once per operation.
import * as vscode from 'vscode';
import { DisposableStore } from '../common/disposable';
import { SshError } from '../ssh/errors';
import { StateChange } from '../ssh/hostConnection';
import { ConnectionFix, describeConnectionError, fixesFor, FIX_LABELS, nextStep } from '../editor/connectionMessages';

/** Failures that need the user: a Disconnect they may have forgotten, a login to fix, a host given up on. */
function episodeOf(err: unknown): string | undefined {
  if (!SshError.is(err)) return undefined;
  if (err.code === 'held' || err.code === 'gave-up') return err.code;
  if (err.reason === 'auth-failed') return err.reason;
  if (err.code === 'gateway-token') return err.code;
  return undefined;
}

const FIX_COMMANDS: Record<ConnectionFix, (host: string) => Thenable<unknown>> = {
  reconnect: (host) => vscode.commands.executeCommand('sandboxExplorer.hosts.connect', host),
  chooseIdentityFile: (host) => vscode.commands.executeCommand('sandboxExplorer.hosts.chooseIdentityFile', host),
  openHostSettings: () => vscode.commands.executeCommand('sandboxExplorer.hosts.openSettings'),
  enterGatewayToken: (host) => vscode.commands.executeCommand('sandboxExplorer.gateways.enterToken', host),
  showLog: () => vscode.commands.executeCommand('sandboxExplorer.log.show'),
};

export class ConnectionNotices implements vscode.Disposable {
  /** Per host, the episode the user was last told about. */
  private readonly told = new Map<string, string>();
  private readonly disposables = new DisposableStore();

  constructor(onDidChangeState: (listener: (change: StateChange) => void) => { dispose(): void }) {
    // A connection, or the end of a hold, ends the episode: the next trouble is news again.
    this.disposables.add(
      onDidChangeState((change) => {
        if (change.state === 'connected' || (!change.held && this.told.get(change.host) === 'held')) this.told.delete(change.host);
      }),
    );
  }

  /** A file operation on `host` failed: tell the user when it is something they can fix, once per episode. */
  report(host: string, err: unknown): void {
    const episode = episodeOf(err);
    if (!episode || this.told.get(host) === episode) return;
    this.told.set(host, episode);
    void this.show(host, err, { withNextStep: true });
  }

  /** Shows `err` with its fixes (an explicit action failed: always shown). */
  async show(host: string, err: unknown, options: { withNextStep?: boolean } = {}): Promise<void> {
    const fixes = fixesFor(err);
    const message = describeConnectionError(err, host) + (options.withNextStep ? ` ${nextStep(err, host)}` : '');
    const show = SshError.is(err) && err.code === 'held' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const picked = await show(message, ...fixes.map((f) => FIX_LABELS[f]));
    const fix = fixes.find((f) => FIX_LABELS[f] === picked);
    if (fix) await FIX_COMMANDS[fix](host);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
