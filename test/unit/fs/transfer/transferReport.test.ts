import * as assert from 'assert';
import { formatBytes, percentDone, progressMessage, reportSummary, skippedSummary } from '../../../../src/fs/transfer/transferReport';

describe('transfer progress and summaries', () => {
  it('formats sizes in powers of 1,024', () => {
    assert.deepStrictEqual([0, 1023, 1536, 10 * 1024 * 1024, 5.5 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.5 KB', '10 MB', '5.5 GB']);
  });

  it('shows bytes, percent and the current file, never past 100%', () => {
    assert.strictEqual(progressMessage({ bytesDone: 3 * 1024 * 1024, bytesTotal: 10 * 1024 * 1024, filesDone: 0, filesTotal: 2, current: 'a.bin' }), '3.0 MB of 10 MB (30%) · a.bin');
    assert.strictEqual(percentDone({ bytesDone: 20, bytesTotal: 10, filesDone: 1, filesTotal: 1 }), 100);
    assert.strictEqual(percentDone({ bytesDone: 0, bytesTotal: 0, filesDone: 1, filesTotal: 4 }), 25, 'empty files count by number');
  });

  it('summarises what was done and names what was skipped, escaped', () => {
    assert.strictEqual(reportSummary({ files: 1, folders: 2, links: 0, bytes: 2048, skipped: [], skippedMore: 0 }), '1 file, 2 folders, 2.0 KB');
    const skipped = Array.from({ length: 7 }, (_, i) => ({ path: `/box/bad\n${i}`, why: 'unsafe name' }));
    const text = skippedSummary(skipped);
    assert.ok(text.startsWith('"/box/bad\\n0" (unsafe name)'), text);
    assert.ok(text.endsWith('and 2 more (see the log)'), text);
  });
});
