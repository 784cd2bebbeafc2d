// The sandbox gateway's REST API (one platform's published contract): resolve a sandbox id to
// its SSH endpoint, list sandboxes, manage the user's SSH keys. Plain Node (global fetch).
// One request per call: no retries here, so a rejected token never becomes a retry storm.
import { withDeadline } from '../../common/time';
import { displayUser } from '../../common/userToken';
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
    const body = await this.request('GET', `/api/v1/sandboxes/${pathSegment(id, 'sandbox')}`, undefined, signal, `sandbox ${displayUser(id)}`);
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
    // One deadline for the whole exchange (headers and body); when the caller stops waiting the
    // request is aborted, so a gateway that never answers holds no socket.
    const controller = new AbortController();
    const seconds = this.options.timeoutMs / 1000;
    return withDeadline(this.exchange(method, url, json, token, controller.signal, what), {
      ms: this.options.timeoutMs,
      signal,
      what: name,
      timeout: () => new GatewayError(`${name} did not answer within ${seconds} s`, 'timeout'),
      cancelled: () => new GatewayError(`${name}: cancelled`, 'cancelled'),
      onAbandon: () => controller.abort(),
    });
  }

  private async exchange(method: string, url: URL, json: unknown, token: string, signal: AbortSignal, what: string | undefined): Promise<unknown> {
    const name = this.endpoint.name;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        // A redirect could carry the token elsewhere: not followed.
        redirect: 'manual',
        signal,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: json !== undefined ? JSON.stringify(json) : undefined,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new GatewayError(`${name} (${url.host}) cannot be reached: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 'unreachable');
    }
    const text = await this.readBounded(res, signal);
    if (res.status === 401 || res.status === 403) throw new GatewayError(`${name} rejected the API token (HTTP ${res.status})`, 'token-rejected', res.status);
    if (res.status === 404) throw new GatewayError(`${name}: no such ${what ?? 'resource'}`, 'not-found', 404);
    if (res.status < 200 || res.status > 299) throw new GatewayError(`${name} answered HTTP ${res.status}`, 'bad-response', res.status);
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new GatewayError(`${name} answered with something that is not JSON`, 'bad-response', res.status);
    }
  }

  /** The body, at most maxResponseBytes; past it the request is aborted. */
  private async readBounded(res: Response, signal: AbortSignal): Promise<string> {
    const max = this.options.maxResponseBytes;
    const tooLarge = () => new GatewayError(`${this.endpoint.name} sent an answer larger than ${max} bytes`, 'bad-response', res.status);
    const declared = Number(res.headers.get('content-length'));
    if (declared > max) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body ?? []) {
        size += chunk.byteLength;
        if (size > max) throw tooLarge();
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      if (GatewayError.is(err)) {
        await res.body?.cancel().catch(() => undefined);
        throw err;
      }
      // Aborted by the deadline or the caller (withDeadline has already said which), or the connection broke.
      throw new GatewayError(`${this.endpoint.name} broke off its answer${signal.aborted ? '' : `: ${(err as Error).message}`}`, 'unreachable');
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
