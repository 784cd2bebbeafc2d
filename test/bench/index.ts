// `npm run bench -- <suite> [args]`: runs one bench suite (or all of them, one after the
// other), each against its own freshly started sshd. Prints the machine's load average
// before and after: other work on the machine skews every number.
import * as fs from 'fs';
import * as os from 'os';

interface Suite {
  run(argv: string[]): Promise<void>;
}

const SUITES: Record<string, { about: string; load: () => Promise<Suite> }> = {
  connect: { about: 'connect → SFTP ready, 1,000 sequential stats, exec round trip [--rounds N] [--stats N] [--verbose]', load: () => import('./connect') },
  forward: { about: 'local forward vs ssh -L: upload, download, short connections [--size MiB] [--short N] [--rounds N] [--verbose]', load: () => import('./forward') },
  terminal: { about: 'our pseudoterminal vs ssh -tt: keystroke echo p50/p99, cat throughput, new terminal to prompt [--size MiB] [--keys N] [--rounds N] [--verbose]', load: () => import('./terminal') },
  fs: { about: 'read, safe save, readdir vs sftp/ssh [--size MiB] [--rounds N] [--entries N] [--nagle-size MiB] [--pin] [--verbose]', load: () => import('./fs') },
};

function usage(): string {
  const lines = Object.entries(SUITES).map(([name, s]) => `  ${name.padEnd(8)} ${s.about}`);
  return ['usage: npm run bench -- <suite> [args]', 'suites:', ...lines, `  ${'all'.padEnd(8)} every suite above, one after the other (args go to each)`].join('\n');
}

function loadAverage(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const names = name === 'all' ? Object.keys(SUITES) : name && SUITES[name] ? [name] : undefined;
  if (!names) {
    if (name) console.error(`unknown suite: ${name}`);
    console.error(usage());
    return 1;
  }
  for (const suite of names) {
    console.log(`== bench ${suite} ${args.join(' ')}`.trimEnd());
    console.log(`load average at start (/proc/loadavg): ${loadAverage()}`);
    await (await SUITES[suite].load()).run(args);
    console.log(`load average at end (/proc/loadavg): ${loadAverage()}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
