// The sandbox gateway's REST API (one platform's published contract): resolve a sandbox id to
// its SSH endpoint, list sandboxes, manage the user's SSH keys. Plain Node (global fetch).
// One request per call: no retries here, so a rejected token never becomes a retry storm.
import { GatewayError } from './gatewayError';
import { parsePlatformKeys, parseSandboxList, parseSandboxSsh, PlatformKey, pathSegment, SandboxSsh } from './validate';

export interface GatewayEndpoint {
  /** For messages: the gateway's name in settings. */
  readonly name: string;
  /** `https://…`; plain `http://` only to this machine (loopback). */
  readonly baseUrl: string;
}

export interface GatewayClientOptions {
  readonly timeoutMs?: number;
  /** Largest answer read, in bytes. */
  readonly maxResponseBytes?: number;
  /** Most sandboxes or keys taken from one listing. */
  readonly maxItems?: number;
}

const DEFAULTS = { timeoutMs: 30_000, maxResponseBytes: 1024 * 1024, maxItems: 10_000 };

/** The base URL, checked: https, or http to loopback; no credentials, query or fragment. */
export function checkBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GatewayError(`not a URL: ${JSON.stringify(raw.slice(0, 200))}`, 'bad-response');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new GatewayError(`${url.origin}: the gateway API must use https (plain http only to this machine), so the token is never sent in clear text`, 'bad-response');
  }
  if (url.username || url.password || url.search || url.hash) throw new GatewayError('the gateway URL must not carry a user, password, query or fragment', 'bad-response');
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

export class GatewayClient {
  private readonly base: URL;
  private readonly options: typeof DEFAULTS;

  constructor(
    private readonly endpoint: GatewayEndpoint,
    private readonly token: () => Promise<string>,
    options: GatewayClientOptions = {},
  ) {
    this.base = checkBaseUrl(endpoint.baseUrl);
    this.options = { ...DEFAULTS, ...options };
  }

  async sandbox(id: string, signal?: AbortSignal): Promise<SandboxSsh> {
    const body = await this.request('GET', `/api/v1/sandboxes/${pathSegment(id, 'sandbox')}`, undefined, signal, `sandbox ${id}`);
    return parseSandboxSsh(this.endpoint.name, body);
  }

  async sandboxes(signal?: AbortSignal): Promise<string[]> {
    return parseSandboxList(this.endpoint.name, await this.request('GET', '/api/v1/sandboxes', undefined, signal), this.options.maxItems);
  }

  async keys(signal?: AbortSignal): Promise<PlatformKey[]> {
    return parsePlatformKeys(this.endpoint.name, await this.request('GET', '/users/me/ssh-keys', undefined, signal), this.options.maxItems);
  }

  async addKey(name: string, publicKey: string, signal?: AbortSignal): Promise<void> {
    await this.request('POST', '/users/me/ssh-keys', { name, public_key: publicKey }, signal);
  }

  async deleteKey(id: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `/users/me/ssh-keys/${pathSegment(id, 'key')}`, undefined, signal, `key ${id}`);
  }

  private async request(method: string, path: string, json: unknown, signal: AbortSignal | undefined, what?: string): Promise<unknown> {
    const name = this.endpoint.name;
    const url = new URL(this.base.toString());
    url.pathname = `${this.base.pathname.replace(/\/+$/, '')}${path}`;
    const token = await this.token();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          // A redirect could carry the token elsewhere: not followed.
          redirect: 'manual',
          signal: controller.signal,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: json !== undefined ? JSON.stringify(json) : undefined,
        });
      } catch (err) {
        if (signal?.aborted) throw new GatewayError(`${name}: cancelled`, 'cancelled');
        if (controller.signal.aborted) throw new GatewayError(`${name} did not answer within ${this.options.timeoutMs / 1000} s`, 'timeout');
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new GatewayError(`${name} (${url.host}) cannot be reached: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 'unreachable');
      }
      const text = await this.readBounded(res, controller, signal);
      if (res.status === 401 || res.status === 403) throw new GatewayError(`${name} rejected the API token (HTTP ${res.status})`, 'token-rejected', res.status);
      if (res.status === 404) throw new GatewayError(`${name}: no such ${what ?? 'resource'}`, 'not-found', 404);
      if (res.status < 200 || res.status > 299) throw new GatewayError(`${name} answered HTTP ${res.status}`, 'bad-response', res.status);
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text);
      } catch {
        throw new GatewayError(`${name} answered with something that is not JSON`, 'bad-response', res.status);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async readBounded(res: Response, controller: AbortController, signal: AbortSignal | undefined): Promise<string> {
    const max = this.options.maxResponseBytes;
    const declared = Number(res.headers.get('content-length'));
    if (declared > max) {
      controller.abort();
      throw new GatewayError(`${this.endpoint.name} sent an answer larger than ${max} bytes`, 'bad-response', res.status);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body ?? []) {
        size += chunk.byteLength;
        if (size > max) {
          controller.abort();
          throw new GatewayError(`${this.endpoint.name} sent an answer larger than ${max} bytes`, 'bad-response', res.status);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      if (GatewayError.is(err)) throw err;
      if (signal?.aborted) throw new GatewayError(`${this.endpoint.name}: cancelled`, 'cancelled');
      throw new GatewayError(`${this.endpoint.name} did not finish its answer within ${this.options.timeoutMs / 1000} s`, 'timeout');
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
