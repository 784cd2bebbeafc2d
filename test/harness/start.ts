// `npm start`: a throwaway local sandbox (a real sshd on loopback with generated keys and a
// few sample files) configured as the host "local-sandbox", and an editor with the
// extension loaded from this folder: desktop VS Code when `code` is on PATH, otherwise
// code-server on 127.0.0.1 (installed on first use) with the URL to open printed.
// Ctrl-C stops everything it started, by PID, and removes its temp dirs.
//
// `npm start -- --code-server` uses code-server even when `code` is available.
import { isAlive } from '../support/processes';
import * as fs from 'fs';
import * as path from 'path';
import { requireSshd } from '../support/sshd';
import { onInterrupt, sleep, startGroup, Started, tail } from './childProcesses';
import { CodeServer, createProfile, Profile, startCodeServer } from './codeServer';
import { ensureCodeServer } from './editorTools';
import { makeTempDir, removeDir, REPO_ROOT } from './paths';
import { SandboxHost, startSandboxHost } from './sandboxHost';
import { writeUserSettings } from './userSettings';

function onPath(command: string): string | undefined {
  return (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, command)).find((p) => fs.existsSync(p));
}


/** A folder to open, so the window is not empty; the sandbox's own files are reached over SSH. */
function makeWelcomeFolder(root: string, sandbox: SandboxHost): string {
  const dir = path.join(root, 'workspace');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'WELCOME.md'),
    [
      '# Sandbox Explorer: local sandbox',
      '',
      `A throwaway sshd runs on 127.0.0.1:${sandbox.sshd.port} (user ${sandbox.sshd.user}).`,
      `It is configured as the host \`local-sandbox\` in this profile's settings; its files are in ${sandbox.sshd.root}.`,
      '',
      'Open the Sandbox Explorer view from the activity bar to see it.',
      'Stop `npm start` with Ctrl-C: the sshd, the editor and these temp folders go away.',
      '',
    ].join('\n'),
  );
  return dir;
}

async function main(): Promise<void> {
  try {
    requireSshd();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const useDesktop = !process.argv.includes('--code-server') && !!onPath('code');
  let sandbox: SandboxHost | undefined;
  let profile: Profile | undefined;
  let scratch: string | undefined;
  let server: CodeServer | undefined;
  let desktop: Started | undefined;
  let desktopUserData: string | undefined;
  let stopping = false;
  // Called by the interrupt handler and by finally: runs once.
  let cleaning: Promise<void> | undefined;
  const cleanup = () => (cleaning ??= stopAll());
  const stopAll = async () => {
    stopping = true;
    await desktop?.stop();
    // The `code` CLI hands the window to a detached main process, which records its PID here.
    const lock = desktopUserData && path.join(desktopUserData, 'code.lock');
    const mainPid = lock && fs.existsSync(lock) ? Number(fs.readFileSync(lock, 'utf8').trim()) : NaN;
    if (Number.isInteger(mainPid) && mainPid > 0 && isAlive(mainPid)) {
      process.kill(mainPid, 'SIGTERM');
      for (let i = 0; i < 100 && isAlive(mainPid); i++) await sleep(50);
      if (isAlive(mainPid)) process.kill(mainPid, 'SIGKILL');
    }
    await server?.stop();
    await sandbox?.stop();
    profile?.remove();
    if (scratch) removeDir(scratch);
    desktop = server = sandbox = profile = scratch = undefined;
  };
  onInterrupt(cleanup);

  try {
    const install = useDesktop ? undefined : await ensureCodeServer();
    sandbox = await startSandboxHost();
    console.log(`Local sandbox: sshd on 127.0.0.1:${sandbox.sshd.port}, user ${sandbox.sshd.user}, files in ${sandbox.sshd.root}`);

    let exited: Promise<unknown>;
    if (useDesktop) {
      scratch = makeTempDir('sbx-start-');
      desktopUserData = path.join(scratch, 'user-data');
      const settings = writeUserSettings(desktopUserData, sandbox.settings());
      console.log(`Host "local-sandbox" is configured in ${settings}`);
      console.log('Opening desktop VS Code with the extension loaded from this folder. Close the window or press Ctrl-C to stop.');
      const env = { ...process.env };
      delete env.ELECTRON_RUN_AS_NODE;
      desktop = startGroup(
        onPath('code')!,
        ['--wait', '--new-window', `--extensionDevelopmentPath=${REPO_ROOT}`, `--user-data-dir=${desktopUserData}`, makeWelcomeFolder(scratch, sandbox)],
        { label: 'code', env, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      exited = desktop.exited;
    } else {
      profile = createProfile('sbx-start-');
      const settings = writeUserSettings(profile.userDataDir, sandbox.settings());
      console.log(`Host "local-sandbox" is configured in ${settings}`);
      server = await startCodeServer(install!, profile);
      const url = server.workbenchUrl(makeWelcomeFolder(profile.root, sandbox), [['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]);
      console.log(`\ncode-server ${install!.version} is running with the extension loaded from ${REPO_ROOT}.`);
      console.log(`Open this URL in a browser on this machine:\n\n  ${url}\n`);
      console.log('Press Ctrl-C to stop the editor and the sandbox.');
      const s = server;
      exited = (async () => {
        // Watch the server; it should only stop when we stop it.
        while (isAlive(s.pid)) await sleep(1000);
        if (!stopping) console.error(`code-server stopped unexpectedly:\n${tail(s.log())}`);
      })();
    }
    await exited;
    if (!stopping) console.log('The editor closed; stopping the sandbox.');
  } catch (e) {
    console.error(`npm start: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

void main().then(() => process.exit());
