import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * src/domain/summary-events.ts (applyToSummaries, which keeps the session list current from events)
 * imports its summary builder from session-summary.ts, whose zod schemas would come along; the
 * bundle takes the same function from web/src/session-summary.ts instead (see there).
 */
const zodFreeSummary: Plugin = {
  name: 'maestro-zod-free-summary',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === './session-summary.js' && importer?.endsWith('/src/domain/summary-events.ts'))
      return fileURLToPath(new URL('./src/session-summary.ts', import.meta.url));
    return null;
  },
};

/** The dashboard: built into web/dist by `npm install` (postinstall) and served by `maestro serve` at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [zodFreeSummary, react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:7420', ws: true } } },
});
