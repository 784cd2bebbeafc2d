// A real ssh-agent for a test: its own socket in a temp dir, killed by PID in stop().
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { killAndWait, track } from './processes';
import { makeTempDir } from './sshd';

export interface Agent {
  readonly socket: string;
  readonly pid: number | undefined;
  add(privateKeyPath: string): void;
  stop(): Promise<void>;
}

export async function startAgent(): Promise<Agent> {
  const dir = makeTempDir('sbx-agent-');
  const socket = path.join(dir, 'agent.sock');
  // -D: foreground, so the PID we hold is the agent's own.
  const child = track(spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' }));
  const deadline = Date.now() + 5000;
  while (!fs.existsSync(socket)) {
    if (child.exitCode !== null) throw new Error('ssh-agent exited early');
    if (Date.now() > deadline) throw new Error('ssh-agent did not create its socket');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    socket,
    pid: child.pid,
    add(privateKeyPath) {
      execFileSync('ssh-add', [privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    },
    async stop() {
      await killAndWait(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
