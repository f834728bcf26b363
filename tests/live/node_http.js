// An HTTP server and its client in one node process (libuv's epoll loop), on loopback:
// REQUESTS requests, CONCURRENCY at a time over keep-alive and fresh connections; each
// answer is checked. Exits 0 when all were answered right, 1 otherwise, 1 after 60 s.
'use strict';
const http = require('http');

const REQUESTS = Number(process.argv[2] || 3000);
const CONCURRENCY = 16;
const watchdog = setTimeout(() => { console.error('node_http: timed out'); process.exit(1); }, 60000);

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    res.setHeader('content-type', 'text/plain');
    res.end(`${req.method} ${req.url} ${body.length}`);
  });
});

server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY / 2 });
  let sent = 0, answered = 0, wrong = 0;

  function one() {
    if (sent >= REQUESTS) return;
    const i = sent++;
    const post = i % 3 === 0;
    const payload = post ? 'x'.repeat(i % 5000) : '';
    const req = http.request({
      host: '127.0.0.1', port, path: `/r/${i}`, method: post ? 'POST' : 'GET',
      agent: i % 2 ? keepAlive : false,
      headers: post ? { 'content-length': Buffer.byteLength(payload) } : {},
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        const want = `${post ? 'POST' : 'GET'} /r/${i} ${payload.length}`;
        if (res.statusCode !== 200 || body !== want) wrong++;
        if (++answered === REQUESTS) finish();
        else one();
      });
    });
    req.on('error', (e) => { console.error(`request ${i}: ${e.message}`); wrong++; answered++; one(); });
    req.end(payload);
  }

  function finish() {
    clearTimeout(watchdog);
    keepAlive.destroy();
    server.close();
    console.log(`node_http: ${answered - wrong} passed, ${wrong} failed (${REQUESTS} requests)`);
    process.exitCode = wrong ? 1 : 0;
  }

  for (let k = 0; k < CONCURRENCY; k++) one();
});
