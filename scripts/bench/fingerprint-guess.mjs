#!/usr/bin/env node
// What a committed fingerprint costs an attacker: recovers a weak password from its fingerprint by
// hashing guesses from a small corporate-password list (seasons, months, company words × years ×
// suffixes), with the SHA-256 fingerprint of earlier versions and with the current scrypt one.
// Prints the time to reach the password and the cost per guess. A benchmark, not a test.
//
// Usage: node scripts/bench/fingerprint-guess.mjs [--password Winter2025!] [--rule generic-secret-assignment]
import { parseArgs } from 'node:util';
import { fingerprint, FINGERPRINT_COST, legacyFingerprint } from '@tokenward/engine';

const { values } = parseArgs({ options: { password: { type: 'string', default: 'Winter2025!' }, rule: { type: 'string', default: 'generic-secret-assignment' } } });
const words = ['Password', 'Welcome', 'Company', 'Admin', 'Letmein', 'Qwerty', 'Monkey', 'Dragon', 'Summer', 'Autumn', 'Spring', 'Winter', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const suffixes = ['', '!', '@', '#', '1', '12', '123', '!!', '$', '*'];
const candidates = [];
for (const w of words) for (let y = 2015; y <= 2026; y++) for (const s of suffixes) for (const c of [w, w.toLowerCase(), w.toUpperCase()]) candidates.push(`${c}${y}${s}`);
const at = candidates.indexOf(values.password);
if (at < 0) throw new Error(`${values.password} is not in the list`);

function crack(name, hash) {
  const target = hash(values.rule, values.password);
  const t = performance.now();
  let i = 0;
  while (hash(values.rule, candidates[i]) !== target) i++;
  const ms = performance.now() - t;
  process.stdout.write(`${name}: ${values.password} recovered after ${i + 1} guesses in ${ms.toFixed(0)} ms (${((ms * 1000) / (i + 1)).toFixed(1)} µs per guess)\n`);
}

process.stdout.write(`${candidates.length} candidates; ${values.password} is number ${at + 1}\n`);
crack('SHA-256 fingerprint (before)', legacyFingerprint);
// A fresh process computes each guess once (the engine caches fingerprints it has seen).
crack(`scrypt fingerprint (N=${FINGERPRINT_COST.N}, r=${FINGERPRINT_COST.r})`, fingerprint);
