// A local HTTP server implementing the sandbox gateway's published REST contract, with knobs
// for the ways a real one misbehaves (slow resume, garbage, huge answers, rejected tokens).
import * as http from 'http';
import { AddressInfo } from 'net';

export interface GatewaySandbox {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly host_key?: string;
  readonly host_key_fingerprint?: string;
}

export interface GatewayServerOptions {
  token: string;
  sandboxes: Record<string, GatewaySandbox>;
  /** Answer the sandbox lookup only after this many ms (a paused sandbox resuming). */
  resumeDelayMs?: number;
  /** Whether GET /api/v1/sandboxes answers (some platforms do not list). */
  listing?: boolean;
  /** Replace every answer's body with this (garbage JSON tests). */
  rawBody?: string;
  /** Send this many bytes of JSON-ish padding (size-limit tests). */
  hugeBytes?: number;
}

export interface GatewayServer {
  readonly url: string;
  /** Every request seen: `METHOD path authorization`. */
  readonly requests: { method: string; path: string; auth: string | undefined; body: string }[];
  readonly keys: { id: number; name: string; public_key: string }[];
  options: GatewayServerOptions;
  close(): Promise<void>;
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const requests: GatewayServer['requests'] = [];
  const keys: GatewayServer['keys'] = [];
  let nextId = 1;
  const state = { options };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const o = state.options;
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      requests.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, body });
      const send = (status: number, value: unknown) => {
        const text = o.rawBody ?? (o.hugeBytes ? `{"pad":"${'x'.repeat(o.hugeBytes)}"}` : JSON.stringify(value));
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(text);
      };
      if (req.headers.authorization !== `Bearer ${o.token}`) return send(401, { error: 'unauthorized' });
      const sandbox = /^\/api\/v1\/sandboxes\/(.+)$/.exec(path);
      if (req.method === 'GET' && sandbox) {
        const s = o.sandboxes[sandbox[1]];
        if (!s) return send(404, { error: 'not found' });
        const answer = () => send(200, { id: sandbox[1], status: 'running', ssh: s });
        return o.resumeDelayMs ? void setTimeout(answer, o.resumeDelayMs) : answer();
      }
      if (req.method === 'GET' && path === '/api/v1/sandboxes') {
        return o.listing === false ? send(404, { error: 'not found' }) : send(200, Object.keys(o.sandboxes).map((id) => ({ id })));
      }
      if (path === '/users/me/ssh-keys' && req.method === 'GET') {
        return send(200, keys.map((k) => ({ ...k, key_type: k.public_key.split(' ')[0], fingerprint_sha256: 'SHA256:x', comment: '', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' })));
      }
      if (path === '/users/me/ssh-keys' && req.method === 'POST') {
        const k = JSON.parse(body) as { name: string; public_key: string };
        keys.push({ id: nextId++, name: k.name, public_key: k.public_key });
        return send(201, keys[keys.length - 1]);
      }
      const del = /^\/users\/me\/ssh-keys\/(\d+)$/.exec(path);
      if (del && req.method === 'DELETE') {
        const i = keys.findIndex((k) => String(k.id) === del[1]);
        if (i < 0) return send(404, { error: 'not found' });
        keys.splice(i, 1);
        res.writeHead(204);
        return res.end();
      }
      send(404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    keys,
    get options() {
      return state.options;
    },
    set options(o) {
      state.options = o;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
