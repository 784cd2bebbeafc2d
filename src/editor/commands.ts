// Every command is registered here, through one helper that turns what the editor passes into
// what the command acts on, and reports failures one way:
// - view/item/context passes the tree node, view/title the focused node or null, the Explorer
//   (clickedUri, selectedUris[]), the status bar and other commands a host name, the palette
//   nothing (then the active sbx:// editor, or the host picker asks);
// - a failure is logged and shown once as "<what> failed: <why>"; a connection failure of the
//   host the command acts on is shown with its fixes (ConnectionNotices) instead; a cancel says
//   nothing; a caller's bad argument (CommandArgumentError) rejects, for the caller to handle.
import * as vscode from 'vscode';
import { Logger } from '../common/log';
import { SshError } from '../ssh/errors';
import { SCHEME } from '../fs/remotePath';
import { HostEntry } from '../common/hostEntry';
import { hostsNodeOf } from './hostsNode';
import { hostFromArgument, PickOptions } from '../hosts/pickHost';

/** A caller passed an argument the command cannot take: it rejects with this, nothing is shown. */
export class CommandArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandArgumentError';
  }
}

/** A remote file or folder a command was given; `type` when the tree node said it. */
export interface RemoteResource {
  readonly uri: vscode.Uri;
  readonly type?: vscode.FileType;
}

export type ResourceOrHost = { readonly resource: RemoteResource } | { readonly host: HostEntry };

export interface CommandsIo {
  readonly log: Logger;
  /** The hosts a host argument is looked up in (and the picker offers). */
  hosts(): Promise<HostEntry[]>;
  /** Shows a connection failure of `host` with its fixes. */
  connectionError(host: string, err: SshError): unknown;
}

/** A user's cancel, from the editor or from the connection layer: not a failure. */
export function isCancellation(err: unknown): boolean {
  return err instanceof vscode.CancellationError || SshError.is(err, 'cancelled');
}

const isSbx = (value: unknown): value is vscode.Uri => value instanceof vscode.Uri && value.scheme === SCHEME;

/** A Hosts view file or folder node, or an sbx:// URI, as the remote resource it names. */
export function remoteResourceOf(value: unknown): RemoteResource | undefined {
  const entry = hostsNodeOf(value, 'entry');
  if (entry) return { uri: entry.uri, type: entry.type };
  return isSbx(value) ? { uri: value } : undefined;
}

/**
 * The sbx:// resources a command was invoked on: the selection when the clicked item is part of
 * it (the Explorer passes both), else the clicked item (node or URI), else the active editor's.
 */
export function resourcesOf(clicked: unknown, selection: unknown): vscode.Uri[] {
  const first = remoteResourceOf(clicked)?.uri;
  const picked = (Array.isArray(selection) ? selection : []).map((s) => remoteResourceOf(s)?.uri).filter((u): u is vscode.Uri => u !== undefined);
  if (first) return picked.some((u) => u.toString() === first.toString()) ? picked : [first];
  if (picked.length) return picked;
  const active = vscode.window.activeTextEditor?.document.uri;
  return isSbx(active) ? [active] : [];
}

export class Commands {
  constructor(private readonly io: CommandsIo) {}

  /** A command that takes no argument, or only values other commands pass (strings). */
  plain(id: string, what: string, run: (...args: unknown[]) => unknown): vscode.Disposable {
    return this.register(id, what, async (args) => ({ value: args }), (args) => run(...args));
  }

  /**
   * A command on one host: the row's node, an sbx:// URI, a host name, or nothing (then
   * `orElse`'s host, e.g. the active editor's, or the picker asks). `rest` is what follows.
   */
  host(id: string, what: string, pick: string | PickOptions, run: (host: HostEntry, ...rest: unknown[]) => unknown, orElse?: () => string | undefined): vscode.Disposable {
    return this.register(
      id,
      what,
      async ([arg, ...rest]) => {
        const host = await hostFromArgument(arg ?? orElse?.(), () => this.io.hosts(), pick);
        return host ? { value: [host, ...rest] as const, host: host.name } : undefined;
      },
      ([host, ...rest]) => run(host, ...rest),
    );
  }

  /** A command on remote files and folders (see resourcesOf); it gets [] when there are none. `rest` follows (clicked, selection). */
  resources(id: string, what: string, run: (uris: vscode.Uri[], ...rest: unknown[]) => unknown): vscode.Disposable {
    return this.register(
      id,
      what,
      async ([clicked, selection, ...rest]) => {
        const uris = resourcesOf(clicked, selection);
        return { value: [uris, ...rest] as const, host: uris[0]?.authority };
      },
      ([uris, ...rest]) => run(uris, ...rest),
    );
  }

  /**
   * A command on one remote file or folder, or else on a host (node, name, or picked). With
   * `rootIsHost`, an sbx:// URI of a host's root counts as that host.
   */
  resourceOrHost(id: string, what: string, pick: string | PickOptions, run: (target: ResourceOrHost, ...rest: unknown[]) => unknown, options: { rootIsHost?: boolean } = {}): vscode.Disposable {
    return this.register<[ResourceOrHost, ...unknown[]]>(
      id,
      what,
      async ([arg, ...rest]) => {
        const resource = remoteResourceOf(arg);
        const isRoot = resource && resource.type === undefined && (resource.uri.path === '/' || resource.uri.path === '');
        if (resource && !(options.rootIsHost && isRoot)) return { value: [{ resource }, ...rest], host: resource.uri.authority };
        const host = await hostFromArgument(arg, () => this.io.hosts(), pick);
        return host ? { value: [{ host }, ...rest], host: host.name } : undefined;
      },
      ([target, ...rest]) => run(target, ...rest),
    );
  }

  /** Registers `id`: resolves its arguments (undefined: the user dismissed a prompt, nothing to do), runs it, reports its failure. */
  private register<T>(id: string, what: string, resolve: (args: unknown[]) => Promise<{ value: T; host?: string } | undefined>, run: (value: T) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      let host: string | undefined;
      try {
        const resolved = await resolve(args);
        if (!resolved) return undefined;
        host = resolved.host;
        return await run(resolved.value);
      } catch (err) {
        this.report(what, err, host);
        return undefined;
      }
    });
  }

  private report(what: string, err: unknown, host: string | undefined): void {
    if (isCancellation(err)) return;
    if (err instanceof CommandArgumentError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    this.io.log.error(`${what} failed${host ? ` on ${host}` : ''}: ${reason}`);
    if (host && SshError.is(err)) {
      void this.io.connectionError(host, err);
      return;
    }
    void vscode.window.showErrorMessage(`${what} failed: ${reason}`);
  }
}
