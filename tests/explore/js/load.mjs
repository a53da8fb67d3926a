// Helpers for the node tests of the explorers' JavaScript (vae_teach/explore/static).
//
// The static files are classic scripts that only declare functions (the page wraps them in
// one function per explorer), so a test evaluates them in a fresh node:vm context and takes
// out the functions it needs. The oracles come from Python: tests/explore/test_static_js.py
// writes a JSON fixture (decoded pixels from numpy and torch, vt.slerp paths, ...) and passes
// its path in VT_JS_FIXTURE; run by hand without it, the tests that need it are skipped.

import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import path from 'node:path';
import vm from 'node:vm';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The folder of the static files: $VT_STATIC, else the package's own folder in this checkout. */
export const STATIC = process.env.VT_STATIC || path.join(here, '..', '..', '..', 'vae_teach', 'explore', 'static');

/**
 * Evaluate static files (e.g. ['core.js', 'map.js']) in order in one new context and return the
 * named top-level functions and constants, e.g. load(['core.js'], ['makeDecoder']).
 * `globals` adds names the code may reach (document, getComputedStyle, ...).
 */
export function load(files, names, globals = {}) {
  const context = vm.createContext({atob, performance, console, ...globals});
  const source = files.map((file) => readFileSync(path.join(STATIC, file), 'utf8')).join('\n');
  return vm.runInContext(`'use strict';\n${source}\n;({${names.join(', ')}});`, context, {filename: files.join('+')});
}

/** The fixture Python wrote (see test_static_js.py), or null when VT_JS_FIXTURE is not set. */
export const fixture = process.env.VT_JS_FIXTURE ? JSON.parse(readFileSync(process.env.VT_JS_FIXTURE, 'utf8')) : null;

/** Skip reason for tests that need the fixture. */
export const needsFixture = fixture ? false : 'no VT_JS_FIXTURE: run through pytest tests/explore/test_static_js.py';

/** base64 -> Float32Array / Uint8Array, decoded by node itself (not by the code under test). */
export function float32s(base64) {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** Largest |a[i] - b[i]| over two equally long arrays of numbers. */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
