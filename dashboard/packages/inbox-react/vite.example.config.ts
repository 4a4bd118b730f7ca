// The README's example as a page (dist-example/), which the Chromium test serves.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'example',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist-example', emptyOutDir: true, sourcemap: false },
});
