// cp's and mv's real failures (this machine's coreutils, in the C locale as the remote runs
// them), read as the errors every other file operation reports.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { isAbout, parseCpFailure } from '../../../src/fs/cpFailure';
import { makeTempDir } from '../../support/sshd';

/** stderr of `command` under sh in the C locale, whatever this machine's locale is. */
function stderrOf(command: string): string {
  const r = spawnSync('sh', ['-c', command], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
  assert.notStrictEqual(r.status, 0, `${command} succeeded`);
  return r.stderr;
}

describe('parseCpFailure (real cp and mv, LC_ALL=C)', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('sbx-cp-');
  });
  afterEach(() => {
    spawnSync('chattr', ['-i', path.join(dir, 'locked')]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a missing source is not-found, about the source', () => {
    const from = path.join(dir, 'missing');
    const failure = parseCpFailure(stderrOf(`cp -pR -- '${from}' '${dir}/to'`));
    assert.deepStrictEqual(failure.kind, 'not-found');
    assert.ok(isAbout(failure.line, from), failure.line);
  });

  it('a missing destination folder is not-found, not about the source', () => {
    fs.writeFileSync(path.join(dir, 'a'), 'a');
    const failure = parseCpFailure(stderrOf(`cp -pR -- '${dir}/a' '${dir}/nowhere/a'`));
    assert.strictEqual(failure.kind, 'not-found');
    assert.ok(!isAbout(failure.line, path.join(dir, 'a')), failure.line);
  });

  it('a folder that refuses new files is no-permission (root too: an immutable folder)', function () {
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked);
    fs.writeFileSync(path.join(dir, 'a'), 'a');
    if (spawnSync('chattr', ['+i', locked]).status !== 0) this.skip(); // no chattr on this file system
    assert.strictEqual(parseCpFailure(stderrOf(`cp -pR -- '${dir}/a' '${locked}/a'`)).kind, 'no-permission');
  });

  it('a target that turned into a file while a folder was copied is exists', () => {
    fs.mkdirSync(path.join(dir, 'tmpdir'));
    fs.writeFileSync(path.join(dir, 'to'), 'a file now');
    assert.strictEqual(parseCpFailure(stderrOf(`mv -f -- '${dir}/tmpdir' '${dir}/to'`)).kind, 'exists');
  });

  it('anything else keeps its first line and no kind', () => {
    assert.deepStrictEqual(parseCpFailure('cp: error writing \'x\': No space left on device\n'), { kind: undefined, line: "cp: error writing 'x': No space left on device" });
    assert.deepStrictEqual(parseCpFailure(''), { kind: undefined, line: '' });
  });
});
