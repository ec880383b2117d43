import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The UI is served by Tauri from ui/dist; `npm run dev` is for working on it
// in a browser, where the bindings have no backend to call.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  // Tests mount components as the webview does: Svelte's browser build, not its server one.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Tauri serves files from disk; one small bundle needs no source maps in release.
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    // Pure tests run in Node; component tests ask for jsdom in their first line.
    environment: "node",
    setupFiles: ["src/test-setup.ts"],
    // Every test runs twice: in UTC, and in a time zone with daylight saving
    // time, where local midnights meet a 23-hour day (29 March 2026 in
    // Berlin) and a 25-hour one. The workers start with TZ set, and
    // timezone.test.ts checks that they really run in it.
    projects: [
      { extends: true, test: { name: "UTC", env: { TZ: "UTC" } } },
      { extends: true, test: { name: "Europe/Berlin", env: { TZ: "Europe/Berlin" } } },
    ],
  },
});
