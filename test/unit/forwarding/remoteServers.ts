// Test servers on the "remote" side: started inside the sshd's network namespace (so they are
// reachable only through sshd) or, without namespaces, on this machine's loopback.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { killAndWait, track } from '../../support/processes';

const SCRIPT = `
const net = require('net'), http = require('http');
const [mode, host, port] = process.argv.slice(2);
let server;
if (mode === 'http') {
  server = http.createServer((req, res) => {
    const m = /^\\/bytes\\/(\\d+)$/.exec(req.url);
    if (m) {
      const n = Number(m[1]);
      const body = Buffer.alloc(n);
      for (let i = 0; i < n; i++) body[i] = (i * 31 + 7) & 0xff;
      res.writeHead(200, { 'content-length': n });
      return res.end(body);
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello from the sandbox ' + req.url);
  });
} else if (mode === 'echo') {
  server = net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
} else if (mode === 'count') {
  // Replies only after the client's EOF: the byte count, proving half-close reached us.
  server = net.createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on('data', (d) => (n += d.length));
    s.on('end', () => s.end('got ' + n));
  });
} else if (mode === 'flood') {
  // Writes without end, counting what the socket accepted (and so what is buffered past it).
  server = net.createServer((s) => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    let written = 0;
    const pump = () => {
      while (written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!s.write(chunk)) return s.once('drain', pump);
      }
      s.end();
    };
    s.on('error', () => {});
    pump();
    setInterval(() => process.stdout.write('written ' + written + '\\n'), 50).unref();
  });
}
server.listen(port.startsWith('/') ? port : { host, port: Number(port) }, () => {
  const a = server.address();
  process.stdout.write('ready ' + (typeof a === 'string' ? a : a.port) + '\\n');
});
`;

export interface RemoteServer {
  readonly port: number;
  /** Lines the server printed after "ready". */
  readonly output: string[];
  stop(): Promise<void>;
}

export async function startRemoteServer(dir: string, mode: 'http' | 'echo' | 'count' | 'flood', where: { netns?: string; host?: string; port?: number; path?: string }): Promise<RemoteServer> {
  const script = path.join(dir, 'remote-servers.js');
  if (!fs.existsSync(script)) fs.writeFileSync(script, SCRIPT);
  const args = [process.execPath, script, mode, where.host ?? '127.0.0.1', where.path ?? String(where.port ?? 0)];
  const argv = where.netns ? ['ip', 'netns', 'exec', where.netns, ...args] : args;
  const child: ChildProcess = track(spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }));
  const output: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ready (\S+)/.exec(line);
        if (m) resolve(Number(m[1]) || 0);
        else output.push(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`test server exited (${code}): ${stderr}`)));
  });
  return { port, output, stop: () => killAndWait(child) };
}

export function httpGet(port: number, urlPath: string, host = '127.0.0.1'): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: urlPath, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Connects, writes `data`, half-closes, and resolves everything read until the server closes. */
export function exchange(port: number, data: Buffer | string, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
    s.end(data);
  });
}
