import { defineConfig } from 'vite';

// The server serves this build at /app (embedded from web/dist, or from FLUENZR_APP_DIR).
export default defineConfig({
  base: '/app/',
  build: {
    outDir: process.env.FLUENZR_WEB_OUT_DIR || 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/graphql': process.env.FLUENZR_URL || 'http://127.0.0.1:8080',
      '/v1': process.env.FLUENZR_URL || 'http://127.0.0.1:8080',
    },
  },
});
