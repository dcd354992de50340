#!/usr/bin/env node
// A persistent ONNX Runtime session for interleaved benchmarks.
//   node ort_server.js MODEL.onnx INPUT_NAME=FILE.npy ... --threads N
// Reads lines "run K" on stdin and answers one line with K latencies in ms.
'use strict';
const readline = require('readline');
const ort = require('onnxruntime-node');
const {openSession} = require('./npy.js');

async function main() {
  const args = process.argv.slice(2);
  let threads = 1;
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') threads = Number(args[++i]);
    else pos.push(args[i]);
  }
  const [model, ...inputs] = pos;
  const {session, feeds} = await openSession(ort, model, inputs, threads);
  await session.run(feeds);
  console.log('ready');
  const rl = readline.createInterface({input: process.stdin});
  for await (const line of rl) {
    const k = Number(line.split(' ')[1]);
    const ms = [];
    for (let i = 0; i < k; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(ms.join(' '));
  }
}
main().catch(e => { console.error('ort_server: error:', e.message); process.exit(1); });
