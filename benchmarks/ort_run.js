#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (onnxruntime-node, CPU).
//
//   node ort_run.js MODEL.onnx OUT_DIR [NAME=FILE.npy ...] [--threads N]
//                   [--iterations N]
//
// Writes every output as OUT_DIR/<name>.npy; with --iterations prints the
// median latency. Inputs are .npy files (float32/int64/int32/bool/...).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const {writeNpy, openSession} = require('./npy.js');

async function main() {
  const args = process.argv.slice(2);
  let threads = 1, iterations = 0;
  const pos = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') threads = Number(args[++i]);
    else if (args[i] === '--iterations') iterations = Number(args[++i]);
    else pos.push(args[i]);
  }
  const [model, outDir, ...inputs] = pos;
  const {session, feeds} = await openSession(ort, model, inputs, threads);
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, {recursive: true});
  for (const [name, t] of Object.entries(results))
    writeNpy(path.join(outDir, name.replace(/\//g, '_') + '.npy'), t);
  if (iterations > 0) {
    const ms = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    console.log(`latency: median ${ms[ms.length >> 1].toFixed(3)} ms`);
  }
}

main().catch(e => { console.error('ort_run: error:', e.message); process.exit(1); });
