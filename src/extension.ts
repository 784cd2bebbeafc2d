// Composition root: builds the services in order and hands them to the context.
// No logic here and no side effects at module load.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { PortsFeature } from './forwarding/portsFeature';
import { registerFsCommands } from './fs/fsCommands';
import { RemoteRoots } from './fs/remoteRoots';
import { RemoteSessions } from './fs/remoteSessions';
import { registerTransferCommands } from './fs/transferCommands';
import { SCHEME } from './fs/remotePath';
import { SbxFileSystemProvider } from './fs/sbxFileSystemProvider';
import { RemoteWatcher } from './fs/watch/remoteWatcher';
import { ConnectionNotices } from './hosts/connectionNotices';
import { registerHostCommands } from './hosts/hostCommands';
import { HostRegistry } from './hosts/hostRegistry';
import { registerHostEditCommands } from './hosts/hostEditCommands';
import { registerHostFilterCommands } from './hosts/hostFilterCommands';
import { registerHostSettingsCommands } from './hosts/hostSettingsCommands';
import { HostStatusBar, registerHostActionsCommand } from './hosts/hostStatusBar';
import { hostsModel } from './hosts/hostsModel';
import { HostStates } from './hosts/hostStates';
import { HostsTreeProvider } from './hosts/hostsTreeProvider';
import { registerIdentityFileCommand } from './hosts/identityFileCommand';
import { hostFromArgument } from './hosts/pickHost';
import { registerGatewayCommands } from './gateways/gatewayCommands';
import { Gateways } from './gateways/gateways';
import { registerKeyCommands } from './keys/keyCommands';
import { KeysTreeProvider } from './keys/keysTreeProvider';
import { KeyUsage } from './keys/keyUsage';
import { listAgentKeys } from './ssh/agent';
import { sshConfigSource } from './ssh/config';
import { poolDependencies } from './ssh/connectionDependencies';
import { ConnectionPool } from './ssh/pool';
import { isApiTokenKey } from './ssh/secretIndex';
import { Commands, resourcesOf } from './editor/commands';
import { HostChildSource, HostPicker } from './editor/hostsNode';
import { hostKeyPrompt } from './editor/hostKeyPrompt';
import { inPlaceSavePrompt } from './editor/inPlaceSavePrompt';
import { outputChannelLogger } from './editor/logChannel';
import { registerSecretCommands } from './editor/secretCommands';
import { secretCredentials } from './editor/secretCredentials';
import { settings } from './editor/settings';
import { SandboxTerminals } from './terminal/sandboxTerminals';
import { registerSandboxTasks } from './terminal/task/sandboxTasks';
import { registerTerminalCommands } from './terminal/terminalCommands';

/** What activate returns: the Ports view's data, read by the integration tests (the editor gives no access to a view's rows). */
export interface SandboxExplorerApi {
  readonly portsView: vscode.TreeDataProvider<unknown> & HostChildSource;
}

const NO_CONFIG_FORWARDS = { localForwards: [], remoteForwards: [], dynamicForwards: [] };

export function activate(context: vscode.ExtensionContext): SandboxExplorerApi {
  const channel = vscode.window.createOutputChannel('Sandbox Explorer', { log: true });
  context.subscriptions.push(channel);
  const log = outputChannelLogger(channel);

  const credentials = secretCredentials(context.secrets, log);
  void credentials.migrate();

  // Sandbox gateways list hosts for the registry and keys for the Keys view, through interfaces (features never import each other).
  const gateways = new Gateways({ settings: () => settings.gateways(), tokens: credentials, state: context.globalState, log, tokenChanged: () => pool.retry() });
  context.subscriptions.push(
    gateways,
    vscode.workspace.onDidChangeConfiguration((e) => settings.affectsGateways(e) && gateways.reload()),
    // Forget All (or another window) removed or changed a token.
    context.secrets.onDidChange((e) => isApiTokenKey(e.key) && gateways.reload()),
  );

  const registry = new HostRegistry(sshConfigSource, log, gateways);
  context.subscriptions.push(registry);
  const pool = new ConnectionPool(
    poolDependencies({
      resolve: (name, signal) => registry.resolve(name, signal),
      resolveHop: (hop) => registry.resolveHop(hop),
      credentials,
      hostKeyPrompt,
      trustFile: () => settings.trustFile(context.globalStorageUri),
      settings: () => settings.pool(),
      log,
      agentSocket: process.env.SSH_AUTH_SOCK,
    }),
  );
  context.subscriptions.push({ dispose: () => void pool.dispose() });
  // The idle timeout applies live, also to connections already counting down; the rest are read at each connect.
  context.subscriptions.push(settings.onDidChangeLiveConnectionSettings(() => pool.settingsChanged()));

  const notices = new ConnectionNotices((listener) => pool.onDidChangeState(listener));
  context.subscriptions.push(notices);

  const sessions = new RemoteSessions(pool, log);
  const watcher = new RemoteWatcher(pool, sessions, log);
  const files = new SbxFileSystemProvider(
    sessions,
    watcher,
    inPlaceSavePrompt,
    { copyWithExec: () => settings.copyWithExec(), maxListingEntries: () => settings.maxListingEntries() },
    log,
    notices,
  );
  context.subscriptions.push(watcher, files, vscode.workspace.registerFileSystemProvider(SCHEME, files, { isCaseSensitive: true }));

  const roots = new RemoteRoots(sessions);
  // Changed host settings may fix what failed: look roots up again and retry refused hosts.
  context.subscriptions.push(
    registry.onDidChangeHosts(() => {
      roots.forget();
      pool.retry();
    }),
  );
  // The tree and the status bar show the registry's hosts with the pool's states.
  const states = new HostStates(pool);
  const model = hostsModel(registry, states);
  // A connected host's forwards come from what its connection was resolved from: resolving again
  // would ask a sandbox gateway's API a second time (and could get another answer).
  const ports = new PortsFeature({ pool, resolve: async (name) => pool.connectedTarget(name) ?? NO_CONFIG_FORWARDS, hostNames: async () => (await registry.hosts()).map((h) => h.name), configuredHosts: async () => Promise.all((await registry.hosts()).filter((h) => h.source !== 'gateway').map((h) => registry.resolve(h.name).catch(() => NO_CONFIG_FORWARDS))), globalState: context.globalState, log });
  context.subscriptions.push(ports);
  const terminals = new SandboxTerminals({ pool, scheme: SCHEME, state: context.workspaceState, setEnv: async (host) => (await registry.resolve(host)).setEnv, log });
  const tree = new HostsTreeProvider(model, (host) => roots.rootUri(host), [ports.tree, terminals]);
  const hostsView = vscode.window.createTreeView('sandboxExplorer.hosts', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(states, tree, hostsView);

  const commands = new Commands({ log, hosts: () => registry.hosts(), connectionError: (host, err) => notices.show(host, err) });
  const pickHost: HostPicker = (arg, placeHolder) => hostFromArgument(arg, () => registry.hosts(), placeHolder);
  const sshDir = () => path.join(os.homedir(), '.ssh');
  // Which key each host logged in with, recorded when it connects, for the Keys view.
  const keyUsage = new KeyUsage(context.globalState);
  const keysTree = new KeysTreeProvider({ sshDir, agentKeys: () => listAgentKeys(process.env.SSH_AUTH_SOCK), usedBy: (fp) => keyUsage.hostsFor(fp), platforms: gateways });
  context.subscriptions.push(
    keyUsage,
    pool.onDidChangeState((change) => {
      if (change.state === 'connected' && change.authenticatedKey) keyUsage.record(change.host, change.authenticatedKey);
    }),
    keyUsage.onDidChange(() => keysTree.refresh()),
    keysTree,
    vscode.window.createTreeView('sandboxExplorer.keys', { treeDataProvider: keysTree }),
    registerKeyCommands(commands, {
      tree: keysTree,
      sshDir,
      pickHost: async (arg, placeHolder) => (await pickHost(arg, placeHolder))?.name,
      loggedInWith: (host) => pool.state(host).authenticatedKey,
      rememberPassphrase: (keyPath, passphrase) => credentials.rememberPassphrase(keyPath, passphrase),
      withSftp: (host, fn) => sessions.run(host, (s) => fn(s)),
      log,
    }),
  );

  const openHostSettings = () => settings.openHosts(context.extension);
  context.subscriptions.push(
    registerHostFilterCommands(commands, tree, hostsView),
    new HostStatusBar(model, SCHEME),
    registerHostActionsCommand(commands, model, SCHEME),
    registerHostCommands(commands, { tree, pool, channel, openSettings: openHostSettings, reloadSources: () => gateways.reload() }),
    registerHostSettingsCommands(commands, () => registry.hosts(), openHostSettings, (name) => pool.resume(name)),
    registerIdentityFileCommand(commands),
    registerHostEditCommands(commands, { declaration: (name) => sshConfigSource.declaration(name, settings.sshConfigFiles()), openSettings: openHostSettings }),
    registerSecretCommands(commands, credentials),
    registerGatewayCommands(commands, { gateways, sshDir, log }),
    registerFsCommands(commands, { hosts: () => registry.hosts(), roots }),
    terminals,
    registerSandboxTasks(commands, { pool, scheme: SCHEME, log }),
    registerTerminalCommands(commands, {
      terminals,
      scheme: SCHEME,
      hostFromArgument: async (arg, placeHolder) => (await pickHost(arg, placeHolder))?.name,
      folderFromArgument: (arg) => (arg ? resourcesOf(arg, undefined)[0] : undefined),
      log,
    }),
    ports.registerCommands(commands),
    registerTransferCommands(commands, { roots, sessions, changed: (uri) => files.fire([{ type: vscode.FileChangeType.Changed, uri }]), log }),
  );
  // Terminals whose tmux sessions outlived the last window come back (in the background).
  void terminals.restore();
  log.info(`Sandbox Explorer activated (VS Code ${vscode.version}, Node ${process.version})`);
  return { portsView: ports.tree as vscode.TreeDataProvider<unknown> & HostChildSource };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
