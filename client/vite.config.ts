import preact from "@preact/preset-vite";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";


export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: false,
      includeManifestIcons: false,
      manifest: {
        name: "Rapport",
        short_name: "Rapport",
        description: "Informational interviews: who to reach, what to do today, what people said.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#f7f6f2",
        theme_color: "#1f5f5b",
        icons: [
          { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,png,svg,webmanifest}"],
        // The password estimator (~220 KB gz) is needed on the sign-up screen only: never precached.
        globIgnores: ["**/strength-*.js"],
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/graphql/, /^\/docs/, /^\/health/],
        cleanupOutdatedCaches: true,
        // A new worker takes over at once: the app shell is the same URL, and kept reads are keyed by URL.
        clientsClaim: true,
        skipWaiting: true,
        // The API answers GETs under /api/v1/. The worker keeps the last answer of each, so a phone with no
        // connection still shows Today and its contacts (NetworkFirst: fresh when it can be). Only this
        // function's source is copied into sw.js, so everything it uses must be inside it.
        runtimeCaching: [
          {
            urlPattern: ({ url, request, sameOrigin }) =>
              sameOrigin &&
              request.method === "GET" &&
              /^\/api\/v1\/(?!auth\/sign|calendar-feeds\/)/.test(url.pathname),
            handler: "NetworkFirst",
            options: {
              cacheName: "api",
              networkTimeoutSeconds: 5,
              cacheableResponse: { statuses: [200] },
              expiration: { maxEntries: 300 },
            },
          },
        ],
      },
    }),
  ],
  build: { target: "es2022", sourcemap: false },
  server: { proxy: { "/api": "http://127.0.0.1:8000", "/health": "http://127.0.0.1:8000" } },
});
