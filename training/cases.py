"""The three real labelled cases, read in place from ../shared/data/totalseg.

Each case gives, on its OWN grid (for scoring) and on the canonical grid (for training):
  hu      float32 [Z,Y,X]
  label   uint8   [Z,Y,X], our class ids, IGNORE (255) where the class is unknown
  known   bool    where the label is trustworthy (all voxels for A and B; masks + trusted negatives for C)

A  ct_3mm_30slices + seg_3mm_30slices   (TotalSegmentator v2 labels, full)           non-contrast
B  dicom/ (JPEG 2000) + seg_dicom       (TotalSegmentator v2 labels, full)           portal-venous
C  aorta_cta/ct_1.5mm + masks/*         (partial: arteries and T12 only)             CT angiography
"""
from __future__ import annotations

import glob
import os

import nibabel as nib
import numpy as np
from scipy import ndimage as ndi

from common import (CACHE, DATA, IGNORE, NAME_TO_ID, PAD_HU, Grid, body_mask, canonical_grid,
                    grid_from_nifti, resample_nearest, resample_trilinear, ts_lut)

CASES = ('A', 'B', 'C')
DESCRIPTION = {
    'A': 'totalseg/ct_3mm_30slices + seg_3mm_30slices (non-contrast upper abdomen, 3 mm, TotalSegmentator v2 labels)',
    'B': 'totalseg/dicom (20 JPEG 2000 slices) + seg_dicom (contrast upper abdomen, 0.98x0.98x2 mm, TotalSegmentator v2 labels)',
    'C': 'totalseg/aorta_cta ct_1.5mm + masks (CT angiography, aortic dissection; partial labels: arteries + T12)',
}

# masks of case C that are whole structures in our class list (the others are sub-parts of the aorta)
C_MASKS = ['aorta', 'brachiocephalic_trunk', 'celiac_trunk', 'common_carotid_artery_left',
           'subclavian_artery_left', 'superior_mesenteric_artery', 'renal_arteries',
           'iliac_artery_left', 'iliac_artery_right', 'vertebrae_T12']


def read_dicom_series(folder):
    """pydicom + Pillow (JPEG 2000) -> (Grid, HU [Z,Y,X]). Slices ordered along the slice normal."""
    import pydicom
    ds = [pydicom.dcmread(f) for f in sorted(glob.glob(os.path.join(folder, '*')))]
    iop = np.array(ds[0].ImageOrientationPatient, float)
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    ds.sort(key=lambda d: float(np.dot(np.array(d.ImagePositionPatient, float), normal)))
    pos = np.array([np.array(d.ImagePositionPatient, float) for d in ds])
    steps = np.diff(pos @ normal)
    if len(ds) > 1 and np.ptp(steps) > 1e-3:
        raise ValueError(f'{folder}: uneven slice spacing {steps}')
    dz = float(steps.mean()) if len(ds) > 1 else float(ds[0].SliceThickness)
    ps = [float(v) for v in ds[0].PixelSpacing]          # [row spacing (between rows), column spacing]
    aff = np.eye(4)
    aff[:3, 0] = row * ps[1]
    aff[:3, 1] = col * ps[0]
    aff[:3, 2] = normal * dz
    aff[:3, 3] = pos[0]
    hu = np.stack([d.pixel_array.astype(np.float32) * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in ds])
    return Grid(hu.shape, aff), hu


def trusted_negatives(hu, labelled):
    """Voxels of a partially labelled CT we may call background: air outside the body, and fat
    (-190..-30 HU) that is not next to gas (bowel contents, lung edges). On cases A and B (full labels)
    98.9% / 99.4% of such fat voxels are background in the reference (see training/README.md)."""
    body = body_mask(hu)
    gas = (hu < -400) & body
    fat = (hu > -190) & (hu < -30) & body & ~ndi.binary_dilation(gas, iterations=3)
    return (~body | fat) & ~labelled


def load_case(name):
    """-> dict(grid, hu, label, known) on the case's own grid."""
    lut = ts_lut()
    if name == 'A':
        g, hu = grid_from_nifti(nib.load(os.path.join(DATA, 'ct_3mm_30slices.nii.gz')))
        sg, seg = grid_from_nifti(nib.load(os.path.join(DATA, 'seg_3mm_30slices.nii.gz')))
        assert np.allclose(g.affine, sg.affine)
        label = lut[seg]
        known = np.ones(hu.shape, bool)
    elif name == 'B':
        g, hu = read_dicom_series(os.path.join(DATA, 'dicom'))
        sg, seg = grid_from_nifti(nib.load(os.path.join(DATA, 'seg_dicom.nii.gz')))
        label = lut[resample_nearest(seg, sg, g)]
        known = np.ones(hu.shape, bool)
    elif name == 'C':
        g, hu = grid_from_nifti(nib.load(os.path.join(DATA, 'aorta_cta', 'ct_1.5mm.nii.gz')))
        label = np.full(hu.shape, IGNORE, np.uint8)
        any_mask = np.zeros(hu.shape, bool)
        for m in C_MASKS:
            mg, arr = grid_from_nifti(nib.load(os.path.join(DATA, 'aorta_cta', 'masks', m + '.nii.gz')))
            assert np.allclose(mg.affine, g.affine)
            arr = arr > 0
            label[arr] = NAME_TO_ID[m]
            any_mask |= arr
        neg = trusted_negatives(hu, any_mask)
        label[neg] = 0
        known = label != IGNORE
    else:
        raise ValueError(name)
    return dict(name=name, grid=g, hu=hu.astype(np.float32), label=label.astype(np.uint8), known=known)


def canonical_case(name, use_cache=True):
    """Case on the canonical grid (trilinear HU with padHU outside, nearest labels; outside the CT = background)."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f'case_{name}_canonical.npz')
    if use_cache and os.path.exists(path):
        z = np.load(path)
        return dict(name=name, hu=z['hu'], label=z['label'], affine=z['affine'])
    c = load_case(name)
    cg = canonical_grid(c['grid'])
    hu = resample_trilinear(c['hu'], c['grid'], cg, PAD_HU)
    label = resample_nearest(c['label'], c['grid'], cg, outside=0)
    np.savez_compressed(path, hu=hu, label=label, affine=cg.affine)
    return dict(name=name, hu=hu, label=label, affine=cg.affine)


if __name__ == '__main__':
    for n in CASES:
        c = load_case(n)
        cc = canonical_case(n, use_cache=False)
        print(n, 'own', c['hu'].shape, 'canonical', cc['hu'].shape,
              'label counts', np.bincount(cc['label'].ravel(), minlength=256)[[*range(11), IGNORE]].tolist())
