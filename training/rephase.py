"""Contrast re-phasing of real patches: the real CT, its blood pools and enhancing organs shifted to a
contrast phase drawn at random (synthesis' phase frequencies; it may be the case's own).

Why: each real case shows its vessels and organs in one phase only (A non-contrast, B portal-venous,
C and D angiographies). Trained on A, C and D, the network called B's portal-venous aorta (≈ 150 HU)
bone and B's enhanced spleen background: no real case showed an aorta or a spleen at that density.
Synthesis (synth.py) paints every tissue anew and lost the real texture (livers got worse); here the
real image stays as it is and only the labelled blood pools and enhancing organs move, each by
(a mean drawn for the new phase from the same HU table as synthesis and the phantoms) minus (its own
median in this case), with the shift blurred by the partial-volume width at the edges.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from cases import FINE_ID
from synth import KINDS, NBIN, SOFT, sample_lut

# blood pools and organs whose density follows the contrast phase (not bone, gut, lung, fat, the
# heart mask of case D: myocardium and blood in one label, so no single shift fits it)
REPHASED_KINDS = frozenset({'blood_art', 'blood_ven', 'blood_right', 'blood_portal',
                            'liver', 'spleen', 'kidney_cortex', 'pancreas'})
EDGE_SIGMA_ZYX = (0.3, 0.6, 0.6)   # voxels of the 2 mm grid: the partial-volume width of an edge


class Rephaser:
    """Per case: the median HU of every re-phasable structure; per patch: the shifts of one new phase."""

    def __init__(self, hu, fine):
        self.median = {}
        present = np.flatnonzero(np.bincount(fine.ravel().astype(np.int64), minlength=len(KINDS)))
        for f in present:
            if f < len(KINDS) and KINDS[f] in REPHASED_KINDS:
                self.median[int(f)] = float(np.median(hu[fine == f]))

    def shifts(self, rng, phase=None):
        """-> (HU shift per fine id, phase): target mean of the phase minus the structure's own median."""
        mean, _, phase = sample_lut(rng, phase)
        lut = np.zeros(len(KINDS), np.float32)
        for f, med in self.median.items():
            lut[f] = mean[f * NBIN + SOFT] - med
        return lut, phase

    def apply(self, hu_patch, fine_patch, rng, phase=None):
        """-> (re-phased HU patch, phase). `fine_patch` is the fine map cut like the HU (nearest)."""
        lut, phase = self.shifts(rng, phase)
        shift = lut[fine_patch.astype(np.int64)]
        if not shift.any():
            return hu_patch, phase
        shift = ndi.gaussian_filter(shift, EDGE_SIGMA_ZYX)
        return (hu_patch + shift).astype(np.float32), phase


OUTSIDE_FINE = FINE_ID['outside_scan']
