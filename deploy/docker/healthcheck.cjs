'use strict';
// Container HEALTHCHECK: exits 0 when GET /health answers 2xx. The slim base image has no curl or wget,
// so this uses Node's built-in fetch. The reason for a failure is printed; `docker inspect` keeps it.
const port = process.env.HTTP_PORT;
if (!port) {
  console.error('healthcheck: HTTP_PORT is not set');
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) })
  .then(async (res) => {
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      console.error(`healthcheck: /health answered ${res.status} ${body.slice(0, 500)}`);
    }
    process.exit(res.ok ? 0 : 1);
  })
  .catch((err) => {
    console.error(`healthcheck: ${err.cause?.code ?? err.name}: ${err.message}`);
    process.exit(1);
  });
