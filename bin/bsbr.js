#!/usr/bin/env node
'use strict';
// The `bsbr` command: runs the compiled CLI (built by `npm install` through the prepare script).
const path = require('path');
const fs = require('fs');

const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error(
    'bsbr: error: the package is not built (dist/ is missing); run `npm install` or `npm run build` in its folder',
  );
  process.exit(2);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    // main() turns every error into one line and an exit code; this is its own failure (exit 70, a bug).
    console.error(`bsbr: internal error: ${err && err.message ? err.message : String(err)}`);
    process.exitCode = 70;
  });
