// Remote names and paths, one rule each, for everything above the channel (the provider, tree
// operations, Download and Upload, the watcher):
// - paths on the server are POSIX: a child is `dir/name`, never normalised (a name from the
//   server is one segment, not a path to resolve);
// - every server lists `.` and `..`; listings drop them in one place (SftpChannel);
// - ssh2 decodes names as UTF-8 before we see the bytes, so a name that was not comes back
//   with U+FFFD in it and is not the file's real name: nothing may be opened, written, renamed
//   or created under it. A real name containing U+FFFD is treated the same, on the safe side.

/** What ssh2 puts where a name's bytes were not UTF-8. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** Said to the user about a name (or a path holding one) that isLossyName refuses. */
export const LOSSY_NAME_REASON = 'the name is not valid UTF-8';

/** The child `name` of the remote folder `dir`. */
export function joinRemotePath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** `.` and `..`: listed by servers, never real entries. */
export function isDotEntry(name: string): boolean {
  return name === '.' || name === '..';
}

/** A name, or a path, that ssh2 decoded lossily (see above): not the real name, so read-only at most. */
export function isLossyName(nameOrPath: string): boolean {
  return nameOrPath.includes(REPLACEMENT_CHARACTER);
}
