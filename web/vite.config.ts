import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/** Hash of the glyph ranges in public/fonts/ (scripts/copy-glyphs.mjs runs first): the page asks
 * for glyphs with it (`?v=`), which the server lets the browser keep for good, so a page load
 * does not wait for a revalidation of each range it draws with (issue 6: first paint). */
function glyphsVersion(): string {
  const root = fileURLToPath(new URL("./public/fonts", import.meta.url));
  if (!existsSync(root)) throw new Error("public/fonts/ is missing: run `npm run glyphs` first");
  const hash = createHash("sha256");
  const ranges = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".pbf"));
  for (const name of ranges.sort()) hash.update(name).update(readFileSync(join(root, name)));
  return hash.digest("hex").slice(0, 16);
}

// The Python server serves ../src/peacewatch/static/ at "/", and the API under /api.
export default defineConfig({
  base: "/",
  define: {
    __GLYPHS_VERSION__: JSON.stringify(glyphsVersion()),
  },
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
