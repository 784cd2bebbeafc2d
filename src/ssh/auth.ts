// Authentication in OpenSSH's order: `none` first (some sandbox gateways authorize
// after it), then public keys (agent, then identity files), keyboard-interactive and
// password, as PreferredAuthentications allows and the server offers. Secrets come
// from `Credentials` and are never logged.
import * as fs from 'fs';
import { AuthenticationType, BaseAgent, ParsedKey, utils } from 'ssh2';
import { LOCAL_FILE_LIMITS, LocalFileError, readRegularFileSync } from '../common/localFile';
import { Logger } from '../common/log';
import { displayDestination, displayUser, joinUserToken } from '../common/userToken';
import { Credentials, SecretKind, SecretTarget } from './credentials';
import { AuthTried, SshError } from './errors';
import { openAgent } from './agent';
import { fingerprintSha256 } from './hostKeys/keyBlob';

const DEFAULT_METHOD_ORDER = ['publickey', 'keyboard-interactive', 'password'];
/** OpenSSH's NumberOfPasswordPrompts default. */
const PROMPTS_PER_METHOD = 3;

export interface AuthParams {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /**
   * The server expects `<user>#<token>`: the token comes from Credentials, asked only after the
   * host key is verified, and never appears in a label, log line or message.
   */
  readonly userToken?: boolean;
  /** SHA256 fingerprint of the host key this connection verified; saved secrets are tied to it. */
  readonly hostKeyFingerprint?: () => string | undefined;
  readonly identityFiles: string[];
  /** Only files that exist are tried when the list is OpenSSH's defaults. */
  readonly identityFilesAreDefaults: boolean;
  readonly identitiesOnly: boolean;
  /** Agent socket; undefined or 'none' skips the agent. */
  readonly agentSocket: string | undefined;
  readonly preferredAuthentications: string[];
  readonly credentials: Credentials;
  readonly log: Logger;
}

type Attempt = {
  method: string;
  label: string;
  tried: AuthTried;
  auth: Record<string, unknown>;
  secret?: SecretKind;
  /** The public key blob this attempt authenticates with, once known (an agent's: after it signed). */
  publicKey?: () => Buffer | undefined;
};
type NextAuth = (auth: AuthenticationType | false) => void;
export type AuthHandler = (methodsLeft: string[] | null, partialSuccess: boolean | null, next: NextAuth) => void;

export interface Authenticator {
  readonly handler: AuthHandler;
  /** Call on 'ready': the last secret used worked. */
  succeeded(): void;
  /** The error to report when every method failed, naming what was tried. */
  failure(): SshError;
  /** After success: the SHA256 fingerprint of the public key that logged in; undefined for other methods. */
  usedKey(): string | undefined;
}

export function createAuthenticator(params: AuthParams): Authenticator {
  const tried: Attempt[] = [];
  let allowed: string[] | null = null;
  let last: Attempt | undefined;
  const attempts = generateAttempts(params, () => allowed);
  const login = loginName(params);

  const handler: AuthHandler = (methodsLeft, _partial, next) => {
    if (methodsLeft) allowed = methodsLeft;
    if (last?.secret) params.credentials.rejected(last.secret);
    last = undefined;
    void (async () => {
      const username = await login.name();
      if (username === undefined) return next(false);
      for (;;) {
        const { value, done } = await attempts.next();
        if (done) return next(false);
        if (allowed && !allowed.includes(value.method)) continue;
        last = value;
        if (!tried.some((t) => t.label === value.label)) tried.push(value);
        params.log.debug(`auth: trying ${value.label}`);
        return next({ type: value.auth.type, username, ...value.auth } as unknown as AuthenticationType);
      }
    })().catch((err) => {
      params.log.warn(`auth: ${err instanceof Error ? err.message : String(err)}`);
      next(false);
    });
  };

  return {
    handler,
    usedKey() {
      const blob = last?.publicKey?.();
      return blob ? fingerprintSha256(blob) : undefined;
    },
    succeeded() {
      if (login.token) params.credentials.accepted(login.token);
      if (last?.secret) params.credentials.accepted(last.secret);
    },
    failure() {
      const who = displayDestination(params.user, params.host, params.port);
      const details = { user: displayUser(params.user), target: `${params.host}:${params.port}`, tried: tried.map((t) => t.tried) };
      if (login.missing) return new SshError(`Authentication failed for ${who}: no user token given (the host's user name needs "#<token>")`, 'auth-failed', details);
      const list = tried.length ? tried.map((t) => t.label).join(', ') : 'no method the server offered';
      const hint = login.token ? '. If its user token changed, forget the saved one ("Forget Saved Passwords…") and connect again' : '';
      return new SshError(`Authentication failed for ${who} (tried: ${list})${hint}`, 'auth-failed', details);
    },
  };
}

/** Where secrets for this connection are saved: user, host, port and the verified host key. */
function secretTarget(params: AuthParams): SecretTarget {
  return { host: params.host, port: params.port, user: params.user, hostKeyFingerprint: params.hostKeyFingerprint?.() };
}

/** The user name sent with every request; with `userToken` the token is asked once, on the first request. */
function loginName(params: AuthParams): { name(): Promise<string | undefined>; token?: SecretKind; missing: boolean } {
  let pending: Promise<string | undefined> | undefined;
  const state: { name(): Promise<string | undefined>; token?: SecretKind; missing: boolean } = {
    missing: false,
    name: () =>
      (pending ??= (async () => {
        if (!params.userToken) return params.user;
        const target = secretTarget(params);
        const token = (await params.credentials.userToken?.(target))?.trim();
        if (!token) {
          state.missing = true;
          return undefined;
        }
        state.token = { kind: 'userToken', ...target };
        return joinUserToken(params.user, token);
      })()),
  };
  return state;
}

async function* generateAttempts(params: AuthParams, allowed: () => string[] | null): AsyncGenerator<Attempt> {
  yield { method: 'none', label: 'none', tried: { method: 'none' }, auth: { type: 'none' } };
  const offered = (m: string) => allowed()?.includes(m) ?? true;
  const order = params.preferredAuthentications.length ? params.preferredAuthentications : DEFAULT_METHOD_ORDER;
  for (const method of order) {
    if (!offered(method)) continue;
    if (method === 'publickey') yield* publicKeyAttempts(params);
    if (method === 'keyboard-interactive') yield* keyboardInteractiveAttempts(params);
    if (method === 'password') yield* passwordAttempts(params);
  }
}

async function* publicKeyAttempts(params: AuthParams): AsyncGenerator<Attempt> {
  const files = params.identityFiles.filter((f) => fs.existsSync(f));
  for (const f of params.identityFiles) if (!files.includes(f) && !params.identityFilesAreDefaults) params.log.warn(`auth: identity file ${f} not found`);
  const agent = await openAgent(params.agentSocket, params.identitiesOnly ? files : undefined, params.log);
  if (agent) yield { method: 'publickey', label: `publickey (agent, ${agent.count} key${agent.count === 1 ? '' : 's'})`, tried: { method: 'agent', keys: agent.count }, auth: { type: 'agent', agent: agent.agent as BaseAgent }, publicKey: agent.lastSigned };
  for (const file of files) {
    const key = await loadPrivateKey(file, params);
    if (key) yield { method: 'publickey', label: `publickey (${file})`, tried: { method: 'key', file }, auth: { type: 'publickey', key: key.data, passphrase: key.passphrase }, publicKey: () => key.publicKey };
  }
}

async function loadPrivateKey(file: string, params: AuthParams): Promise<{ data: Buffer; passphrase?: string; publicKey?: Buffer } | undefined> {
  let data: Buffer;
  try {
    data = readRegularFileSync(file, LOCAL_FILE_LIMITS.key);
  } catch (err) {
    params.log.warn(`auth: cannot read ${file}: ${err instanceof LocalFileError ? err.message : (err as NodeJS.ErrnoException).code}`);
    return undefined;
  }
  const plain = utils.parseKey(data);
  if (!(plain instanceof Error)) return { data, publicKey: publicBlob(plain) };
  if (!/passphrase/i.test(plain.message)) {
    params.log.warn(`auth: ${file} is not a usable private key (${plain.message})`);
    return undefined;
  }
  for (let attempt = 1; attempt <= PROMPTS_PER_METHOD; attempt++) {
    const passphrase = await params.credentials.passphrase({ keyPath: file, attempt });
    if (passphrase === undefined) return undefined;
    const parsed = utils.parseKey(data, passphrase);
    if (!(parsed instanceof Error)) {
      params.credentials.accepted({ kind: 'passphrase', keyPath: file });
      return { data, passphrase, publicKey: publicBlob(parsed) };
    }
    params.credentials.rejected({ kind: 'passphrase', keyPath: file });
    params.log.info(`auth: wrong passphrase for ${file}`);
  }
  return undefined;
}

function publicBlob(parsed: ParsedKey | ParsedKey[]): Buffer | undefined {
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key?.getPublicSSH();
}

async function* passwordAttempts(params: AuthParams): AsyncGenerator<Attempt> {
  // Generated after the handshake, so the verified host key is known here.
  const target = secretTarget(params);
  const secret: SecretKind = { kind: 'password', ...target };
  for (let attempt = 1; attempt <= PROMPTS_PER_METHOD; attempt++) {
    const password = await params.credentials.password({ ...target, attempt });
    if (password === undefined) return;
    yield { method: 'password', label: 'password', tried: { method: 'password' }, auth: { type: 'password', password }, secret };
  }
}

async function* keyboardInteractiveAttempts(params: AuthParams): AsyncGenerator<Attempt> {
  for (let attempt = 1; attempt <= PROMPTS_PER_METHOD; attempt++) {
    let cancelled = false;
    const prompt = (name: string, instructions: string, _lang: string, prompts: Array<{ prompt: string; echo?: boolean }>, finish: (answers: string[]) => void) => {
      if (prompts.length === 0) return finish([]);
      params.credentials
        .keyboardInteractive({ host: params.host, port: params.port, user: params.user, name, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: !!p.echo })), attempt })
        .then(
          (answers) => {
            if (answers === undefined) cancelled = true;
            finish(answers ?? prompts.map(() => ''));
          },
          () => finish(prompts.map(() => '')),
        );
    };
    yield { method: 'keyboard-interactive', label: 'keyboard-interactive', tried: { method: 'keyboard-interactive' }, auth: { type: 'keyboard-interactive', prompt } };
    if (cancelled) return;
  }
}
