import { defineConfig } from "vite";

// The Python server serves ../src/peacewatch/static/ at "/", and the API under /api.
export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/peacewatch/static",
    emptyOutDir: true,
    assetsDir: "assets",
    // Imported assets are fetched as files, never inlined (the basemap is in public/basemap/).
    assetsInlineLimit: 0,
    // milsymbol carries every standard's icons (~600 kB); the page is one local bundle anyway.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
    },
  },
});
