import * as vscode from 'vscode';
import { HostEntry } from '../common/hostEntry';
import { joinRemotePath } from '../ssh/sftp';
import { SCHEME } from './remotePath';
import { RemoteSessions } from './remoteSessions';

/** Where a host opens: its configured remote working directory, else the login directory. */
export class RemoteRoots {
  private readonly homes = new Map<string, string>();

  constructor(private readonly sessions: RemoteSessions) {}

  /** Host settings changed: a name may now point at another machine. */
  forget(): void {
    this.homes.clear();
  }

  async rootUri(host: HostEntry): Promise<vscode.Uri> {
    const dir = host.remoteDirectory;
    if (dir && dir.startsWith('/')) return this.uri(host.name, dir);
    const home = await this.home(host.name);
    // `~` is the remote login folder; anything else not absolute is taken under it.
    const path = !dir || dir === '~' ? home : joinRemotePath(home, dir.replace(/^~\//, ''));
    return this.uri(host.name, path);
  }

  private async home(hostName: string): Promise<string> {
    let home = this.homes.get(hostName);
    if (!home) {
      // SFTP's REALPATH of "." is the login directory (OpenSSH: the user's home).
      home = await this.sessions.run(hostName, (s) => s.realpath('.'));
      this.homes.set(hostName, home);
    }
    return home;
  }

  private uri(hostName: string, path: string): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, authority: hostName, path });
  }
}
