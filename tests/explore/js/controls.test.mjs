// fillNumberSelect in core.js: the menus of digits and dimensions, on a stand-in <select>.
import test from 'node:test';
import assert from 'node:assert/strict';
import {load} from './load.mjs';

const document = {createElement: () => ({value: '', textContent: ''})};
const {fillNumberSelect} = load(['core.js'], ['fillNumberSelect'], {document});

function standInSelect() {
  return {options: [], value: '', appendChild(option) { this.options.push(option); }};
}

test('a count gives options 0..n-1', () => {
  const select = standInSelect();
  fillNumberSelect(select, 3, (k) => 'z[' + k + ']', 1);
  assert.deepEqual(select.options.map((o) => [o.value, o.textContent]), [[0, 'z[0]'], [1, 'z[1]'], [2, 'z[2]']]);
  assert.equal(select.value, 1);
});

test('a list gives one option per value: the arithmetic menus offer only the digits present', () => {
  const select = standInSelect();
  fillNumberSelect(select, [0, 2, 7], (k) => 'digit ' + k, 7);
  assert.deepEqual(select.options.map((o) => o.value), [0, 2, 7]);
  assert.deepEqual(select.options.map((o) => o.textContent), ['digit 0', 'digit 2', 'digit 7']);
  assert.equal(select.value, 7);
});
