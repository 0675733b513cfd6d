/** Set by vite.config.ts at build time: the hash of the glyph ranges the build ships, asked for as
 * `?v=` so that the browser keeps them. */
declare const __GLYPHS_VERSION__: string;
