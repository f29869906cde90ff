// A gateway process for the multipart tests: the real app over a directory lake, spilling uploads into a directory the test watches.
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LocalStore } from '../../src/lake/store/local/store.js';

const directory = process.env.LAKEQL_LAKE!;
const app = await buildApp(loadConfig(), {
  store: new LocalStore(directory),
  location: { kind: 'local', directory },
  uploadSpillDir: process.env.TEST_UPLOAD_SPILL_DIR,
  log: () => {},
});
const url = await app.start();
console.log(JSON.stringify({ url }));
process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
