/** One sweep over N keys, its figures printed and written to the second argument (default sweep-N.json): `npx tsx bench/sweep-probe.ts 1000 out.json`. */
import { writeFileSync } from 'node:fs';
import { measureSweep } from './sweep';

const keys = Number(process.argv[2]);
measureSweep(keys, { log: (l) => console.log(l) }).then(
  (f) => {
    console.log(JSON.stringify(f));
    writeFileSync(process.argv[3] ?? `sweep-${keys}.json`, JSON.stringify(f, null, 2));
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
