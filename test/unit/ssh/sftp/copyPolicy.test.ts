import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { STATUS_CODE } from '../../../../src/ssh/sftp';
import { intercept, randomData, sha256, useSftp } from './fixture';

describe('SftpSession: copy-data announced but refused', () => {
  const f = useSftp();

  it('falls back to a streamed copy, and stops asking for copy-data on that session', async () => {
    assert.ok(f.session.hasCopyData, 'OpenSSH 9.2 announces copy-data');
    let asked = 0;
    // A server whose policy refuses the request it announced (as a restricted sftp-server does).
    const restore = intercept(f.sftp, 'ext_copy_data', (_original, ...args) => {
      asked++;
      const cb = args[args.length - 1] as (err: Error) => void;
      process.nextTick(() => cb(Object.assign(new Error('Permission denied'), { code: STATUS_CODE.PERMISSION_DENIED })));
    });
    try {
      const data = randomData(700_000);
      fs.writeFileSync(path.join(f.dir, 'src.bin'), data);
      await f.session.copy(`${f.dir}/src.bin`, `${f.dir}/a.bin`);
      await f.session.copy(`${f.dir}/src.bin`, `${f.dir}/b.bin`);
      assert.strictEqual(sha256(fs.readFileSync(path.join(f.dir, 'a.bin'))), sha256(data));
      assert.strictEqual(sha256(fs.readFileSync(path.join(f.dir, 'b.bin'))), sha256(data));
      assert.strictEqual(asked, 1, 'refused once, then not asked again');
      assert.deepStrictEqual(fs.readdirSync(f.dir).sort(), ['a.bin', 'b.bin', 'src.bin'], 'no temp file left');
    } finally {
      restore();
    }
  });
});
