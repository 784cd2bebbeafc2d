// An in-memory ConfigFs for unit tests: absolute path → file text.
import * as path from 'path';
import { ConfigFs } from '../../../../src/ssh/config/includes';

export function memFs(files: Record<string, string>, owners: Record<string, { uid: number; mode: number }> = {}): ConfigFs {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) for (let d = path.posix.dirname(f); d !== '/'; d = path.posix.dirname(d)) dirs.add(d);
  return {
    readFile: (f) => (f in files ? files[f] : dirs.has(f) ? '' : undefined),
    readDir: (d) => {
      const prefix = d.endsWith('/') ? d : `${d}/`;
      const names = new Set<string>();
      for (const p of [...Object.keys(files), ...dirs]) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]);
      return names.size > 0 ? [...names] : undefined;
    },
    exists: (f) => f in files || dirs.has(f),
    stat: (f) => owners[f] ?? (f in files ? { uid: process.getuid?.() ?? 0, mode: 0o100644 } : undefined),
  };
}
