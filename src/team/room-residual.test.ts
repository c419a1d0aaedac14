import { describe, expect, it } from 'vitest';
import { buildPresence } from './presence';
import { memberResiduals, residualSummary } from './room-residual';

const member = (clientId: number, name: string, landmarks?: [number, number, number][], self = false) =>
  ({ clientId, self, presence: buildPresence({ name, color: '#3cb44b', device: 'headset', landmarks }) });

describe('residual between members’ landmark pinches', () => {
  it('compares this device’s landmarks with each member who calibrated, through the fit kernel', () => {
    const own: [number, number, number][] = [[0, 0, 0], [1, 0, 0], [1, 0, 0.5]];
    // Ana pinched landmarks 1 and 2 each 3 mm higher: heights +3, +3, 0 mm; the best shift up is 2 mm,
    // leaving 1, 1, −2 mm → rms √2 mm, max 2 mm
    const ana = member(2, 'Ana', [[0, 0.003, 0], [1, 0.003, 0], [1, 0, 0.5]]);
    const bo = member(3, 'Bo'); // not calibrated: no residual
    const r = memberResiduals(own, [member(1, 'me', own, true), ana, bo]);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ clientId: 2, name: 'Ana', landmarks: 3 });
    expect(r[0].rmsMm).toBeCloseTo(Math.SQRT2, 6);
    expect(r[0].maxMm).toBeCloseTo(2, 6);
    expect(residualSummary(r)).toBe('Residual vs Ana: rms 1.4 mm, max 2.0 mm');
    expect(memberResiduals(null, [ana])).toEqual([]);
    expect(residualSummary([])).toBeUndefined();
  });
});
