// Host key verification for the connection core: known_hosts lookup, StrictHostKeyChecking
// policy, recording accepted keys, and ssh2's hostVerifier / algorithms options.
export { buildAlgorithms } from './algorithms';
export type { AlgorithmConfig, BuildAlgorithmsOptions } from './algorithms';
export { checkHostKey, knownHostKeyTypes } from './check';
export type { CheckHostKeyOptions, HostKeyCheckResult, PresentedKey } from './check';
export { HostKeyError } from './hostKeyError';
export type { HostKeyErrorDetails, HostKeyRejectReason } from './hostKeyError';
export { fingerprintSha256, keyTypeOfBlob } from './keyBlob';
export { formatKnownHostsLine, knownHostsName, parseKnownHosts } from './knownHosts';
export type { HostKeyTarget, KnownHostsEntry } from './knownHosts';
export { decideHostKey } from './policy';
export type { ChangedHostKeyInfo, HostKeyDecision, HostKeyInfo, HostKeyPrompt, NewHostKeyInfo, RevokedHostKeyInfo } from './policy';
export { addKnownHost } from './record';
export type { AddKnownHostOptions } from './record';
export { createHostVerifier } from './verifier';
export type { HostVerifier, HostVerifierOptions } from './verifier';
