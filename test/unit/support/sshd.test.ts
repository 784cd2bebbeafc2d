import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as net from 'net';
import { startAgent } from '../../support/agent';
import { isAlive } from '../../support/processes';
import { startSshd, stdioBridgeCommand } from '../../support/sshd';

// The test bed itself is checked with OpenSSH's own client, so later failures point at our code.
function ssh(configPath: string, alias: string, command: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('ssh', ['-F', configPath, '-o', 'BatchMode=yes', alias, command], { encoding: 'utf8', env, timeout: 15000 });
}

describe('test bed: real sshd', () => {
  it('serves key auth on loopback and is gone after stop()', async () => {
    const server = await startSshd();
    const pid = server.pid!;
    try {
      assert.ok(isAlive(pid));
      const config = server.writeClientConfig('box');
      assert.strictEqual(ssh(config, 'box', 'echo hello').trim(), 'hello');
    } finally {
      await server.stop();
    }
    assert.ok(!isAlive(pid), 'sshd must be killed by stop()');
  });

  it('listens on another port when its port was taken before sshd could bind it', async () => {
    // What another test's server may do between freePort() and sshd's bind.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      const server = await startSshd({ firstPort: taken });
      try {
        assert.notStrictEqual(server.port, taken);
        assert.strictEqual(ssh(server.writeClientConfig('box'), 'box', 'echo hello').trim(), 'hello');
      } finally {
        await server.stop();
      }
    } finally {
      squatter.close();
    }
  });

  it('refuses a rotated host key with the old known_hosts', async () => {
    const server = await startSshd();
    try {
      const config = server.writeClientConfig('box');
      const before = server.hostKey.publicKey;
      await server.rotateHostKey();
      assert.notStrictEqual(server.hostKey.publicKey, before);
      assert.throws(() => ssh(config, 'box', 'true'), /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    } finally {
      await server.stop();
    }
  });

  it('bridges a sandbox over stdio with sshd -i', async () => {
    const server = await startSshd();
    try {
      const config = server.writeClientConfig('bridged', [`ProxyCommand ${stdioBridgeCommand(server)}`, 'HostKeyAlias bridged']);
      const fs = await import('fs');
      const [type, key] = server.hostKey.publicKey.split(/\s+/);
      fs.appendFileSync(`${server.dir}/client_known_hosts`, `bridged ${type} ${key}\n`);
      assert.strictEqual(ssh(config, 'bridged', 'echo via-stdio').trim(), 'via-stdio');
    } finally {
      await server.stop();
    }
  });

  it('authenticates through a real ssh-agent', async () => {
    const server = await startSshd();
    const agent = await startAgent();
    try {
      agent.add(server.userKey.privatePath);
      const config = server.writeClientConfig('agent', []);
      // Point IdentityFile at nothing so only the agent can authenticate.
      const fs = await import('fs');
      fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/IdentityFile .*\n/, 'IdentityFile /nonexistent\n').replace('IdentitiesOnly yes', 'IdentitiesOnly no'));
      assert.strictEqual(ssh(config, 'agent', 'echo agent-ok', { ...process.env, SSH_AUTH_SOCK: agent.socket }).trim(), 'agent-ok');
    } finally {
      await agent.stop();
      await server.stop();
    }
    assert.ok(!isAlive(agent.pid!));
  });
});
