// Wires host key verification, algorithm policy and ProxyCommand tokens into the pool.
// Plain Node: the editor supplies only prompts, credentials and where to keep trusted keys.
import { Logger } from '../common/log';
import { expandProxyCommand } from './config';
import { ResolvedHost } from './config/resolvedHost';
import { JumpHop } from './config/userHostPort';
import { Credentials } from './credentials';
import { buildAlgorithms, createHostVerifier, HostKeyPrompt, knownHostKeyTypes } from './hostKeys';
import { PoolDependencies, PoolSettings } from './pool';

export interface ConnectionEnvironment {
  resolve(name: string, signal?: AbortSignal): Promise<ResolvedHost>;
  /** A ProxyJump hop, its user and port fixed before the config is read (`ssh -l user -p port host`). */
  resolveHop(hop: JumpHop): Promise<ResolvedHost>;
  readonly credentials: Credentials;
  readonly hostKeyPrompt: HostKeyPrompt;
  /** Where accepted host keys are recorded (read each time: a setting can move it). */
  trustFile(): string;
  settings(): PoolSettings;
  readonly log: Logger;
  readonly agentSocket?: string;
}

function knownHostsFiles(target: ResolvedHost): string[] {
  return [...target.userKnownHostsFiles, ...target.globalKnownHostsFiles];
}

export function poolDependencies(env: ConnectionEnvironment): PoolDependencies {
  return {
    resolve: (name, signal) => env.resolve(name, signal),
    resolveHop: (hop) => env.resolveHop(hop),
    credentials: env.credentials,
    hostKeys: (target) =>
      createHostVerifier({
        hostname: target.hostname,
        port: target.port,
        hostKeyAlias: target.hostKeyAlias,
        strict: target.strictHostKeyChecking,
        knownHostsFiles: knownHostsFiles(target),
        trustFile: env.trustFile(),
        prompt: env.hostKeyPrompt,
        log: env.log,
        pinned: target.pinnedHostKeys,
      }),
    // Ask first for key types already known for the host, as OpenSSH does, so a host known by
    // one key type is not reported as "changed" when it also has another.
    algorithms: async (target) =>
      buildAlgorithms(target, {
        knownHostKeyTypes: await knownHostKeyTypes({
          hostname: target.hostname,
          port: target.port,
          hostKeyAlias: target.hostKeyAlias,
          files: [...knownHostsFiles(target), env.trustFile()],
        }),
        log: env.log,
      }),
    expandProxyCommand: (target) => expandProxyCommand(target),
    settings: () => env.settings(),
    log: env.log,
    agentSocket: env.agentSocket,
  };
}
