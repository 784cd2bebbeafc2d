// `~` in a path on this machine that the user typed outside ssh config (the sshConfigFile
// setting, a settings host's identityFile or knownHostsFile) expands as ssh expands it in
// ssh config: tokens.ts expandTilde, with this machine's home and user.
import * as os from 'os';
import { expandTilde } from './tokens';

function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return ''; // no passwd entry (containers): only the bare `~` forms expand
  }
}

/** `~`, `~/x`, `~user/x` on this machine; an unknown user throws SshError('config'), as ssh refuses it. */
export function expandLocalTilde(file: string): string {
  return expandTilde(file, os.homedir(), localUser());
}
