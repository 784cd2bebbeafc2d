// Bundles the extension into dist/extension.js. `vscode` is provided by the host.
// ssh2's optional native parts (cpu-features, sshcrypto.node) are left out on purpose:
// ssh2 catches their absence and runs its pure-JS path, which is what users get.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Replace native-addon requires with a module that throws, as if the addon were not built. */
const noNativeAddons = {
  name: 'no-native-addons',
  setup(build) {
    build.onResolve({ filter: /(^cpu-features$)|(\.node$)/ }, (args) => ({ path: args.path, namespace: 'missing-native' }));
    build.onLoad({ filter: /.*/, namespace: 'missing-native' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`native addon ${args.path} is not bundled`)});`,
      loader: 'js',
    }));
  },
};

const options = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [noNativeAddons],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
