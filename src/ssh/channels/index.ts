// The connection core's own channel types: nothing above src/ssh sees ssh2's ClientChannel.
// Session channels (exec, shell) hold a MaxSessions slot; stream channels (direct-tcpip,
// forwarded-tcpip) do not. Open them with SshConnection.exec / shell / forwardOut / forwardIn.
export type { ChannelKind, SlotWait } from '../channelScheduler';
export { SessionChannel } from './sessionChannel';
export type { ChannelExit, SignalName } from './sessionChannel';
export type { ShellOptions } from './shellOptions';
export { StreamChannel } from './streamChannel';
export { RemoteListener } from './remoteListener';
export type { IncomingConnection } from './remoteListener';
