/** Set by vite.config.ts at build time. */
/** Hash of the glyph ranges the build ships: asked for as `?v=`, they are cached for good. */
declare const __GLYPHS_VERSION__: string;
