import { existsSync, readFileSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

/**
 * WASM threads (SharedArrayBuffer) need cross-origin isolation, so every response carries COOP/COEP
 * and every asset is self-hosted (no CDN: Babylon's defaults are overridden in the app).
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Folders served as-is under their own name and copied into the build: the model and the sample CT. */
const STATIC_DIRS = ['models', 'assets'];
const TYPES: Record<string, string> = {
  '.json': 'application/json', '.onnx': 'application/octet-stream', '.gz': 'application/gzip',
  '.md': 'text/markdown; charset=utf-8', '.glb': 'model/gltf-binary', '.png': 'image/png', '.env': 'application/octet-stream',
};

function staticFolders(): Plugin {
  return {
    name: 'holoct-static-folders',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]);
        const top = path.split('/')[1];
        if (!STATIC_DIRS.includes(top)) return next();
        const file = normalize(join(process.cwd(), path));
        if (!file.startsWith(join(process.cwd(), top)) || !existsSync(file)) return next();
        try {
          const body = await readFile(file);
          res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
          res.end(body);
        } catch {
          next();
        }
      });
    },
    async writeBundle(options) {
      const out = options.dir ?? 'dist';
      for (const dir of STATIC_DIRS) await cp(dir, join(out, dir), { recursive: true });
    },
  };
}

/** HTTPS with the self-signed certificate `npm start` makes on first start (WebXR needs a secure context). */
function httpsOptions() {
  const dir = resolve('.cert');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  if (process.env.HOLOCT_HTTP === '1' || !existsSync(key) || !existsSync(cert)) return undefined;
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/**
 * Same-origin DICOMweb proxy (docs/pacs.md): the app asks `/dicomweb/…` and this server forwards it
 * to the PACS's DICOMweb root, because Orthanc and most PACS send no CORS headers. HOLOCT_PACS_URL
 * names that root; HOLOCT_PACS_AUTHORIZATION, when set, is added as the Authorization header here on
 * the server, so the browser never holds the PACS credentials.
 */
function pacsProxy(): Record<string, ProxyOptions> {
  const authorization = process.env.HOLOCT_PACS_AUTHORIZATION;
  return {
    '^/dicomweb(/|$)': {
      target: process.env.HOLOCT_PACS_URL ?? 'http://127.0.0.1:8042/dicom-web',
      changeOrigin: true,
      rewrite: (path) => path.replace(/^\/dicomweb/, ''),
      headers: authorization ? { Authorization: authorization } : undefined,
    },
  };
}

export default defineConfig({
  plugins: [staticFolders()],
  server: { headers: ISOLATION_HEADERS, https: httpsOptions(), host: true, proxy: pacsProxy() },
  preview: { headers: ISOLATION_HEADERS, https: httpsOptions(), host: true, proxy: pacsProxy() },
  worker: { format: 'es' },
  // onnxruntime-web finds its .wasm through import.meta.url: pre-bundling would break that.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000, sourcemap: false },
});
