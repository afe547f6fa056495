#!/usr/bin/env node
// Built entry point; `npm run build` (or `npm test` / `npm start`) compiles tools/cli first.
require('../dist/main.js');
