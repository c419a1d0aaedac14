"""The four real labelled cases, read in place from ../shared/data/totalseg.

Each case gives, on its OWN grid (for scoring) and on the canonical grid (for training):
  hu      float32 [Z,Y,X]
  label   uint8   [Z,Y,X], our class ids, IGNORE (255) where the class is unknown
  known   bool    where the label is trustworthy
  fine    uint16  [Z,Y,X], the finer source structure (FINE_NAMES: each vertebra, lung lobe, heart
          chamber, muscle...) so that synthesis (synth.py) can paint tissue within a group differently;
          `label == FINE_LABEL[fine]` everywhere.

A  ct_3mm + seg_3mm_full_v1 (TotalSegmentator v1 labels, 112 slices; v2 labels of the last 30 slices
   fill what v1 lacks there)                                                           non-contrast
B  dicom/ (JPEG 2000) + seg_dicom       (TotalSegmentator v2 labels, full)           portal-venous
C  aorta_cta/ct_1.5mm + masks/*         (partial: arteries and T12 only)             CT angiography
D  pulmonary_cta/ct_1.5mm + masks/*     (partial: pulmonary artery and heart)        CT pulmonary angiogram

`ct_3mm_30slices` is the last 30 slices of `ct_3mm`: it is NOT a case of its own (training on one and
scoring on the other would score on training data); case A is the full volume.
"""
from __future__ import annotations

import glob
import os

import nibabel as nib
import numpy as np
from scipy import ndimage as ndi

from common import (CACHE, DATA, IGNORE, NAME_TO_ID, PAD_HU, RAS_TO_LPS, Grid, body_mask, canonical_grid,
                    grid_from_nifti, resample_nearest, resample_trilinear, ts_lut)

CASES = ('A', 'B', 'C', 'D')
DESCRIPTION = {
    'A': 'totalseg/ct_3mm + seg_3mm_full_v1 (non-contrast chest-abdomen-pelvis, 112 slices at 3 mm, TotalSegmentator v1 labels mapped by name; v2 labels of slices 82-111 fill classes v1 lacks)',
    'B': 'totalseg/dicom (20 JPEG 2000 slices) + seg_dicom (contrast upper abdomen, 0.98x0.98x2 mm, TotalSegmentator v2 labels)',
    'C': 'totalseg/aorta_cta ct_1.5mm + masks (CT angiography, aortic dissection; partial labels: arteries + T12)',
    'D': 'totalseg/pulmonary_cta ct_1.5mm + masks (CT pulmonary angiogram; partial labels: pulmonary artery + heart)',
}
A30_FIRST_SLICE = 82          # ct_3mm_30slices = ct_3mm[..., 82:112]


def _tsv_names(fname):
    with open(os.path.join(DATA, fname)) as f:
        rows = [r.split('\t') for r in f.read().splitlines()[1:] if r.strip()]
    return {int(r[0]): r[1] for r in rows}


# masks of case C that are whole structures in our class list (the others are sub-parts of the aorta)
C_MASKS = ['aorta', 'brachiocephalic_trunk', 'celiac_trunk', 'common_carotid_artery_left',
           'subclavian_artery_left', 'superior_mesenteric_artery', 'renal_arteries',
           'iliac_artery_left', 'iliac_artery_right', 'vertebrae_T12']
D_MASKS = ['heart', 'pulmonary_artery']      # the heart mask holds most of the pulmonary trunk: the artery wins

# fine structure ids: 0 background (class 0), 1 unlabelled (IGNORE), 2 outside the scan (class 0,
# padHU), then every source structure name of the four cases
FINE_NAMES = ['background', 'unlabelled', 'outside_scan'] + sorted(
    set(_tsv_names('classes.tsv').values()) | set(_tsv_names('classes_v1.tsv').values()) | set(C_MASKS) | set(D_MASKS))
FINE_ID = {n: i for i, n in enumerate(FINE_NAMES)}
FINE_LABEL = np.array([0, IGNORE, 0] + [NAME_TO_ID.get(n, 0) for n in FINE_NAMES[3:]], np.uint8)


def fine_lut(fname):
    """source id (classes.tsv / classes_v1.tsv) -> fine id, by name."""
    lut = np.zeros(256, np.uint16)
    for tid, name in _tsv_names(fname).items():
        lut[tid] = FINE_ID[name]
    return lut


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


def _masks(folder, names, g):
    out = []
    for m in names:
        mg, arr = grid_from_nifti(nib.load(os.path.join(folder, m + '.nii.gz')))
        assert np.allclose(mg.affine, g.affine), f'{folder}/{m}: grid differs from the CT'
        out.append((m, arr > 0))
    return out


def _case_a_fine(hu):
    """v1 labels of all 112 slices mapped by name; where v1 says background but the v2 labels of the
    last 30 slices name a structure (sternum, costal cartilage, SVC, spinal cord... absent from v1),
    take v2. Elsewhere, what v1 cannot name is IGNORE: unlabelled bone-dense voxels in the body
    (sternum, costal cartilage) and the spinal canal (holes of the vertebrae per slice)."""
    sg, seg1 = grid_from_nifti(nib.load(os.path.join(DATA, 'seg_3mm_full_v1.nii.gz')))
    fine = fine_lut('classes_v1.tsv')[seg1]
    _, seg2 = grid_from_nifti(nib.load(os.path.join(DATA, 'seg_3mm_30slices.nii.gz')))
    f2 = fine_lut('classes.tsv')[seg2]
    top = fine[A30_FIRST_SLICE:]
    fill = (top == 0) & (f2 > 0)
    top[fill] = f2[fill]
    below = np.zeros(fine.shape, bool); below[:A30_FIRST_SLICE] = True
    body = body_mask(hu)
    dense = below & body & (hu > 150) & (fine == 0)
    bone = FINE_LABEL[fine] == 1
    canal = np.stack([ndi.binary_fill_holes(ndi.binary_closing(b, iterations=2)) for b in bone]) & ~bone & (fine == 0) & below
    fine[dense | canal] = FINE_ID['unlabelled']
    return sg, fine


def load_case(name):
    """-> dict(grid, hu, label, known, fine) on the case's own grid."""
    if name == 'A':
        g, hu = grid_from_nifti(nib.load(os.path.join(DATA, 'ct_3mm.nii.gz')))
        sg, fine = _case_a_fine(hu)
        assert np.allclose(g.affine, sg.affine)
    elif name == 'B':
        g, hu = read_dicom_series(os.path.join(DATA, 'dicom'))
        sg, seg = grid_from_nifti(nib.load(os.path.join(DATA, 'seg_dicom.nii.gz')))
        fine = fine_lut('classes.tsv')[resample_nearest(seg, sg, g)]
    elif name in ('C', 'D'):
        folder = os.path.join(DATA, 'aorta_cta' if name == 'C' else 'pulmonary_cta')
        g, hu = grid_from_nifti(nib.load(os.path.join(folder, 'ct_1.5mm.nii.gz')))
        fine = np.full(hu.shape, FINE_ID['unlabelled'], np.uint16)
        any_mask = np.zeros(hu.shape, bool)
        for m, arr in _masks(os.path.join(folder, 'masks'), C_MASKS if name == 'C' else D_MASKS, g):
            fine[arr] = FINE_ID[m]
            any_mask |= arr
        fine[trusted_negatives(hu, any_mask)] = FINE_ID['background']
    else:
        raise ValueError(name)
    fine = fine.astype(np.uint16)
    label = FINE_LABEL[fine]
    return dict(name=name, grid=g, hu=hu.astype(np.float32), label=label, known=label != IGNORE, fine=fine)


def source_slice_of_canonical(case):
    """Case A on the canonical grid -> for each canonical z index, the (fractional) slice index of
    ct_3mm it lies at. The two grids are axis-aligned; ct_3mm's own slice spacing and direction come
    from its header, so no spacing is assumed."""
    if case['name'] != 'A':
        raise ValueError('source slices are defined for case A (ct_3mm) only')
    src = RAS_TO_LPS @ nib.load(os.path.join(DATA, 'ct_3mm.nii.gz')).affine
    z = np.arange(case['label'].shape[0], dtype=float)
    idx = np.stack([np.zeros_like(z), np.zeros_like(z), z, np.ones_like(z)])
    return (np.linalg.inv(src) @ case['affine'] @ idx)[2]


def canonical_case(name, use_cache=True):
    """Case on the canonical grid (trilinear HU with padHU outside, nearest labels; outside the CT = background)."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f'case_{name}_canonical_v2.npz')
    if use_cache and os.path.exists(path):
        z = np.load(path)
        return dict(name=name, hu=z['hu'], label=z['label'], fine=z['fine'], affine=z['affine'])
    c = load_case(name)
    cg = canonical_grid(c['grid'])
    hu = resample_trilinear(c['hu'], c['grid'], cg, PAD_HU)
    fine = resample_nearest(c['fine'], c['grid'], cg, outside=FINE_ID['outside_scan'])
    label = FINE_LABEL[fine]
    np.savez_compressed(path, hu=hu, label=label, fine=fine, affine=cg.affine)
    return dict(name=name, hu=hu, label=label, fine=fine, affine=cg.affine)


if __name__ == '__main__':
    for n in CASES:
        c = load_case(n)
        cc = canonical_case(n, use_cache=False)
        print(n, 'own', c['hu'].shape, 'canonical', cc['hu'].shape,
              'label counts', np.bincount(cc['label'].ravel(), minlength=256)[[*range(11), IGNORE]].tolist())
