// A gateway sandbox is read through ssh config under its OWN host name (`<id>.<gateway>`), so a
// `Host *.acme` block (or `Host *`) applies to it. Where the gateway's API says the sandbox is
// (untrusted input) only fills in HostName, Port and User: it never picks which config block
// applies, so an API answer naming another host cannot pull in that host's ProxyCommand,
// ProxyJump, IdentityFile or forwards.
import { GatewayEndpoint } from '../common/hostEntry';
import { ResolvedHost } from '../ssh/config/resolvedHost';
import { AliasResolver } from './resolveEntry';

export function resolveSandbox(sandboxName: string, endpoint: GatewayEndpoint, resolveAlias: AliasResolver): ResolvedHost {
  const base = resolveAlias(sandboxName, { user: endpoint.user, port: endpoint.port });
  return {
    ...base,
    alias: sandboxName,
    hostname: endpoint.hostname,
    port: endpoint.port,
    user: endpoint.user,
    pinnedHostKeys: endpoint.pinnedHostKeys,
    strictHostKeyChecking: endpoint.requireKnownHost ? 'yes' : base.strictHostKeyChecking,
    connectTimeout: endpoint.connectTimeoutSeconds,
    connectionAttempts: Math.max(base.connectionAttempts, endpoint.connectionAttempts),
  };
}
