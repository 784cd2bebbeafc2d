// Looks a presented host key up in known_hosts files, the way ssh's check_host_key does,
// and says what was found. Deciding what to do about it is policy.ts's job.
import { LOCAL_FILE_LIMITS, LocalFileError, readRegularFile } from '../../common/localFile';
import { Logger, nullLogger } from '../../common/log';
import { fingerprintSha256, keyTypeOfBlob } from './keyBlob';
import { entryAppliesTo, HostKeyTarget, KnownHostsEntry, knownHostsName, parseKnownHosts, portlessFallbackName } from './knownHosts';

export interface CheckHostKeyOptions extends HostKeyTarget {
  /** The raw key blob ssh2 passes to `hostVerifier`. */
  readonly key: Buffer;
  /** User files, then global files, then the extension's trust file; missing files are skipped. */
  readonly files: readonly string[];
  readonly log?: Logger;
}

/** What every result says about the presented key, for prompts and messages. */
export interface PresentedKey {
  readonly hostname: string;
  readonly port: number;
  readonly hostKeyAlias?: string;
  /** The name looked up: HostKeyAlias, `host` or `[host]:port`. */
  readonly lookupName: string;
  readonly keyType: string;
  readonly fingerprint: string;
}

export type HostKeyCheckResult = PresentedKey &
  (
    | { readonly status: 'match'; readonly file: string; readonly line: number }
    | { readonly status: 'revoked'; readonly file: string; readonly line: number }
    | { readonly status: 'changed'; readonly knownFingerprints: string[]; readonly file: string; readonly line: number }
    /**
     * `certAuthorityOnly`: a `@cert-authority` line names this host, but ssh2 cannot
     * verify host certificates, so it could not vouch for the key.
     */
    | { readonly status: 'unknown'; readonly certAuthorityOnly?: boolean }
  );

export async function checkHostKey(options: CheckHostKeyOptions): Promise<HostKeyCheckResult> {
  const { key } = options;
  const presented: PresentedKey = {
    hostname: options.hostname,
    port: options.port,
    hostKeyAlias: options.hostKeyAlias,
    lookupName: knownHostsName(options),
    keyType: keyTypeOfBlob(key) ?? 'unknown',
    fingerprint: fingerprintSha256(key),
  };
  const name = presented.lookupName;
  const fallback = portlessFallbackName(options);
  const entries = await readEntries(options.files, options.log ?? nullLogger);

  let match: KnownHostsEntry | undefined;
  let fallbackMatch: KnownHostsEntry | undefined;
  const others: KnownHostsEntry[] = [];
  let certAuthority = false;
  for (const entry of entries) {
    const forName = entryAppliesTo(entry, name);
    const forFallback = fallback !== undefined && !forName && entryAppliesTo(entry, fallback);
    if (!forName && !forFallback) continue;
    const same = entry.key.equals(key);
    // @revoked wins over every other line, in any file, under either name.
    if (entry.marker === 'revoked') {
      if (same) return { ...presented, status: 'revoked', file: entry.file, line: entry.line };
      continue;
    }
    if (entry.marker === 'cert-authority') {
      certAuthority = true;
      continue;
    }
    if (forName) {
      if (same) match ??= entry;
      else others.push(entry);
    } else if (same) {
      fallbackMatch ??= entry;
    }
  }
  if (match) return { ...presented, status: 'match', file: match.file, line: match.line };
  // ssh treats any other key recorded for the name as a changed key, whatever its type
  // (OpenSSH 9.2: a known RSA key and a presented ED25519 key is "HAS CHANGED").
  if (others.length > 0) {
    const knownFingerprints = [...new Set(others.map((e) => fingerprintSha256(e.key)))];
    return { ...presented, status: 'changed', knownFingerprints, file: others[0].file, line: others[0].line };
  }
  // Only a matching key counts under the port-less name; a different one there is not "changed".
  if (fallbackMatch) return { ...presented, status: 'match', file: fallbackMatch.file, line: fallbackMatch.line };
  return certAuthority ? { ...presented, status: 'unknown', certAuthorityOnly: true } : { ...presented, status: 'unknown' };
}

/**
 * Key types recorded for the host (plain lines only), so the client can offer those
 * host key algorithms first, as ssh does; otherwise a server with several keys may
 * present one we do not know and it would look changed.
 */
export async function knownHostKeyTypes(target: HostKeyTarget & { files: readonly string[]; log?: Logger }): Promise<string[]> {
  const name = knownHostsName(target);
  const fallback = portlessFallbackName(target);
  const types = new Set<string>();
  for (const entry of await readEntries(target.files, target.log ?? nullLogger)) {
    if (entry.marker) continue;
    if (entryAppliesTo(entry, name) || (fallback !== undefined && entryAppliesTo(entry, fallback))) types.add(entry.keyType);
  }
  return [...types];
}

async function readEntries(files: readonly string[], log: Logger): Promise<KnownHostsEntry[]> {
  const unique = [...new Set(files)];
  const texts = await Promise.all(
    unique.map(async (file) => {
      try {
        return (await readRegularFile(file, LOCAL_FILE_LIMITS.knownHosts)).toString('utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // ssh skips missing files silently and unreadable ones with a debug line.
        if (code !== 'ENOENT' && code !== 'ENOTDIR') log.warn(`cannot read known hosts file ${file}: ${err instanceof LocalFileError ? err.message : (code ?? String(err))}`);
        return '';
      }
    }),
  );
  return unique.flatMap((file, i) => parseKnownHosts(texts[i], file));
}
