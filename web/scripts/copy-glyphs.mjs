// Copies the SDF glyph ranges the map needs from the npm package
// `tileserver-gl-styles` into public/fonts/, so that Vite serves them in dev
// and copies them into the build. MapLibre requests
// /fonts/{fontstack}/{range}.pbf; nothing is fetched from the internet.
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FONTSTACK = "Noto Sans Regular";
// Latin, Latin-1, Latin Extended-A/B (Albanian ë ç, Serbian č ć đ š ž),
// IPA/combining marks, Greek, Cyrillic (Serbian Cyrillic),
// Latin Extended Additional, general punctuation (— ‘ ’ “ ” …).
const RANGES = [0, 256, 512, 768, 1024, 7680, 8192].map((start) => `${start}-${start + 255}`);

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("tileserver-gl-styles/package.json"));
const srcDir = join(pkgDir, "fonts", FONTSTACK);
const outDir = join(here, "..", "public", "fonts", FONTSTACK);

rmSync(join(here, "..", "public", "fonts"), { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const range of RANGES) {
  const src = join(srcDir, `${range}.pbf`);
  if (!existsSync(src)) {
    throw new Error(`glyph range missing in tileserver-gl-styles: ${src}`);
  }
  copyFileSync(src, join(outDir, `${range}.pbf`));
}
console.log(`copied ${RANGES.length} glyph ranges of "${FONTSTACK}" to public/fonts/`);
