// Host resolution the way `ssh -G` does it (OpenSSH 9.2 is the reference); see resolveConfig.ts.
export { ResolvedHost, StrictHostKeyChecking } from './resolvedHost';
export { resolveHost } from './resolveHost';
export { resolveOptions, SshGOptions } from './sshG';
export { ResolveOptions } from './resolveConfig';
export { listHostAliases, ListAliasesOptions } from './aliases';
export { ConfigFileSpec, defaultConfigFiles } from './defaults';
export { ConfigFs } from './includes';
export { expandTokens, expandProxyCommand, proxyTokens, TokenValues } from './tokens';
export { runMatchExecInShell } from './match';
export { sshConfigSource, configFileSpecs } from './source';
