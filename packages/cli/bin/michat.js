#!/usr/bin/env node
// The michat command. Runs on Node >= 24 (type stripping); `npm install` provides it
// through the `node` dev dependency, which npm puts first on PATH for npm scripts and npx.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`michat needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npm start, npx michat) so the project's Node 24 is used.`);
  process.exit(1);
}
await import('../src/main.ts');
