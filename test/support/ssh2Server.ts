// In-process ssh2 Server for peers that must misbehave or need auth methods our
// real sshd test bed does not enable (password, keyboard-interactive, early close).
import * as fs from 'fs';
import * as path from 'path';
import { AddressInfo, Socket } from 'net';
import { AuthContext, Connection, Server, ServerChannel, SFTPWrapper } from 'ssh2';
import { generateKey, KeyPair, makeTempDir } from './sshd';

export interface FakeServerOptions {
  /** Decides each authentication attempt; default accepts nothing. */
  authenticate?(ctx: AuthContext, connectionIndex: number): void;
  /** Close these connections (0-based) right after the first auth request, like a gateway whose sandbox is not ready. */
  closeEarly?: (connectionIndex: number) => boolean;
  /** Never answer session channel opens (a stalled peer). */
  stallSessions?: boolean;
  /** Never answer direct-tcpip channel opens (a forward's target that the server sits on). */
  stallForwards?: boolean;
  /** Answer for `exec`; default echoes the command. */
  exec?(command: string, channel: ServerChannel): void;
  /**
   * Send the exec reply and whatever `exec` writes in one TCP segment, so the client parses
   * them in one tick (as packets relayed through a jump host arrive).
   */
  coalesceExecReplies?: boolean;
  /** Serves the `sftp` subsystem (server-mode SFTPWrapper: answer its OPEN, READDIR, … events); default refuses it. */
  sftp?(sftp: SFTPWrapper): void;
  /** Accepts `tcpip-forward` requests and hands the client over (to open forwarded-tcpip channels as the server); default refuses them. */
  remoteForward?(client: Connection, bind: { readonly bindAddr: string; readonly bindPort: number }): number;
  /** Listen on this port (a new server where an old one was); default: any free port. */
  port?: number;
}

export interface FakeServer {
  readonly port: number;
  readonly hostKey: KeyPair;
  readonly user: string;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Methods seen per connection, e.g. [['none','password']]. */
  readonly methods: string[][];
  stop(): Promise<void>;
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const dir = makeTempDir('sbx-fake-');
  const hostKey = generateKey(path.join(dir, 'host_key'));
  const methods: string[][] = [];
  const clients = new Set<Connection>();
  let count = 0;
  const server = new Server({ hostKeys: [fs.readFileSync(hostKey.privatePath)] }, (client) => {
    const index = count++;
    clients.add(client);
    methods[index] = [];
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      methods[index].push(ctx.method);
      if (options.closeEarly?.(index)) {
        // A gateway that accepts the handshake and hangs up while the sandbox resumes.
        client.end();
        return;
      }
      if (options.authenticate) options.authenticate(ctx, index);
      else ctx.reject();
    });
    client.on('ready', () => {
      client.on('request', (accept, reject, name, info) => {
        if (name !== 'tcpip-forward' || !options.remoteForward) return reject?.();
        const bind = info as { bindAddr: string; bindPort: number };
        accept?.(options.remoteForward(client, bind));
      });
      // Without a listener ssh2 refuses at once; a stalled peer keeps the open unanswered.
      if (options.stallForwards) client.on('tcpip', () => undefined);
      client.on('session', (accept) => {
        if (options.stallSessions) return;
        const session = accept();
        session.on('sftp', (acceptSftp, rejectSftp) => {
          if (!options.sftp) return rejectSftp();
          options.sftp(acceptSftp());
        });
        session.on('exec', (acceptExec, _reject, info) => {
          // ssh2 keeps the connection's socket private; a test-only reach for cork().
          const socket = options.coalesceExecReplies ? (client as unknown as { _sock: Socket })._sock : undefined;
          socket?.cork();
          if (socket) process.nextTick(() => socket.uncork());
          const channel = acceptExec();
          if (options.exec) return options.exec(info.command, channel);
          channel.write(info.command + '\n');
          channel.exit(0);
          channel.end();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    hostKey,
    user: 'sandbox-7f3a#tok',
    connections: () => count,
    methods,
    async stop() {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
