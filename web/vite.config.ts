// The app is built into dist/ and embedded into the oeuvre binary (OEUVRE_WEB_DIST); `npm run dev`
// serves it with the API proxied to a running `oeuvre serve` (OEUVRE_URL, default 127.0.0.1:8080).
import { defineConfig } from "vite";

const api = process.env.OEUVRE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // No inline scripts or styles: the server's Content-Security-Policy allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { proxy: { "/api": api, "/health": api } },
});
