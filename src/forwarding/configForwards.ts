// The host's LocalForward / RemoteForward / DynamicForward lines (as src/ssh/config/forwards.ts
// parses them) turned into forward specs to start on connect. OpenSSH semantics: no bind
// address means the loopback (GatewayPorts no), which for us is `localhost`: 127.0.0.1 and ::1.
import { ForwardSpec as ConfigForward } from '../ssh/config/forwards';
import { ForwardSpec } from './forwardSpec';

/** A parsed ssh config forward line (src/ssh/config/forwards.ts). */
export type ConfigForwardLike = ConfigForward;

export type ConfigForwardResult = { readonly spec: ForwardSpec } | { readonly skipped: string };

export function fromConfigForward(f: ConfigForwardLike, kind: 'local' | 'remote' | 'dynamic'): ConfigForwardResult {
  const listenHost = f.listenHost === undefined || f.listenHost === '' ? 'localhost' : f.listenHost;
  const target = f.connectPath !== undefined ? ({ kind: 'unix', path: f.connectPath } as const) : f.connectHost !== undefined && f.connectPort ? ({ kind: 'tcp', host: f.connectHost, port: f.connectPort } as const) : undefined;
  switch (kind) {
    case 'dynamic':
      if (f.listenPath !== undefined || f.listenPort === undefined) return { skipped: 'a SOCKS proxy on a Unix socket is not supported' };
      return { spec: { kind, listen: { kind: 'tcp', host: listenHost, port: f.listenPort } } };
    case 'local': {
      if (!target) return { skipped: 'no target' };
      if (f.listenPath !== undefined) return { spec: { kind, listen: { kind: 'unix', path: f.listenPath }, target } };
      if (f.listenPort === undefined) return { skipped: 'no local port' };
      return { spec: { kind, listen: { kind: 'tcp', host: listenHost, port: f.listenPort }, target } };
    }
    case 'remote':
      if (f.listenPath !== undefined) return { skipped: 'a remote Unix-socket listener is not supported' };
      if (f.connectHost === 'socks' && f.connectPort === undefined) return { skipped: 'a remote dynamic (SOCKS) forward is not supported' };
      if (!target || f.listenPort === undefined) return { skipped: 'no target' };
      return { spec: { kind, listen: { kind: 'tcp', host: listenHost, port: f.listenPort }, target } };
  }
}
