// What the Hosts view and the status bar show: the host list (HostRegistry) with each host's
// connection state (HostStates). Put together here so neither needs the other.
import * as vscode from 'vscode';
import { ConnectionState } from '../ssh/hostConnection';
import { GatewayGroup, HostEntry } from '../common/hostEntry';
import { HostTarget } from './hostLabels';
import { HostRegistry } from './hostRegistry';
import { HostStates } from './hostStates';

export interface HostsModel {
  /** The hosts listed changed. */
  readonly onDidChange: vscode.Event<void>;
  /** The connection state of the named host changed. */
  readonly onDidChangeState: vscode.Event<string>;
  hosts(): Promise<HostEntry[]>;
  state(hostName: string): { state: ConnectionState; reason?: string; held?: boolean; refused?: boolean; waiting?: boolean };
  /** Sandbox gateways, listed as groups even when empty, with a problem to show instead of sandboxes. */
  gatewayGroups?(): readonly GatewayGroup[];
  /** What a host waits for beyond connecting ("resuming sandbox…"). */
  activity?(hostName: string): string | undefined;
  /** Where the host points (its settings resolved through ssh config). */
  target(host: HostEntry): Promise<HostTarget>;
}

export function hostsModel(registry: HostRegistry, states: HostStates): HostsModel {
  return {
    onDidChange: registry.onDidChange,
    // A sandbox waiting for its gateway changes how its row reads, as a state change does.
    onDidChangeState: (listener, thisArgs, disposables) => {
      const both = vscode.Disposable.from(states.onDidChangeState(listener, thisArgs), registry.onDidChangeActivity((name) => listener.call(thisArgs, name)));
      disposables?.push(both);
      return both;
    },
    hosts: () => registry.hosts(),
    state: (name) => states.state(name),
    target: (host) => registry.target(host),
    gatewayGroups: () => registry.externalGroups(),
    activity: (name) => registry.activity(name),
  };
}
