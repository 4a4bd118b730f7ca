// Vite wants a default export here. The dashboard is served by the API under /dashboard/,
// so every asset URL is built relative to that base.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    // `npm run dev` here proxies the API of a Herald started with `npm run dev` at the root.
    proxy: { '/v1': 'http://localhost:3000', '/openapi.json': 'http://localhost:3000' },
  },
});
