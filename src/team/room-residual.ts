import { landmarkResidual, type Vec3 } from '../state';
import type { PresenceState } from './presence';

/** How far one other member's landmark pinches disagree with this device's (issue 8 §4). */
export interface MemberResidual {
  clientId: number;
  name: string;
  /** Root mean square and largest landmark distance after the best turn and shift, mm. */
  rmsMm: number;
  maxMm: number;
  /** Landmarks compared (the ones both pinched). */
  landmarks: number;
}

/**
 * The residual between this device's calibration and every other member who has calibrated: each
 * member publishes its landmarks in its own room frame (presence), and the fit kernel compares
 * them landmark by landmark. Empty until this device and another have calibrated.
 */
export function memberResiduals(own: readonly Vec3[] | null, members: readonly { clientId: number; self: boolean; presence?: PresenceState }[]): MemberResidual[] {
  if (!own || own.length < 2) return [];
  const out: MemberResidual[] = [];
  for (const m of members) {
    const theirs = m.presence?.landmarks;
    if (m.self || !theirs) continue;
    const r = landmarkResidual(own, theirs);
    if (r) out.push({ clientId: m.clientId, name: m.presence!.name, ...r });
  }
  return out;
}

/** The worst of them in a line for the headset's menu, e.g. "Residual vs Ana: rms 2.1 mm, max 3.0 mm". */
export function residualSummary(residuals: readonly MemberResidual[]): string | undefined {
  if (!residuals.length) return undefined;
  const worst = residuals.reduce((a, b) => (b.maxMm > a.maxMm ? b : a));
  const others = residuals.length > 1 ? ` (worst of ${residuals.length})` : '';
  return `Residual vs ${worst.name}: rms ${worst.rmsMm.toFixed(1)} mm, max ${worst.maxMm.toFixed(1)} mm${others}`;
}
