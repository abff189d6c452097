#!/usr/bin/env node
// STAND-IN for lstosa writing a merged DL1 file: `node standin_dl1_writer.mjs <file> <chunks> <interval_ms>`.
// Creates <file> at once (as lstosa does when it starts a run) and appends one 4 kB chunk every <interval_ms> until it
// has written <chunks>, so the file "exists" long before it is complete. Then writes <file>.done and exits.
import { appendFileSync, writeFileSync } from 'node:fs';

const [file, chunksText, intervalText] = process.argv.slice(2);
const chunks = Number(chunksText);
const interval = Number(intervalText);
if (!file || !(chunks > 0) || !(interval > 0)) {
  process.stderr.write('usage: standin_dl1_writer.mjs <file> <chunks> <interval_ms>\n');
  process.exit(2);
}
writeFileSync(file, `HDF5 stand-in DL1 header ${file}\n`);
for (let i = 0; i < chunks; i++) {
  await new Promise((r) => setTimeout(r, interval));
  appendFileSync(file, `chunk ${i} `.padEnd(4096, '.') + '\n');
}
writeFileSync(`${file}.done`, 'complete\n');
