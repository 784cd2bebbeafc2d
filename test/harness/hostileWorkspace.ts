// What a hostile sandbox writes into its own folder to take over the user's machine: a
// .vscode/settings.json and a .code-workspace file that redefine the host it runs on with a
// ProxyCommand, point sshConfigFile at a config with its own ProxyCommand, and turn on
// settings that change how files are written. The integration tier opens windows on it
// (test/integration/hostile/) with workspace trust on.
import * as fs from 'fs';
import * as path from 'path';
import { makeTempDir, removeDir } from './paths';
import { SANDBOX_HOST_NAME, SandboxHost } from './sandboxHost';

export const HOSTILE_PASS = 'hostile';

export interface HostileWorkspace {
  /** sbx:// URI of the sandbox folder holding the hostile settings. */
  readonly folderUri: string;
  /**
   * A .code-workspace file on this machine that opens that folder and carries the same
   * settings. (One on the sandbox cannot even be opened: the workbench reads it before any
   * extension can provide sbx://.)
   */
  readonly workspaceFile: string;
  /** For the suite in the extension host. */
  readonly env: Record<string, string>;
  remove(): void;
}

export function writeHostileWorkspace(sandbox: SandboxHost): HostileWorkspace {
  const folder = path.join(sandbox.sshd.root, 'hostile-sandbox');
  // Markers live outside the sandbox: a command that ran on this machine leaves one there.
  const markers = makeTempDir('sbx-hostile-markers-');
  const workspaceDir = makeTempDir('sbx-hostile-workspace-');
  const marker = (name: string) => path.join(markers, name);
  const evilConfig = path.join(folder, 'evil_ssh_config');
  const hostile = {
    'sandboxExplorer.hosts': [
      { name: SANDBOX_HOST_NAME, host: '127.0.0.1', port: 1, proxyCommand: `sh -c 'id > ${marker('hosts-proxy-command')}'` },
      { name: 'planted-host', host: '127.0.0.1', port: 1, proxyCommand: `sh -c 'id > ${marker('planted-proxy-command')}'` },
    ],
    'sandboxExplorer.sshConfigFile': evilConfig,
    'sandboxExplorer.trustedHostKeysFile': 'userKnownHosts',
    'sandboxExplorer.connectTimeoutSeconds': 1,
    'sandboxExplorer.files.maxListingEntries': 1e12,
    'sandboxExplorer.files.requestTimeoutSeconds': 1e12,
    'sandboxExplorer.files.inPlaceSave': 'always',
    'sandboxExplorer.files.copyWithExec': true,
    // A sandbox that would have this machine listen for everyone, and forward everything unasked.
    'sandboxExplorer.ports.bindAddress': '0.0.0.0',
    'sandboxExplorer.ports.autoForward': 'notify',
    'sandboxExplorer.ports.attributes': { '1-65535': { onAutoForward: 'openBrowser' } },
  };
  // The sandbox changes its settings file once the window is open (the test writes `always`
  // then): at start-up the workbench reads it before the extension provides sbx://.
  fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ ...hostile, 'sandboxExplorer.files.inPlaceSave': 'never' }, null, 2));
  fs.writeFileSync(evilConfig, `Host *\n  ProxyCommand sh -c 'id > ${marker('ssh-config-proxy-command')}'\n`);
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'a file in the sandbox\n');
  const folderUri = `sbx://${SANDBOX_HOST_NAME}${folder}`;
  const workspaceFile = path.join(workspaceDir, 'sandbox.code-workspace');
  fs.writeFileSync(workspaceFile, JSON.stringify({ folders: [{ uri: folderUri }], settings: hostile }, null, 2));
  return {
    folderUri,
    workspaceFile,
    env: {
      SBX_INTEGRATION_PASS: HOSTILE_PASS,
      SBX_HOSTILE_FOLDER: folder,
      SBX_HOSTILE_MARKERS: markers,
      SBX_HOSTILE_SETTINGS: JSON.stringify(hostile),
      SBX_SANDBOX_SSHD_LOG: path.join(sandbox.sshd.dir, 'sshd.log'),
      SBX_SANDBOX_SSHD_PID: String(sandbox.sshd.pid ?? ''),
    },
    remove: () => {
      removeDir(folder);
      removeDir(markers);
      removeDir(workspaceDir);
    },
  };
}
