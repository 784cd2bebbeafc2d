// Every fixture in test/fixtures/ssh_config is resolved by our code and by the real OpenSSH
// client on this machine (`ssh -G`, and `ssh -v` for the expanded identity files), and the
// results must agree on every keyword we interpret, except for the deliberate differences
// listed in DELIBERATE_DIFFERENCES (also in the README).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SshError } from '../../../../src/ssh/errors';
import { ResolveOptions } from '../../../../src/ssh/config/resolveConfig';
import { resolveHost } from '../../../../src/ssh/config/resolveHost';
import { SshGOptions, resolveOptions } from '../../../../src/ssh/config/sshG';
import { JumpHop, parseHop } from '../../../../src/ssh/config/userHostPort';
import { Fixture, Materialised, loadFixtures, materialise } from './fixtures';
import { IDENTITY_PROBE_ARGS, OracleMode, OracleRun, PW_DIR, inBatches, namespaceCommand, parseIdentityFiles, parseSshG, runSsh, sshVersion } from './oracle';

/** The keywords compared with `ssh -G` (the ones the resolver interprets). */
const COMPARED = [
  'host', 'hostname', 'user', 'port', 'identityfile', 'certificatefile', 'identitiesonly', 'identityagent',
  'proxyjump', 'proxycommand', 'stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile',
  'hostkeyalias', 'serveraliveinterval', 'serveralivecountmax', 'connecttimeout', 'connectionattempts',
  'preferredauthentications', 'setenv', 'sendenv', 'localforward', 'remoteforward', 'dynamicforward',
  'canonicalizehostname', 'ciphers', 'macs', 'kexalgorithms', 'hostkeyalgorithms',
];
const ALGORITHMS = ['ciphers', 'macs', 'kexalgorithms', 'hostkeyalgorithms'];

/** Where we knowingly differ from OpenSSH 9.2's `ssh -G`, and why. Fixtures name them with `# differs:`. */
export const DELIBERATE_DIFFERENCES: Record<string, string> = {
  'unknown-keyword':
    'ssh refuses a whole config that contains a keyword it does not know; we ignore the keyword, because the user\'s ssh may be newer than the OpenSSH we emulate.',
  'newer-match-criterion':
    'OpenSSH 9.2 rejects Match criteria added later (tagged, localnetwork, version, sessiontype, command); we evaluate them as not matching and warn.',
  'algorithm-lists':
    'Ciphers/MACs/KexAlgorithms/HostKeyAlgorithms are kept as written; ssh -G prints them merged with its compiled-in defaults. A "+", "-" or "^" list is applied by the connection code against ssh2\'s algorithms, not OpenSSH\'s.',
  'dynamicforward-echo':
    'ssh -G 9.2 also prints every LocalForward whose target is a Unix socket as a "dynamicforward" line (a quirk of dump_cfg_forwards); we do not.',
  'match-exec':
    'Match exec runs a command only when the caller passes runMatchExec (the parity test does); by default a Match line with exec never matches.',
  'canonical-domains':
    'CanonicalizeHostname starts the second pass as in ssh, but the host name is not rewritten through DNS with CanonicalDomains/CanonicalizePermittedCNAMEs (no fixture: it needs DNS).',
  'permissions-windows':
    'The owner/permission check on ~/.ssh/config and included files is skipped where there are no POSIX uids (Windows).',
  'tilde-user':
    '`~user/` is looked up in /etc/passwd only; a user known only through NSS (LDAP, …) is reported as unknown.',
  'missing-config-file':
    'A config file that does not exist is skipped, including an explicitly configured extra one (`ssh -F missing` fails).',
  'connect-timeout-zero':
    'resolveHost reports ConnectTimeout 0 as unset (the extension\'s own timeout applies) rather than waiting for the system TCP timeout.',
  'identity-agent-unset-variable':
    'IdentityAgent $NAME with NAME unset resolves to "none" (no agent), which is what ssh ends up with.',
};

const fixtures = loadFixtures();

interface Case {
  readonly fx: Fixture;
  /** The destination given to ssh (and to us). */
  readonly alias: string;
  /** A ProxyJump hop: `alias` is its host, and ssh gets `-l user -p port` as the ProxyCommand for -J passes them. */
  readonly hop?: JumpHop;
  sshG?: OracleRun;
  sshV?: OracleRun;
}

describe('ssh_config: parity with the real `ssh -G`', function () {
  this.timeout(60000);
  const version = sshVersion();
  let ns: string[] | undefined;
  const dirs = new Map<string, Materialised>();
  const cases = new Map<string, Case>();
  let sshDefaults: Record<string, string[]> = {};

  before(async function () {
    if (!version) this.skip();
    ns = namespaceCommand();
    for (const fx of fixtures) dirs.set(fx.name, materialise(fx));
    const jobs: Array<() => Promise<void>> = [];
    for (const fx of fixtures) {
      if (fx.defaultFiles && !ns) continue;
      const mode = oracleMode(fx, dirs.get(fx.name)!);
      const env = oracleEnv(fx, dirs.get(fx.name)!);
      const add = (key: string, c: Case) => {
        cases.set(key, c);
        const preset = c.hop ? hopArgs(c.hop) : [];
        jobs.push(async () => {
          c.sshG = await runSsh(mode, [...preset, '-G', c.alias], env, ns);
          if (c.sshG.ok) c.sshV = await runSsh(mode, [...preset, ...IDENTITY_PROBE_ARGS, c.alias], env, ns);
        });
      };
      for (const alias of fx.aliases) add(`${fx.name}/${alias}`, { fx, alias });
      for (const spec of fx.hops) {
        const hop = parseHop(spec);
        if (hop) add(`${fx.name}/hop ${spec}`, { fx, alias: hop.host, hop });
      }
    }
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-sshcfg-empty-'));
    fs.writeFileSync(path.join(empty, 'config'), '');
    jobs.push(async () => {
      sshDefaults = parseSshG((await runSsh({ kind: 'file', config: path.join(empty, 'config') }, ['-G', 'sbx-defaults'], { PATH: process.env.PATH }, ns)).stdout);
      fs.rmSync(empty, { recursive: true, force: true });
    });
    await inBatches(jobs, 8);
  });

  after(() => {
    for (const m of dirs.values()) fs.rmSync(m.dir, { recursive: true, force: true });
  });

  it(`has at least 40 fixtures (${fixtures.length})`, () => {
    assert.ok(fixtures.length >= 40, `${fixtures.length} fixtures`);
  });

  for (const fx of fixtures) {
    describe(fx.name, () => {
      const keys = [...fx.aliases.map((alias) => ({ key: `${fx.name}/${alias}`, title: alias })), ...fx.hops.map((spec) => ({ key: `${fx.name}/hop ${spec}`, title: `hop ${spec}` }))];
      for (const { key, title } of keys) {
        it(title, function () {
          if (title.startsWith('hop ')) assert.ok(parseHop(title.slice('hop '.length)), `${title}: our hop parser refuses it`);
          const c = cases.get(key);
          if (!c?.sshG) this.skip(); // default-files fixture without a mount namespace
          const alias = c.alias;
          const m = dirs.get(fx.name)!;
          const opts = { ...ourOptions(fx, m), ...(c.hop ? { user: c.hop.user, port: c.hop.port } : {}) };
          if (fx.differs) assert.ok(DELIBERATE_DIFFERENCES[fx.differs], `unknown difference id ${fx.differs}`);

          if (!c.sshG.ok) {
            if (fx.differs === 'unknown-keyword' || fx.differs === 'newer-match-criterion') {
              // ssh fails on the whole file; we resolve it.
              assert.doesNotThrow(() => resolveOptions(alias, opts));
              return;
            }
            assert.throws(() => resolveOptions(alias, opts), (err) => SshError.is(err, 'config'), `ssh -G failed (${c.sshG.stderr.trim()}) but we did not`);
            return;
          }
          const ours = normalise(resolveOptions(alias, opts), fx, m);
          const theirs = parseSshG(c.sshG.stdout);
          assert.deepStrictEqual(pick(ours, theirs, sshDefaults), pick(theirs, theirs, sshDefaults, ours));

          // Identity files as ssh expands them when loading keys (tokens, ${VAR}, ~). The probe
          // always ends with the proxy closing the connection, unless ssh died before that.
          assert.ok(c.sshV, 'ssh -v ran');
          if (!/kex_exchange_identification|Connection closed/.test(c.sshV.stderr)) {
            assert.throws(() => resolveHost(alias, opts), (err) => SshError.is(err, 'config'), `ssh -v failed (${c.sshV.stderr.trim().split('\n').pop()}) but we did not`);
            return;
          }
          const expected = parseIdentityFiles(c.sshV.stderr);
          const actual = resolveHost(alias, opts).identityFiles.map((f) => normaliseValue(f, fx, m));
          assert.deepStrictEqual(actual, expected, `identity files (ssh -v stderr: ${c.sshV.stderr.split('\n').slice(-3).join(' | ')})`);
        });
      }
    });
  }
});

/** What ssh passes the ProxyCommand it builds for a hop (ssh.c: `ssh -l user -p port -W … host`). */
function hopArgs(hop: JumpHop): string[] {
  return [...(hop.user !== undefined ? ['-l', hop.user] : []), ...(hop.port !== undefined ? ['-p', String(hop.port)] : [])];
}

function oracleMode(fx: Fixture, m: Materialised): OracleMode {
  return fx.defaultFiles ? { kind: 'default-files', home: m.home, etc: m.etc } : { kind: 'file', config: m.config };
}

/** A small, fixed environment: $HOME is the fixture's home (glob(3) uses it for `~` in Include). */
function oracleEnv(fx: Fixture, m: Materialised): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: m.home, SHELL: '/bin/sh', ...fx.env };
}

function ourOptions(fx: Fixture, m: Materialised): ResolveOptions {
  const env = oracleEnv(fx, m);
  const runMatchExec = (command: string) => spawnSync('/bin/sh', ['-c', command], { env, stdio: 'ignore' }).status === 0;
  if (!fx.defaultFiles) return { configFiles: [m.config], env, runMatchExec };
  return {
    configFiles: [{ path: m.config, checkPerm: true }, { path: m.systemConfig, system: true }],
    homeDir: m.home,
    systemDir: m.etc,
    env,
    runMatchExec,
  };
}

/** In default-files mode ssh sees the fixture's home at the real home path and its etc/ at /etc/ssh. */
function normaliseValue(v: string, fx: Fixture, m: Materialised): string {
  return fx.defaultFiles ? v.split(m.home).join(PW_DIR).split(m.etc).join('/etc/ssh') : v;
}

function normalise(o: SshGOptions, fx: Fixture, m: Materialised): SshGOptions {
  return Object.fromEntries(Object.entries(o).map(([k, vs]) => [k, vs.map((v) => normaliseValue(v, fx, m))]));
}

/**
 * The compared keywords of `side`, with the documented differences taken out: algorithm lists
 * we leave unset must be ssh's defaults there, `+`/`-`/`^` lists are not compared, and the
 * dynamicforward echo of Unix-socket LocalForwards is dropped from ssh's side.
 */
function pick(side: SshGOptions, theirs: SshGOptions, defaults: SshGOptions, ours?: SshGOptions): SshGOptions {
  const out: SshGOptions = {};
  for (const key of COMPARED) {
    let value: string[] | undefined = side[key];
    if (ours && ALGORITHMS.includes(key)) {
      const mine = ours[key]?.[0];
      if (mine === undefined) value = JSON.stringify(theirs[key]) === JSON.stringify(defaults[key]) ? undefined : value;
      else if (/^[+\-^]/.test(mine)) value = ours[key];
    }
    if (ours && key === 'dynamicforward' && value) {
      // A LocalForward to a Unix socket prints its target as a path, not as `[host]:port`.
      const echoed = new Set((theirs.localforward ?? []).filter((l) => !/ \[.*\]:\d+$/.test(l)).map((l) => l.split(' ')[0]));
      value = value.filter((l) => !echoed.has(l));
    }
    if (value !== undefined && value.length > 0) out[key] = value;
  }
  return out;
}
