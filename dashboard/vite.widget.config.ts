// The embeddable inbox widget: one self-contained script (dist/inbox-widget.js), built after
// the dashboard into the same dist/ (so not emptied), served at /dashboard/inbox-widget.js.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    lib: { entry: 'src/widget/inbox-widget.ts', formats: ['iife'], name: 'HeraldInbox', fileName: () => 'inbox-widget.js' },
  },
});
