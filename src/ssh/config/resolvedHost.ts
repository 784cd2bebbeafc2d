// What the connection core needs to know about a host, resolved the way `ssh -G` would.
import { ForwardSpec } from './forwards';
import { JumpHop } from './userHostPort';

import type { PinnedHostKeys } from '../hostKeys/verifier';

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask';

export interface ResolvedHost {
  /** The name the user asked for (OpenSSH's %n). */
  readonly alias: string;
  /** HostName after token expansion (%h). */
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  /**
   * Settings hosts only (ssh config has no such keyword): the server expects `<user>#<token>`,
   * the token kept in secret storage and joined at authentication.
   */
  readonly userToken?: boolean;
  /**
   * Expanded paths, in the order OpenSSH would try them: the configured ones, else OpenSSH's
   * default list (see identityFilesAreDefaults). Empty only after `IdentityFile none`.
   */
  readonly identityFiles: string[];
  /** True when IdentityFile was not set and identityFiles holds OpenSSH's defaults. */
  readonly identityFilesAreDefaults: boolean;
  readonly identitiesOnly: boolean;
  /** IdentityAgent: a socket path, or 'none'; undefined means SSH_AUTH_SOCK. */
  readonly identityAgent?: string;
  /** ProxyJump hops, outermost first; empty when none. */
  readonly proxyJump: readonly JumpHop[];
  /** ProxyCommand with tokens left unexpanded (they are expanded at connect time); undefined when none. */
  readonly proxyCommand?: string;
  readonly strictHostKeyChecking: StrictHostKeyChecking;
  readonly userKnownHostsFiles: string[];
  readonly globalKnownHostsFiles: string[];
  readonly hostKeyAlias?: string;
  /** Host keys a sandbox platform's API vouches for: they replace known_hosts and the first-use prompt. */
  readonly pinnedHostKeys?: PinnedHostKeys;
  /** Seconds; 0 means not set. */
  readonly serverAliveInterval: number;
  readonly serverAliveCountMax: number;
  /** Seconds; undefined means not set. */
  readonly connectTimeout?: number;
  readonly connectionAttempts: number;
  /** Lower-case method names in order, e.g. ['publickey', 'password']. */
  readonly preferredAuthentications: string[];
  readonly setEnv: Record<string, string>;
  /** Algorithm lists as written in the config (e.g. '+ssh-rsa'), undefined when not set. */
  readonly hostKeyAlgorithms?: string;
  readonly macs?: string;
  readonly ciphers?: string;
  readonly kexAlgorithms?: string;
  /** LocalForward entries, in config order (parsed as ssh does; tokens left as written). */
  readonly localForwards: readonly ForwardSpec[];
  readonly remoteForwards: readonly ForwardSpec[];
  /** DynamicForward entries (listen side only; `connectHost` is 'socks'). */
  readonly dynamicForwards: readonly ForwardSpec[];
}
