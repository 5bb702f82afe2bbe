// Builds the workspace into dist/, which the server embeds (server/embed_web.cmake). No inline script
// (the server's Content-Security-Policy forbids it) and no module-preload polyfill (it is inline).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  build: {
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8311' } },
})
