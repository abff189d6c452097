import { axisCenters, logEdges } from '../irf/IrfAxis.js';

/** Reconstructed energy: 0.1–100 TeV, 30 log bins (10 per decade), as issue 11 pins it. */
export const RECO_EDGES_TEV: Float64Array = logEdges(0.1, 100, 30);
/** True energy: 0.05–200 TeV, 72 log bins (20 per decade). */
export const TRUE_EDGES_TEV: Float64Array = logEdges(0.05, 200, 72);
export const TRUE_CENTERS_TEV: Float64Array = axisCenters(TRUE_EDGES_TEV, 'log');
