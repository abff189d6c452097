import { FitsError } from './FitsError.js';
import type { FitsHeader } from './FitsHeader.js';

/** Size in bytes of an HDU's data (without padding to the block) from BITPIX, NAXISn, PCOUNT and GCOUNT. */
export function hduDataBytes(header: FitsHeader, index: number, name: string): number {
  const bitpix = header.requireInt('BITPIX', name, index);
  if (![8, 16, 32, 64, -32, -64].includes(bitpix)) throw new FitsError(name, `HDU ${index}: invalid BITPIX ${bitpix}`);
  const naxis = header.requireInt('NAXIS', name, index);
  if (naxis > 999) throw new FitsError(name, `HDU ${index}: invalid NAXIS ${naxis}`);
  let dataBytes = 0;
  if (naxis > 0) {
    let n = 1;
    for (let i = 1; i <= naxis; i++) n *= header.requireInt(`NAXIS${i}`, name, index);
    const pcount = index === 0 ? 0 : (header.number('PCOUNT') ?? 0);
    const gcount = index === 0 ? 1 : (header.number('GCOUNT') ?? 1);
    dataBytes = (Math.abs(bitpix) / 8) * gcount * (pcount + n);
  }
  if (!Number.isSafeInteger(dataBytes)) throw new FitsError(name, `HDU ${index}: data size overflows`);
  return dataBytes;
}
