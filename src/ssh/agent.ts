// The user's ssh-agent, reached through SSH_AUTH_SOCK or IdentityAgent. With
// IdentitiesOnly, only agent keys that match a configured identity file are offered,
// as OpenSSH does.
import * as fs from 'fs';
import { BaseAgent, OpenSSHAgent, ParsedKey, utils } from 'ssh2';
import { LOCAL_FILE_LIMITS, readRegularFileSync } from '../common/localFile';
import { Logger } from '../common/log';
import { fingerprintSha256, keyTypeOfBlob } from './hostKeys/keyBlob';

type IdentitiesCallback = (err: Error | undefined, keys?: ParsedKey[]) => void;

/** Offers only `keys`, and remembers which one it last signed with: ssh2 asks for a signature only after the server accepted the key. */
class FilteredAgent extends BaseAgent {
  private signedWith: Buffer | undefined;

  constructor(
    private readonly inner: OpenSSHAgent,
    private readonly keys: ParsedKey[],
  ) {
    super();
  }

  /** The public key blob of the agent key the server accepted, once one was used. */
  get lastSigned(): Buffer | undefined {
    return this.signedWith;
  }

  override getIdentities(cb: IdentitiesCallback): void {
    cb(undefined, this.keys);
  }

  override sign(...args: unknown[]): void {
    const pubKey = args[0] as ParsedKey | Buffer | undefined;
    this.signedWith = Buffer.isBuffer(pubKey) ? pubKey : pubKey?.getPublicSSH?.();
    (this.inner.sign as (...a: unknown[]) => void)(...args);
  }
}

/** Returns an agent with at least one usable key, or undefined (logged once) when there is none. */
export async function openAgent(
  socket: string | undefined,
  onlyMatching: string[] | undefined,
  log: Logger,
): Promise<{ agent: BaseAgent; count: number; lastSigned(): Buffer | undefined } | undefined> {
  if (!socket || socket === 'none') return undefined;
  if (!fs.existsSync(socket)) {
    log.info(`auth: ssh-agent socket ${socket} does not exist; using key files`);
    return undefined;
  }
  const inner = new OpenSSHAgent(socket);
  const keys = await agentIdentities(inner);
  if (keys instanceof Error) {
    log.info(`auth: ssh-agent at ${socket} is not usable (${keys.message}); using key files`);
    return undefined;
  }
  let usable = keys;
  if (onlyMatching) {
    const wanted = new Set(onlyMatching.map(publicBlobOf).filter((b): b is string => !!b));
    usable = keys.filter((k) => wanted.has(k.getPublicSSH().toString('base64')));
  }
  if (usable.length === 0) return undefined;
  const agent = new FilteredAgent(inner, usable);
  return { agent, count: usable.length, lastSigned: () => agent.lastSigned };
}

/** The agent's keys, or why it could not tell within 5 s. */
function agentIdentities(agent: OpenSSHAgent): Promise<ParsedKey[] | Error> {
  return new Promise<ParsedKey[] | Error>((resolve) => {
    const timer = setTimeout(() => resolve(new Error('no answer within 5 s')), 5000);
    agent.getIdentities((err, list) => {
      clearTimeout(timer);
      // OpenSSHAgent always hands back parsed keys.
      resolve(err ?? ((list ?? []) as ParsedKey[]));
    });
  });
}

export interface AgentKey {
  readonly keyType: string;
  readonly comment: string;
  readonly fingerprint: string;
}

/** At most this many agent keys are listed: the agent is local, but its answer is still bounded. */
const MAX_LISTED_AGENT_KEYS = 100;

/** The keys the user's ssh-agent holds, for the Keys view; empty when there is no usable agent. */
export async function listAgentKeys(socket: string | undefined): Promise<AgentKey[]> {
  if (!socket || socket === 'none' || !fs.existsSync(socket)) return [];
  const keys = await agentIdentities(new OpenSSHAgent(socket));
  if (keys instanceof Error) return [];
  return keys.slice(0, MAX_LISTED_AGENT_KEYS).map((key) => {
    const blob = key.getPublicSSH();
    return { keyType: keyTypeOfBlob(blob) ?? String(key.type), comment: String(key.comment ?? '').slice(0, 200), fingerprint: fingerprintSha256(blob) };
  });
}

/** The public key blob of an identity file, from `<file>.pub` or an unencrypted private key. */
function publicBlobOf(file: string): string | undefined {
  for (const candidate of [`${file}.pub`, file]) {
    try {
      const parsed = utils.parseKey(readRegularFileSync(candidate, LOCAL_FILE_LIMITS.key));
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (!(key instanceof Error)) return key.getPublicSSH().toString('base64');
    } catch {
      /* try the next candidate */
    }
  }
  return undefined;
}
