// How every tier launcher ends: its exit code, or on a crash one failed test so the
// summary line `N passed, N failed` is always printed.
export function runTier(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`${name}: ${e.message}`);
      console.log(`${name}: 0 passed, 1 failed`);
      process.exit(1);
    },
  );
}
