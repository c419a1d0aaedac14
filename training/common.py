"""Shared pieces of HoloCT training: the class list, the canonical grid, and a Python mirror of the
app's segmentation pipeline (src/volume/resample.ts, src/segmentation/{pipeline,sliding-window,
postprocess}.ts) so that training sees exactly what the app feeds the model, and evaluation scores
exactly what the app would output.

Conventions (DEVELOPERS.md): patient space is LPS mm. A grid is described by a 4x4 affine mapping
voxel index (i, j, k) -> LPS mm, arrays are stored in numpy as [k, j, i] (= [Z, Y, X]) so that
`arr.ravel()` is i-fastest like the app's typed arrays.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data', 'totalseg'))
CACHE = os.path.join(HERE, 'cache')
RUNS = os.path.join(HERE, 'runs')

# ---------------------------------------------------------------- model contract (manifest fields)
SPACING = (2.0, 2.0, 2.0)          # mm along x (L), y (P), z (S)
PATCH = (96, 96, 32)               # 3D U-Net default patch (x, y, z); the 2.5D model uses (192, 192, 16)
OVERLAP = 0.5
PAD_HU = -1024.0
NORM = dict(clipMin=-1024.0, clipMax=1600.0, mean=-200.0, std=500.0)
IGNORE = 255                       # label value excluded from loss and from scoring

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


def load_class_list():
    with open(os.path.join(HERE, 'classes.json')) as f:
        return json.load(f)


CLASS_LIST = load_class_list()
CLASSES = CLASS_LIST['classes']
SCOPE = CLASS_LIST['scope']                 # the body regions trained on: copied into the manifest
NUM_CLASSES = max(c['id'] for c in CLASSES) + 1          # background included
GROUPS = ('bone', 'vessel', 'organ')
CLASS_GROUP = {c['id']: c['group'] for c in CLASSES}
CLASS_NAME = {c['id']: c['name'] for c in CLASSES}
NAME_TO_ID = {}
for _c in CLASSES:
    for _s in _c['sourceNames']:
        NAME_TO_ID[_s] = _c['id']


def ts_lut():
    """TotalSegmentator v2 id -> our class id (0 for classes we do not model, e.g. muscles)."""
    lut = np.zeros(256, np.uint8)
    with open(os.path.join(DATA, 'classes.tsv')) as f:
        for line in f.read().splitlines()[1:]:
            if not line.strip():
                continue
            tid, name = line.split('\t')[:2]
            lut[int(tid)] = NAME_TO_ID.get(name, 0)
    return lut


def normalize(hu):
    """clamp to [clipMin, clipMax], then (hu - mean) / std (pipeline.ts normalizeInPlace)."""
    return ((np.clip(hu, NORM['clipMin'], NORM['clipMax']) - NORM['mean']) / NORM['std']).astype(np.float32)


# ---------------------------------------------------------------- grids
@dataclass
class Grid:
    shape_zyx: tuple          # array shape [Z, Y, X]
    affine: np.ndarray        # 4x4 voxel (i,j,k) -> LPS mm

    @property
    def dims(self):           # (i, j, k) counts like the app's Grid.dims
        z, y, x = self.shape_zyx
        return (x, y, z)


def grid_from_nifti(img):
    """nibabel image -> (Grid, array [Z,Y,X]) with the LPS affine (nibabel arrays are [i,j,k])."""
    aff = RAS_TO_LPS @ img.affine
    arr = np.asanyarray(img.dataobj)
    return Grid(tuple(arr.shape[::-1]), aff), np.ascontiguousarray(arr.transpose(2, 1, 0))


def canonical_grid(src: Grid, spacing=SPACING) -> Grid:
    """resample.ts canonicalGrid: LPS-aligned, origin = min corner of the voxel-centre bounding box."""
    nx, ny, nz = src.dims
    corners = np.array([[i, j, k, 1.0] for k in (0, nz - 1) for j in (0, ny - 1) for i in (0, nx - 1)])
    p = (src.affine @ corners.T).T[:, :3]
    lo, hi = p.min(0), p.max(0)
    dims = [max(1, int(math.floor((hi[a] - lo[a]) / spacing[a] + 1e-6)) + 1) for a in range(3)]
    aff = np.eye(4)
    aff[:3, :3] = np.diag(spacing)
    aff[:3, 3] = lo
    return Grid((dims[2], dims[1], dims[0]), aff)


def _target_to_source(src: Grid, dst: Grid):
    m = np.linalg.inv(src.affine) @ dst.affine
    kk, jj, ii = np.meshgrid(np.arange(dst.shape_zyx[0]), np.arange(dst.shape_zyx[1]),
                             np.arange(dst.shape_zyx[2]), indexing='ij')
    x = m[0, 0] * ii + m[0, 1] * jj + m[0, 2] * kk + m[0, 3]
    y = m[1, 0] * ii + m[1, 1] * jj + m[1, 2] * kk + m[1, 3]
    z = m[2, 0] * ii + m[2, 1] * jj + m[2, 2] * kk + m[2, 3]
    return x, y, z


def resample_trilinear(src_arr, src: Grid, dst: Grid, pad=PAD_HU):
    """resample.ts resampleTrilinear: outside [-1e-4, n-1+1e-4] -> pad, else clamped trilinear."""
    sz, sy, sx = src_arr.shape
    x, y, z = _target_to_source(src, dst)
    eps = 1e-4
    outside = (x < -eps) | (y < -eps) | (z < -eps) | (x > sx - 1 + eps) | (y > sy - 1 + eps) | (z > sz - 1 + eps)
    xc, yc, zc = np.clip(x, 0, sx - 1), np.clip(y, 0, sy - 1), np.clip(z, 0, sz - 1)
    x0 = np.minimum(np.floor(xc), max(sx - 2, 0)).astype(np.int64)
    y0 = np.minimum(np.floor(yc), max(sy - 2, 0)).astype(np.int64)
    z0 = np.minimum(np.floor(zc), max(sz - 2, 0)).astype(np.int64)
    fx = (xc - x0) if sx > 1 else np.zeros_like(xc)
    fy = (yc - y0) if sy > 1 else np.zeros_like(yc)
    fz = (zc - z0) if sz > 1 else np.zeros_like(zc)
    ox, oy, oz = int(sx > 1), int(sy > 1), int(sz > 1)
    a = src_arr.astype(np.float32)

    def g(dz, dy, dx):
        return a[z0 + dz, y0 + dy, x0 + dx]

    c00 = g(0, 0, 0) + (g(0, 0, ox) - g(0, 0, 0)) * fx
    c10 = g(0, oy, 0) + (g(0, oy, ox) - g(0, oy, 0)) * fx
    c01 = g(oz, 0, 0) + (g(oz, 0, ox) - g(oz, 0, 0)) * fx
    c11 = g(oz, oy, 0) + (g(oz, oy, ox) - g(oz, oy, 0)) * fx
    c0 = c00 + (c10 - c00) * fy
    c1 = c01 + (c11 - c01) * fy
    out = (c0 + (c1 - c0) * fz).astype(np.float32)
    out[outside] = pad
    return out


def resample_nearest(src_arr, src: Grid, dst: Grid, outside=0):
    """resample.ts resampleNearestLabels: floor(x + 0.5 + 1e-6), outside -> `outside` (0 in the app)."""
    sz, sy, sx = src_arr.shape
    x, y, z = _target_to_source(src, dst)
    xi = np.floor(x + 0.5 + 1e-6).astype(np.int64)
    yi = np.floor(y + 0.5 + 1e-6).astype(np.int64)
    zi = np.floor(z + 0.5 + 1e-6).astype(np.int64)
    ok = (xi >= 0) & (yi >= 0) & (zi >= 0) & (xi < sx) & (yi < sy) & (zi < sz)
    out = np.full(dst.shape_zyx, outside, dtype=src_arr.dtype)
    out[ok] = src_arr[zi[ok], yi[ok], xi[ok]]
    return out


# ---------------------------------------------------------------- sliding window (sliding-window.ts)
def window_starts(length, patch, overlap):
    if length <= patch:
        return [0]
    step = max(1, int(math.floor(patch * (1 - overlap))))
    count = int(math.ceil((length - patch) / step)) + 1
    return [int(math.floor(n * (length - patch) / (count - 1) + 0.5)) for n in range(count)]


def gaussian_weights(size_xyz):
    def axis(n):
        d = np.arange(n) - (n - 1) / 2
        s = n / 8
        return np.exp(-(d * d) / (2 * s * s))
    px, py, pz = size_xyz
    w = axis(pz)[:, None, None] * axis(py)[None, :, None] * axis(px)[None, None, :]
    return np.maximum(1, np.floor(255 * w + 0.5)).astype(np.uint16)   # JS Math.round == floor(x+.5)


def sliding_window_segment(norm_vol, predict, patch_xyz=PATCH, overlap=OVERLAP, num_classes=NUM_CLASSES):
    """norm_vol [Z,Y,X] normalized; predict(patch [Z,Y,X] float32) -> labels [Z,Y,X] uint8.
    Gaussian-weighted vote of hard labels, ties -> lowest class id, as the app."""
    nz, ny, nx = norm_vol.shape
    px, py, pz = patch_xyz
    pad = float(normalize(np.float32(PAD_HU)))
    w = gaussian_weights(patch_xyz)
    votes = np.zeros((num_classes, nz, ny, nx), np.uint32)
    for z0 in window_starts(nz, pz, overlap):
        for y0 in window_starts(ny, py, overlap):
            for x0 in window_starts(nx, px, overlap):
                patch = np.full((pz, py, px), pad, np.float32)
                sub = norm_vol[z0:z0 + pz, y0:y0 + py, x0:x0 + px]
                patch[:sub.shape[0], :sub.shape[1], :sub.shape[2]] = sub
                lab = predict(patch)[:sub.shape[0], :sub.shape[1], :sub.shape[2]]
                ww = w[:sub.shape[0], :sub.shape[1], :sub.shape[2]]
                zz, yy, xx = np.meshgrid(np.arange(sub.shape[0]), np.arange(sub.shape[1]), np.arange(sub.shape[2]), indexing='ij')
                np.add.at(votes, (lab.astype(np.int64), zz + z0, yy + y0, xx + x0), ww)
    return np.argmax(votes, axis=0).astype(np.uint8)


def remove_small_components(labels, classes=CLASSES, spacing=SPACING):
    """postprocess.ts removeSmallComponents (6-connected, default 0.1 mL, optional maxComponents)."""
    voxel_ml = spacing[0] * spacing[1] * spacing[2] / 1000.0
    out = labels.copy()
    info = {c['id']: c for c in classes}
    for cid in np.unique(labels):
        if cid == 0:
            continue
        comp, n = ndi.label(labels == cid)
        if n == 0:
            continue
        sizes = np.bincount(comp.ravel())[1:]
        c = info.get(int(cid), {})
        min_vox = c.get('minComponentMl', 0.1) / voxel_ml
        limit = c.get('maxComponents', None)
        order = np.argsort(-sizes, kind='stable')
        keep = np.zeros(n + 1, bool)
        for rank, idx in enumerate(order):
            keep[idx + 1] = (limit is None or rank < limit) and sizes[idx] >= min_vox
        out[(comp > 0) & ~keep[comp]] = 0
    return out


def segment_like_app(hu_arr, grid: Grid, predict, patch_xyz=PATCH, overlap=OVERLAP, postprocess=True):
    """The app pipeline end to end: canonical resample -> normalize -> windows -> specks -> back to the CT grid."""
    cg = canonical_grid(grid)
    canon = resample_trilinear(hu_arr, grid, cg)
    lab = sliding_window_segment(normalize(canon), predict, patch_xyz, overlap)
    if postprocess:
        lab = remove_small_components(lab)
    return resample_nearest(lab, cg, grid), lab, cg


# ---------------------------------------------------------------- metrics
def score(pred, ref, hu=None, known=None, group_of=CLASS_GROUP):
    """Per class and per group IoU/Dice and pixel accuracy on voxels where `known` (default all).
    ref may hold IGNORE. Also the 150 HU threshold baseline for bone when hu is given."""
    m = (ref != IGNORE)
    if known is not None:
        m &= known
    p, r = pred[m].astype(np.int64), ref[m].astype(np.int64)
    res = {'voxels': int(m.sum()), 'pixelAccuracy': float((p == r).mean()) if p.size else None,
           'classes': {}, 'groups': {}}

    def iou_dice(a, b):
        inter = int(np.logical_and(a, b).sum()); sa, sb = int(a.sum()), int(b.sum())
        union = sa + sb - inter
        return {'iou': inter / union if union else None, 'dice': 2 * inter / (sa + sb) if sa + sb else None,
                'precision': inter / sa if sa else None, 'recall': inter / sb if sb else None,
                'ref': sb, 'pred': sa}

    for cid in sorted(CLASS_NAME):
        if (r == cid).any() or (p == cid).any():
            res['classes'][CLASS_NAME[cid]] = iou_dice(p == cid, r == cid)
    for g in GROUPS:
        ids = [c for c, gg in group_of.items() if gg == g]
        if np.isin(r, ids).any() or np.isin(p, ids).any():
            res['groups'][g] = iou_dice(np.isin(p, ids), np.isin(r, ids))
    present = [v['iou'] for v in res['classes'].values() if v['ref'] > 0 and v['iou'] is not None]
    res['meanIoU_fg'] = float(np.mean(present)) if present else None
    if hu is not None:
        bone_ids = [c for c, gg in group_of.items() if gg == 'bone']
        thr = hu[m] >= 150
        res['threshold150'] = {'bone': iou_dice(thr, np.isin(r, bone_ids))}
    return res


def body_mask(hu, thresh=-500, min_frac=0.002):
    """Voxels inside the patient (components above -500 HU of meaningful size, holes filled per slice)."""
    m = hu > thresh
    lab, n = ndi.label(m)
    if n == 0:
        return m
    sizes = np.bincount(lab.ravel())[1:]
    keep = np.zeros(n + 1, bool)
    keep[1:] = sizes >= max(50, min_frac * m.size)
    m = keep[lab]
    return np.stack([ndi.binary_fill_holes(s) for s in m])
