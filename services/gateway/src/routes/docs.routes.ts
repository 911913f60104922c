import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import type { GatewayEnv } from '../gateway-env.ts';
import type { OpenApiCatalog } from '../infra/openapi-catalog.ts';

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');

/** Only these files are served, so no request path ever reaches the file system. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/swagger/swagger-ui.css': { file: join(swaggerDir, 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  '/swagger/swagger-ui-bundle.js': {
    file: join(swaggerDir, 'swagger-ui-bundle.js'),
    type: 'text/javascript',
  },
  '/swagger/swagger-ui-standalone-preset.js': {
    file: join(swaggerDir, 'swagger-ui-standalone-preset.js'),
    type: 'text/javascript',
  },
  '/swagger/favicon-32x32.png': { file: join(swaggerDir, 'favicon-32x32.png'), type: 'image/png' },
  '/redoc/redoc.standalone.js': { file: redocBundle, type: 'text/javascript' },
};

// Paths are relative so the pages also work when the gateway is mounted under a prefix.
const SWAGGER_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Helpdesk API: Swagger UI</title>
  <link rel="stylesheet" href="swagger-ui.css">
  <link rel="icon" type="image/png" href="favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="swagger-ui-bundle.js"></script>
  <script src="swagger-ui-standalone-preset.js"></script>
  <script src="init.js"></script>
</body>
</html>`;

// validatorUrl: null, or Swagger UI sends the document to an online validator.
const SWAGGER_INIT = `window.ui = SwaggerUIBundle({
  url: '../openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});`;

const REDOC_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Helpdesk API: ReDoc</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" type="image/png" href="../swagger/favicon-32x32.png">
</head>
<body>
  <redoc spec-url="../openapi.json"></redoc>
  <script src="redoc.standalone.js"></script>
</body>
</html>`;

/** Both UIs inject styles at run time and ReDoc runs its search in a blob worker. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The merged OpenAPI document and the two documentation UIs, with every asset served from here. */
export function docsRoutes(app: Hono<GatewayEnv>, catalog: OpenApiCatalog): void {
  const cache = new Map<string, Promise<Buffer>>();
  const load = (file: string) => {
    let p = cache.get(file);
    if (!p) {
      p = readFile(file);
      p.catch(() => cache.delete(file));
      cache.set(file, p);
    }
    return p;
  };

  app.get('/openapi.json', async (c) => c.json(await catalog.document()));

  app.get('/swagger', (c) => c.redirect('/swagger/', 301));
  app.get('/redoc', (c) => c.redirect('/redoc/', 301));
  app.get('/swagger/', (c) => c.html(SWAGGER_HTML, 200, { 'content-security-policy': CSP }));
  app.get('/redoc/', (c) => c.html(REDOC_HTML, 200, { 'content-security-policy': CSP }));
  app.get('/swagger/init.js', (c) => c.body(SWAGGER_INIT, 200, { 'content-type': 'text/javascript' }));

  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (c) =>
      c.body(new Uint8Array(await load(asset.file)), 200, {
        'content-type': asset.type,
        'cache-control': 'public, max-age=86400',
      }),
    );
  }
}
