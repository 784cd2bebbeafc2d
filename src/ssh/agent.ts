// The user's ssh-agent, reached through SSH_AUTH_SOCK or IdentityAgent. With
// IdentitiesOnly, only agent keys that match a configured identity file are offered,
// as OpenSSH does.
import * as fs from 'fs';
import { BaseAgent, OpenSSHAgent, ParsedKey, utils } from 'ssh2';
import { LOCAL_FILE_LIMITS, readRegularFileSync } from '../common/localFile';
import { Logger } from '../common/log';

type IdentitiesCallback = (err: Error | undefined, keys?: ParsedKey[]) => void;

class FilteredAgent extends BaseAgent {
  constructor(
    private readonly inner: OpenSSHAgent,
    private readonly keys: ParsedKey[],
  ) {
    super();
  }

  override getIdentities(cb: IdentitiesCallback): void {
    cb(undefined, this.keys);
  }

  override sign(...args: unknown[]): void {
    (this.inner.sign as (...a: unknown[]) => void)(...args);
  }
}

/** Returns an agent with at least one usable key, or undefined (logged once) when there is none. */
export async function openAgent(
  socket: string | undefined,
  onlyMatching: string[] | undefined,
  log: Logger,
): Promise<{ agent: BaseAgent; count: number } | undefined> {
  if (!socket || socket === 'none') return undefined;
  if (!fs.existsSync(socket)) {
    log.info(`auth: ssh-agent socket ${socket} does not exist; using key files`);
    return undefined;
  }
  const inner = new OpenSSHAgent(socket);
  const keys = await new Promise<ParsedKey[] | Error>((resolve) => {
    const timer = setTimeout(() => resolve(new Error('no answer within 5 s')), 5000);
    inner.getIdentities((err, list) => {
      clearTimeout(timer);
      // OpenSSHAgent always hands back parsed keys.
      resolve(err ?? ((list ?? []) as ParsedKey[]));
    });
  });
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
  return { agent: new FilteredAgent(inner, usable), count: usable.length };
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
