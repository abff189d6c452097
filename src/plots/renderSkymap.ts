import { createCanvas } from '@napi-rs/canvas';
import type { Chart, Plugin, Scale } from 'chart.js';
import type { AnalysisResult, SkyMap, SkyPosition } from '../analysis/types.js';
import { drawChart, PLOT_HEIGHT, PLOT_WIDTH } from './chartSetup.js';
import { colorRange, finiteMax, linearTicks, tickDecimals, type ColorRange } from './colorScale.js';
import { ensureFonts } from './fonts.js';
import { nightsLabel } from './format.js';
import { projectTan, unprojectTan } from './gnomonic.js';
import { PlotError } from './PlotError.js';
import { messagePlugin } from './plugins.js';
import { decTicks, raTicks, relRa, type AxisTick } from './skyGrid.js';
import { viridis } from './viridis.js';

/** Fixed geometry so the map keeps square pixels (and tests can find the marker). */
export const SKYMAP_FRAME = { left: 130, top: 92, maxSize: 616, xAxisHeight: 72, yAxisWidth: 110, padLeft: 20 };
/** Colour of the source marker; viridis has no saturated red, so the marker stays distinct. */
export const MARKER_RGB: [number, number, number] = [230, 25, 25];
const NAN_COLOR = '#b0b0b0';

/** The chart area of the map (canvas pixels) for an nx × ny map. */
export function skymapLayout(nx: number, ny: number): { left: number; top: number; width: number; height: number } {
  const k = SKYMAP_FRAME.maxSize / Math.max(nx, ny, 1);
  return { left: SKYMAP_FRAME.left, top: SKYMAP_FRAME.top, width: Math.round(nx * k), height: Math.round(ny * k) };
}

type MapKind = 'significance' | 'excess' | 'counts';
const LABELS: Record<MapKind, string> = { significance: 'Significance [σ]', excess: 'Excess counts', counts: 'Counts' };

function anyNonZero(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]) && v[i] !== 0) return true;
  return false;
}

/** Significance when it carries information, else excess, else counts. */
export function chooseMap(m: SkyMap): { kind: MapKind; values: ArrayLike<number> } {
  if (anyNonZero(m.significance)) return { kind: 'significance', values: m.significance };
  if (anyNonZero(m.excess)) return { kind: 'excess', values: m.excess };
  if (anyNonZero(m.counts)) return { kind: 'counts', values: m.counts };
  return { kind: 'significance', values: m.significance };
}

function checkSkymap(m: SkyMap): void {
  const { nx, ny } = m;
  if (!Number.isInteger(nx) || !Number.isInteger(ny) || nx < 0 || ny < 0) throw new PlotError('Sky map has invalid dimensions');
  if (nx * ny > 0 && !(m.binsz_deg > 0)) throw new PlotError('Sky map has an invalid pixel size');
  for (const [name, a] of [['counts', m.counts], ['excess', m.excess], ['significance', m.significance]] as const) {
    if (a.length !== nx * ny) throw new PlotError(`Sky map ${name} has ${a.length} pixels, expected ${nx}×${ny}`);
  }
  if (!Number.isFinite(m.center.ra) || !Number.isFinite(m.center.dec)) throw new PlotError('Sky map centre is not finite');
}

/** Map pixels as an nx × ny image, Dec up and RA increasing to the left (as the layout in SkyMap). */
function mapImage(m: SkyMap, values: ArrayLike<number>, range: ColorRange) {
  const img = createCanvas(m.nx, m.ny);
  const ctx = img.getContext('2d');
  const data = ctx.createImageData(m.nx, m.ny);
  const nan = [0xb0, 0xb0, 0xb0]; // NAN_COLOR
  for (let iy = 0; iy < m.ny; iy++) {
    for (let ix = 0; ix < m.nx; ix++) {
      const v = values[iy * m.nx + ix];
      const rgb = Number.isFinite(v) ? viridis((v - range.vmin) / (range.vmax - range.vmin)) : nan;
      const o = ((m.ny - 1 - iy) * m.nx + ix) * 4;
      data.data[o] = rgb[0];
      data.data[o + 1] = rgb[1];
      data.data[o + 2] = rgb[2];
      data.data[o + 3] = 255;
    }
  }
  ctx.putImageData(data, 0, 0);
  return img;
}

function font(px: number, bold = false): string {
  return `${bold ? 'bold ' : ''}${px}px "${ensureFonts().sans}"`;
}

/** Sky map with colour bar, RA/Dec grid and ticks, source marker and ON region. */
export function renderSkymap(result: AnalysisResult): Buffer {
  const m = result.skymap;
  checkSkymap(m);
  const empty = m.nx * m.ny === 0;
  const nx = Math.max(m.nx, 1);
  const ny = Math.max(m.ny, 1);
  const area = skymapLayout(nx, ny);
  const binsz = empty ? 0.02 : m.binsz_deg;
  const halfW = (nx * binsz) / 2;
  const halfH = (ny * binsz) / 2;
  const center: SkyPosition = m.center;
  const { kind, values } = chooseMap(m);
  const range = colorRange(values, kind === 'significance' ? -5 : -Infinity);
  const allZero = !empty && !anyNonZero(values);

  // Grid and ticks: RA lines cross the bottom edge, Dec lines the left edge (xi = +halfW: east is left).
  const raSpan = Math.abs(relRa(center, unprojectTan(center, halfW, 0).ra) - relRa(center, unprojectTan(center, -halfW, 0).ra));
  const skyAxes = !empty && raSpan < 60; // near a pole RA is meaningless across the map: fall back to offsets
  const xTicks: AxisTick[] = skyAxes ? raTicks(center, halfW, -halfH) : [];
  const yTicks: AxisTick[] = skyAxes ? decTicks(center, halfH, halfW) : [];

  const onRadius = result.runs[0]?.on_radius_deg ?? Math.sqrt(result.options.theta2Cut);
  const src = projectTan(center, result.source);

  const imagePlugin: Plugin = {
    id: 'astranSkyImage',
    beforeDatasetsDraw(chart: Chart) {
      if (empty) return;
      const { ctx, chartArea: a } = chart;
      ctx.save();
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(mapImage(m, values, range) as unknown as CanvasImageSource, a.left, a.top, a.width, a.height);
      ctx.restore();
    },
  };

  const overlayPlugin: Plugin = {
    id: 'astranSkyOverlay',
    afterDatasetsDraw(chart: Chart) {
      if (empty) return;
      const { ctx, chartArea: a } = chart;
      const xs = chart.scales.x;
      const ys = chart.scales.y;
      const px = (p: { xi: number; eta: number }) => [xs.getPixelForValue(p.xi), ys.getPixelForValue(p.eta)] as const;
      ctx.save();
      ctx.beginPath();
      ctx.rect(a.left, a.top, a.width, a.height);
      ctx.clip();
      // Coordinate grid: curves of constant RA and Dec, sampled through the projection.
      ctx.strokeStyle = 'rgba(255,255,255,0.45)';
      ctx.lineWidth = 1;
      const decLo = Math.min(...yTicks.map((t) => t.value), unprojectTan(center, 0, -halfH).dec) - 1;
      const decHi = Math.max(...yTicks.map((t) => t.value), unprojectTan(center, 0, halfH).dec) + 1;
      for (const t of xTicks) polyline(ctx, 64, (u) => projectTan(center, { ra: t.value, dec: decLo + u * (decHi - decLo) }), px);
      const raLo = relRa(center, unprojectTan(center, halfW, 0).ra) + 2 * Math.sign(halfW);
      const raHi = relRa(center, unprojectTan(center, -halfW, 0).ra) - 2 * Math.sign(halfW);
      for (const t of yTicks) polyline(ctx, 64, (u) => projectTan(center, { ra: center.ra + raLo + u * (raHi - raLo), dec: t.value }), px);
      // ON region around the source.
      if (src) {
        const [sx, sy] = px(src);
        const rPx = Math.abs(xs.getPixelForValue(onRadius) - xs.getPixelForValue(0));
        ctx.setLineDash([8, 5]);
        ctx.strokeStyle = '#ffffff';
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.arc(sx, sy, rPx, 0, 2 * Math.PI);
        ctx.stroke();
        ctx.setLineDash([]);
        drawCross(ctx, sx, sy, 11);
      }
      ctx.restore();
    },
  };

  const decorPlugin: Plugin = {
    id: 'astranSkyDecor',
    afterDraw(chart: Chart) {
      const { ctx, chartArea: a } = chart;
      ctx.save();
      // Title and subtitle, centred over the map and its colour bar.
      const mid = (a.left + a.right + 120) / 2;
      ctx.fillStyle = '#111';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.font = font(22, true);
      const nights = nightsLabel(result);
      ctx.fillText(`${result.source.name} — ${kind === 'significance' ? 'significance' : kind} map${nights ? `, ${nights}` : ''}`, mid, 14);
      ctx.fillStyle = '#444';
      const parts = empty ? ['no map'] : [m.method, `${m.nx}×${m.ny} px of ${binsz}°`, 'TAN projection', ...(allZero ? ['all pixels zero'] : [])];
      drawSubtitle(ctx, parts, mid, 48, chart.width);
      ctx.fillStyle = '#111';
      if (!empty) {
        drawColorBar(ctx, a.right + 26, a.top, 26, a.bottom - a.top, range, LABELS[kind]);
        drawKey(ctx, a.right + 190, a.top, result.source.name, onRadius, hasNaN(values), peakText(kind, values));
      }
      ctx.restore();
    },
  };

  const frame = SKYMAP_FRAME;
  return drawChart(
    {
      type: 'scatter',
      data: { datasets: [{ label: 'map', data: [] }] },
      options: {
        layout: {
          padding: {
            left: frame.padLeft,
            top: frame.top,
            right: PLOT_WIDTH - area.left - area.width,
            bottom: PLOT_HEIGHT - area.top - area.height - frame.xAxisHeight,
          },
        },
        plugins: { legend: { display: false }, title: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: {
            type: 'linear',
            reverse: true, // east (larger RA) on the left
            min: -halfW,
            max: halfW,
            title: { display: !empty, text: skyAxes ? 'RA (ICRS) [deg]' : 'Offset east [deg]', font: { size: 18 } },
            grid: { display: false },
            ticks: { display: !empty, font: { size: 16 }, autoSkip: false, maxRotation: 0, callback: (v) => xTicks.find((t) => t.at === v)?.label ?? fmtOffset(v) },
            afterBuildTicks: (s: Scale) => {
              if (skyAxes) s.ticks = xTicks.map((t) => ({ value: t.at }));
            },
            afterFit: (s: Scale) => {
              s.height = frame.xAxisHeight;
            },
          },
          y: {
            type: 'linear',
            min: -halfH,
            max: halfH,
            title: { display: !empty, text: skyAxes ? 'Dec (ICRS) [deg]' : 'Offset north [deg]', font: { size: 18 } },
            grid: { display: false },
            ticks: { display: !empty, font: { size: 16 }, autoSkip: false, callback: (v) => yTicks.find((t) => t.at === v)?.label ?? fmtOffset(v) },
            afterBuildTicks: (s: Scale) => {
              if (skyAxes) s.ticks = yTicks.map((t) => ({ value: t.at }));
            },
            afterFit: (s: Scale) => {
              s.width = frame.yAxisWidth;
            },
          },
        },
      },
      plugins: [imagePlugin, overlayPlugin, decorPlugin, ...(empty ? [messagePlugin('No sky map')] : [])],
    },
    PLOT_WIDTH,
    PLOT_HEIGHT,
  );
}

/**
 * Subtitle under the title: one line when it fits at ≥ 14 px, else the first part (the background
 * method, which can be long) on its own line; text still too wide is cut with an ellipsis.
 */
function drawSubtitle(ctx: Ctx, parts: string[], mid: number, y: number, canvasWidth: number): void {
  const maxW = canvasWidth - 40;
  const fits = (text: string) => {
    for (let size = 16; size >= 14; size--) {
      ctx.font = font(size);
      if (ctx.measureText(text).width <= maxW) return true;
    }
    return false;
  };
  const oneLine = parts.join(' · ');
  const lines = fits(oneLine) ? [oneLine] : [parts[0], parts.slice(1).join(' · ')].filter((l) => l);
  lines.forEach((raw, i) => {
    let line = raw;
    while (!fits(line) && line.length > 4) line = `${line.slice(0, -2)}…`;
    // Centre over the map when it fits there, else over the canvas.
    const w = ctx.measureText(line).width;
    const x = mid - w / 2 >= 20 && mid + w / 2 <= canvasWidth - 20 ? mid : canvasWidth / 2;
    ctx.fillText(line, x, lines.length === 1 ? y : y - 6 + i * 20);
  });
}

function fmtOffset(v: number | string): string {
  return typeof v === 'number' ? `${v.toFixed(1)}°` : v;
}

type Ctx = Chart['ctx'];

function polyline(ctx: Ctx, n: number, at: (u: number) => { xi: number; eta: number } | null, px: (p: { xi: number; eta: number }) => readonly [number, number]): void {
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i <= n; i++) {
    const p = at(i / n);
    if (!p) {
      pen = false;
      continue;
    }
    const [x, y] = px(p);
    if (pen) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
}

/** Source marker: a red plus with a thin white halo for contrast on dark pixels. */
function drawCross(ctx: Ctx, x: number, y: number, arm: number): void {
  ctx.lineCap = 'butt';
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 6;
  ctx.beginPath();
  ctx.moveTo(x - arm - 1, y);
  ctx.lineTo(x + arm + 1, y);
  ctx.moveTo(x, y - arm - 1);
  ctx.lineTo(x, y + arm + 1);
  ctx.stroke();
  ctx.strokeStyle = `rgb(${MARKER_RGB.join(',')})`;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(x - arm, y);
  ctx.lineTo(x + arm, y);
  ctx.moveTo(x, y - arm);
  ctx.lineTo(x, y + arm);
  ctx.stroke();
}

function drawColorBar(ctx: Ctx, x: number, y: number, w: number, h: number, range: ColorRange, label: string): void {
  for (let i = 0; i < h; i++) {
    const [r, g, b] = viridis(1 - i / (h - 1));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, y + i, w, 1);
  }
  ctx.strokeStyle = '#333';
  ctx.lineWidth = 1;
  ctx.strokeRect(x, y, w, h);
  const ticks = linearTicks(range);
  const dec = tickDecimals(ticks);
  ctx.fillStyle = '#222';
  ctx.font = font(16);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const t of ticks) {
    const ty = y + h - ((t - range.vmin) / (range.vmax - range.vmin)) * h;
    ctx.beginPath();
    ctx.moveTo(x + w, ty);
    ctx.lineTo(x + w + 6, ty);
    ctx.stroke();
    ctx.fillText(t.toFixed(dec), x + w + 10, ty);
  }
  ctx.save();
  ctx.translate(x + w + 82, y + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = font(18);
  ctx.fillText(label, 0, 0);
  ctx.restore();
}

/** True when any value is not finite: the key then explains the "No data" pixels. */
function hasNaN(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return true;
  return false;
}

function peakText(kind: MapKind, values: ArrayLike<number>): string {
  const max = finiteMax(values);
  if (max === null) return 'Map maximum: n/a';
  return kind === 'significance' ? `Map maximum: ${max.toFixed(1)} σ` : `Map maximum: ${max.toFixed(0)}`;
}

/** Explains the marker and the dashed circle (drawn on a neutral swatch), and "No data" when some pixels have none. */
function drawKey(ctx: Ctx, x: number, y: number, sourceName: string, onRadius: number, showNaN: boolean, footer: string): void {
  const rows = [`${sourceName} position`, `ON region (r = ${onRadius.toFixed(3)}°)`, ...(showNaN ? ['No data'] : []), footer];
  ctx.font = font(16);
  const w = 44 + Math.max(...rows.map((r) => ctx.measureText(r).width)) + 24;
  const bx = Math.min(x, PLOT_WIDTH - w - 10);
  const h = rows.length * 34 + 16;
  ctx.fillStyle = '#f7f7f7';
  ctx.strokeStyle = '#888';
  ctx.fillRect(bx, y, w, h);
  ctx.strokeRect(bx, y, w, h);
  const swatch = (i: number) => {
    ctx.fillStyle = '#3b528b';
    ctx.fillRect(bx + 10, y + 10 + i * 34, 30, 26);
  };
  swatch(0);
  drawCross(ctx, bx + 25, y + 23, 9);
  swatch(1);
  ctx.setLineDash([5, 3]);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.arc(bx + 25, y + 57, 10, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.setLineDash([]);
  if (showNaN) {
    ctx.fillStyle = NAN_COLOR;
    ctx.fillRect(bx + 10, y + 10 + 2 * 34, 30, 26);
  }
  ctx.fillStyle = '#111';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  // The last row is plain text, so it starts at the swatch column.
  rows.forEach((r, i) => ctx.fillText(r, i === rows.length - 1 ? bx + 12 : bx + 52, y + 23 + i * 34));
}
