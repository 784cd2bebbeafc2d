// A throwaway local sandbox: a real sshd on loopback (test/support/sshd.ts) with a few
// sample files, and the editor settings that make it the host "local-sandbox". Shared by
// the integration and end-to-end tiers and by `npm start`.
import * as fs from 'fs';
import * as path from 'path';
import { Sshd, startSshd } from '../support/sshd';

export const SANDBOX_HOST_NAME = 'local-sandbox';

export interface SandboxHostSetting {
  name: string;
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  remoteDirectory: string;
}

export interface SandboxHost {
  readonly sshd: Sshd;
  readonly setting: SandboxHostSetting;
  /** User settings for an editor that should show this host. */
  settings(): Record<string, unknown>;
  /** Tells the integration suite (in the extension host) which host was configured. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const SAMPLE_FILES: Record<string, string> = {
  'README.md': '# Local sandbox\n\nThis folder lives on a throwaway sshd started by `npm start` or the tests.\nEdit files here through Sandbox Explorer.\n',
  'src/hello.py': 'def greet(name: str) -> str:\n    return f"Hello, {name}!"\n\n\nif __name__ == "__main__":\n    print(greet("sandbox"))\n',
  'src/greet.ts': 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n\nconsole.log(greet(\'sandbox\'));\n',
};

export async function startSandboxHost(options: { sampleFiles?: boolean } = {}): Promise<SandboxHost> {
  const sshd = await startSshd();
  try {
    if (options.sampleFiles !== false) {
      for (const [name, content] of Object.entries(SAMPLE_FILES)) {
        const file = path.join(sshd.root, name);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
      }
    }
    const knownHostsFile = path.join(sshd.dir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, sshd.knownHostsLine() + '\n');
    const setting: SandboxHostSetting = {
      name: SANDBOX_HOST_NAME,
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      identityFile: sshd.userKey.privatePath,
      knownHostsFile,
      remoteDirectory: sshd.root,
    };
    return {
      sshd,
      setting,
      // The sandbox is this machine: auto-forwarding "its" ports would forward this machine's own.
      settings: () => ({ 'sandboxExplorer.hosts': [setting], 'security.workspace.trust.enabled': false, 'sandboxExplorer.ports.autoForward': 'off' }),
      env: { SBX_SANDBOX_HOST: SANDBOX_HOST_NAME },
      stop: () => sshd.stop(),
    };
  } catch (e) {
    await sshd.stop();
    throw e;
  }
}
