/** The digest's trend image: size, background, one marker per night with a result, gaps stay empty. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { renderTrend } from '../../../src/plots/renderTrend.js';
import { PLOT_HEIGHT, PLOT_WIDTH } from '../../../src/plots/chartSetup.js';

async function pixels(png: Buffer) {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

/** Count pixels close to a colour (the series' marker colours are distinct). */
function count(p: Awaited<ReturnType<typeof pixels>>, rgb: [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < p.data.length; i += 4) if (Math.abs(p.data[i] - rgb[0]) < 10 && Math.abs(p.data[i + 1] - rgb[1]) < 10 && Math.abs(p.data[i + 2] - rgb[2]) < 10) n++;
  return n;
}

test('renders at the plots’ size on white, with the significance, rate and flux series', async () => {
  const png = renderTrend({
    source: 'Crab Nebula',
    fromNight: '20261101',
    toNight: '20261130',
    points: [
      { night: '20261110', significance: 20, excessRatePerMin: 8, fluxCrab: 1.0, fluxCrabError: 0.1 },
      { night: '20261130', significance: 30, excessRatePerMin: 9 },
      { night: '20261031', significance: 99, excessRatePerMin: 99 }, // outside the window: ignored
    ],
  });
  const p = await pixels(png);
  assert.deepEqual([p.width, p.height], [PLOT_WIDTH, PLOT_HEIGHT]);
  assert.deepEqual([...p.data.subarray(0, 4)], [255, 255, 255, 255], 'white background');
  assert.ok(count(p, [0x1f, 0x4e, 0x96]) > 200, 'significance markers');
  assert.ok(count(p, [0xd3, 0x54, 0x00]) > 200, 'excess-rate markers');
  assert.ok(count(p, [0x1e, 0x84, 0x49]) > 100, 'flux markers');
});

test('an empty window renders (with a message) instead of failing; no flux axis without flux', async () => {
  const empty = await pixels(renderTrend({ source: 'Geminga', fromNight: '20261101', toNight: '20261130', points: [] }));
  assert.equal(empty.width, PLOT_WIDTH);
  const noFlux = await pixels(renderTrend({ source: 'Geminga', fromNight: '20261101', toNight: '20261130', points: [{ night: '20261115', significance: 3, excessRatePerMin: 1 }] }));
  assert.equal(count(noFlux, [0x1e, 0x84, 0x49]), 0, 'no flux series or axis title');
});
