import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatJobId, parseJobId } from '../../../src/store/jobIds.js';

describe('job ids', () => {
  it('formats zero-padded ids that grow past 9999', () => {
    assert.equal(formatJobId('A', 42), 'A-0042');
    assert.equal(formatJobId('Q', 9999), 'Q-9999');
    assert.equal(formatJobId('A', 12345), 'A-12345');
    assert.throws(() => formatJobId('A', 0));
    assert.throws(() => formatJobId('A', 1.5));
    assert.throws(() => formatJobId('a', 1), /prefix/);
    assert.throws(() => formatJobId('AB', 1), /prefix/);
  });

  it('parses what humans type into the canonical id', () => {
    assert.deepEqual(parseJobId('A-0042'), { prefix: 'A', seq: 42, id: 'A-0042' });
    assert.equal(parseJobId(' a-42 ')?.id, 'A-0042');
    assert.equal(parseJobId('A-00042')?.id, 'A-0042');
    assert.equal(parseJobId('A-12345')?.id, 'A-12345');
    for (const bad of ['', 'A', 'A-', 'A-0', '42', 'AB-0042', 'A_0042', 'A-42x', 'A-0042; rm -rf /']) assert.equal(parseJobId(bad), undefined, bad);
  });
});
