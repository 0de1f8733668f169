// Builds the browser SDK as one ES module: packages/client/dist/michat.js (gitignored).
// Usage: npx node packages/client/scripts/build-browser.ts   (or npm run -w @michat/client build)
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Bundles src/index.ts with its dependencies (protocol, msgpack, zod, idb); returns the file's path. */
export async function buildBrowserBundle(outDir = join(packageRoot, 'dist')): Promise<string> {
  await build({
    root: packageRoot,
    configFile: false,
    logLevel: 'warn',
    build: {
      lib: { entry: join(packageRoot, 'src/index.ts'), formats: ['es'], fileName: () => 'michat.js' },
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      minify: true,
      // One file: ts-mls loads optional cipher suites by dynamic import, which would split it.
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  const file = join(outDir, 'michat.js');
  await stat(file);
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = await buildBrowserBundle();
  console.log(`built ${file} (${Math.round((await stat(file)).size / 1024)} KiB)`);
}
