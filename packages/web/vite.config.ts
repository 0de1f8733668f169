import { defineConfig } from 'vite';

// `npm run dev -w @michat/web` proxies the API and the WebSocket to a running michat server.
const devServer = process.env.MICHAT_DEV_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  // Preact's automatic JSX runtime through Vite's own transformer: no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': devServer,
      '/.well-known': devServer,
      '/ws': { target: devServer.replace(/^http/, 'ws'), ws: true },
    },
  },
});
