/** What `/` shows until the web app lands: that the server runs and how to talk to it. */
export function landingPage(origin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>michat</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}code{background:#f2f2f5;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>michat is running</h1>
<p>The data plane is a WebSocket at <code>/ws</code>; the HTTP API is under <code>/api</code>.</p>
<p>From the repository: <code>npx michat admin init --data ./michat-data --org acme --user alice --password '…'</code>,
then <code>npx michat login --server ${origin} --user alice --password '…'</code>.</p>
<p>Health: <a href="/healthz">/healthz</a> · readiness: <a href="/readyz">/readyz</a> · metrics: <a href="/metrics">/metrics</a></p>
</body></html>`;
}
