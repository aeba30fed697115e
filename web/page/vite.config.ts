import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The Web CLI page: built into web/page/dist, served by the Fastify server (web/server/app.ts:
// index.html for /login, /threads, /threads/:id and files under /assets). Everything is bundled;
// nothing is fetched from a CDN at run time.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    // The CSP forbids inline code: never inline the module-preload helper or small assets as data: scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
