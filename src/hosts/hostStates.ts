// The connection state of each host as the Hosts view and the status bar show it: the pool's
// state, with a failure worded for the user. Built from the pool by the composition root, so
// the host list (HostRegistry, which the pool resolves through) needs no pool of its own.
import * as vscode from 'vscode';
import { Event } from '../common/event';
import { ConnectionState, StateChange } from '../ssh/hostConnection';
import { SshError } from '../ssh/errors';
import { HostState } from '../ssh/pool';
import { describeConnectionError } from '../editor/connectionMessages';

/** What of the pool this needs: its states and their changes. */
export interface StateSource {
  state(name: string): HostState;
  readonly onDidChangeState: Event<StateChange>;
}

/** The server or the gateway refused us (login, host key, API token): retrying alone will not help. */
export function isRefusal(err: SshError | undefined): boolean {
  return err !== undefined && (err.reason === 'auth-failed' || err.reason === 'host-key' || err.code === 'gateway-token');
}

export class HostStates implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** The connection state of the named host changed. */
  readonly onDidChangeState = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly source: StateSource) {
    this.subscription = source.onDidChangeState((change) => this.changed.fire(change.host));
  }

  /** The host's state, and why (a sentence) when it failed, is reconnecting or was disconnected by the user. */
  state(hostName: string): { state: ConnectionState; reason?: string; held: boolean; refused: boolean; waiting: boolean } {
    const state = this.source.state(hostName);
    return {
      state: state.state,
      reason: state.error ? describeConnectionError(state.error, hostName) : undefined,
      held: state.held,
      refused: state.state === 'failed' && isRefusal(state.error),
      waiting: state.waiting === true,
    };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
