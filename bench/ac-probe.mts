import autocannon from 'autocannon';
const url = process.argv[2];
const conns = Number(process.argv[3]);
const queries = process.argv.slice(4);
const r = await autocannon({ url, connections: conns, duration: 10, timeout: 30, requests: queries.map((query) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })) });
console.log(conns, r.requests.average, r['2xx'], r.non2xx, r.errors, r.timeouts, 'p99', r.latency.p99);
