// One gateway process for the multi-instance tests: the real app over a directory lake whose writes can be slowed down.
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { CancelledError } from '../../src/lake/errors.js';
import { LocalStore } from '../../src/lake/store/local/store.js';

const directory = process.env.LAKEQL_LAKE!;
const delayMs = Number(process.env.SLOW_WRITE_MS ?? 0);

/** Waits `delayMs` before a write, giving up at once when the write is cancelled. */
function pause(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const timer = setTimeout(resolve, delayMs);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new CancelledError());
      },
      { once: true },
    );
  });
}

// Writes take a while, so a job runs long enough to be watched and cancelled from the other instance.
const store = new LocalStore(directory);
const put = store.put.bind(store);
store.put = async (key, body, options) => {
  await pause(options?.signal);
  return put(key, body, options);
};
const uploadPart = store.uploadPart.bind(store);
store.uploadPart = async (key, id, n, body, signal) => {
  await pause(signal);
  return uploadPart(key, id, n, body, signal);
};

const app = await buildApp(loadConfig(), { store, location: { kind: 'local', directory }, log: () => {} });
const url = await app.start();
console.log(JSON.stringify({ url }));
process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
