#!/usr/bin/env node
// `npm run bench` runs this after `turbo run build`: the benchmarks are
// TypeScript in bench/src, compiled to bench/dist like every other package.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { main } = require('./dist/run.js');
process.exitCode = await main(process.argv.slice(2));
