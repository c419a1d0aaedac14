"""Patch sampling and augmentation for real cases and phantoms, on the canonical grid.

Every sample is (x float32 [1, Z, Y, X] normalized like the app, y int64 [Z, Y, X] with IGNORE).
Volumes are numpy [Z, Y, X]; patch sizes are given as (x, y, z) like the manifest.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import ndimage as ndi

from common import IGNORE, NUM_CLASSES, PAD_HU, normalize
from rephase import OUTSIDE_FINE, Rephaser

# how much more often a patch is centred on a class (thin vessels and small organs first)
CLASS_SAMPLING = {1: 1.0, 2: 2.5, 3: 2.0, 4: 1.0, 5: 1.0, 6: 1.2, 7: 0.8, 8: 1.0, 9: 1.0, 10: 1.0}


def rotation_matrix(rng, max_deg_z=10.0, max_deg_xy=5.0):
    az, ay, ax = np.deg2rad([rng.uniform(-max_deg_z, max_deg_z), rng.uniform(-max_deg_xy, max_deg_xy),
                             rng.uniform(-max_deg_xy, max_deg_xy)])
    # arrays are [z, y, x]; rotation about patient z acts on (y, x)
    rz = np.array([[1, 0, 0], [0, math.cos(az), -math.sin(az)], [0, math.sin(az), math.cos(az)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rx = np.array([[math.cos(ax), -math.sin(ax), 0], [math.sin(ax), math.cos(ax), 0], [0, 0, 1]])
    return rz @ ry @ rx


def extract(vol, centre_zyx, shape_zyx, cval, order, matrix=None):
    """Patch of `shape_zyx` centred at `centre_zyx` (voxel coords), optionally through `matrix`
    (output offset -> input offset), padding with cval."""
    shape = np.array(shape_zyx)
    half = (shape - 1) / 2.0
    if matrix is None:
        start = np.round(np.array(centre_zyx) - half).astype(int)
        out = np.full(shape_zyx, cval, dtype=vol.dtype)
        src_lo = np.maximum(start, 0)
        src_hi = np.minimum(start + shape, vol.shape)
        if np.any(src_hi <= src_lo):
            return out
        dst_lo = src_lo - start
        dst_hi = dst_lo + (src_hi - src_lo)
        out[dst_lo[0]:dst_hi[0], dst_lo[1]:dst_hi[1], dst_lo[2]:dst_hi[2]] = \
            vol[src_lo[0]:src_hi[0], src_lo[1]:src_hi[1], src_lo[2]:src_hi[2]]
        return out
    offset = np.array(centre_zyx) - matrix @ half
    return ndi.affine_transform(vol, matrix, offset=offset, output_shape=tuple(shape_zyx), order=order,
                                mode='constant', cval=cval, prefilter=False)


class ClassIndex:
    """Voxel indices per class, for class-balanced patch centres."""

    def __init__(self, label, max_per_class=20000, seed=0):
        rng = np.random.default_rng(seed)
        self.idx = {}
        flat = label.ravel()
        for c in range(1, NUM_CLASSES):
            w = np.flatnonzero(flat == c)
            if w.size:
                if w.size > max_per_class:
                    w = rng.choice(w, max_per_class, replace=False)
                self.idx[c] = np.stack(np.unravel_index(w, label.shape), 1)
        self.shape = label.shape

    def centre(self, rng, jitter_zyx):
        classes = list(self.idx)
        if not classes:
            return None
        p = np.array([CLASS_SAMPLING.get(c, 1.0) for c in classes])
        c = classes[rng.choice(len(classes), p=p / p.sum())]
        v = self.idx[c][rng.integers(len(self.idx[c]))]
        return v + rng.uniform(-1, 1, 3) * np.array(jitter_zyx)


def intensity_augment(hu, rng, valid):
    """Scanner / protocol variation on HU: global scale+shift, noise of random level and texture,
    slight blur (kernel, slice thickness). `valid` = voxels inside the field of view."""
    if rng.random() < 0.8:
        hu = hu * rng.uniform(0.93, 1.07) + rng.uniform(-20, 20)
    if rng.random() < 0.3:
        s = (rng.uniform(0.3, 1.2), rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8))
        hu = ndi.gaussian_filter(hu, s)
    if rng.random() < 0.7:
        sigma = rng.uniform(3, 30)
        n = rng.standard_normal(hu.shape).astype(np.float32)
        if rng.random() < 0.5:
            n = ndi.gaussian_filter(n, rng.uniform(0.4, 0.9)) * 2.0
        hu = hu + sigma * n
    hu = np.where(valid, hu, PAD_HU)
    return hu.astype(np.float32)


class RealSampler:
    """Patches of one real case on the canonical grid: half class-centred, half anywhere in the FOV;
    a share `rephase` of them shifted to another contrast phase (rephase.py)."""

    def __init__(self, case, patch_xyz, seed=0, rephase=0.0):
        self.hu = case['hu'].astype(np.float32)
        self.label = case['label']
        self.rephase = rephase
        if rephase > 0:
            self.fine = case['fine']
            self.rephaser = Rephaser(self.hu, self.fine)
        self.name = case['name']
        self.shape = tuple(patch_xyz[::-1])
        self.ci = ClassIndex(self.label, seed=seed)
        inside = self.hu > PAD_HU + 1
        self.inside = np.stack(np.nonzero(inside), 1)[::7]

    def sample(self, rng, aug=True):
        shape = self.shape
        c = self.ci.centre(rng, np.array(shape) / 4) if rng.random() < 0.6 else None
        if c is None:
            c = self.inside[rng.integers(len(self.inside))] + rng.uniform(-4, 4, 3)
        m = None
        if aug and rng.random() < 0.7:
            m = rotation_matrix(rng) / rng.uniform(0.88, 1.12)
        hu = extract(self.hu, c, shape, PAD_HU, 1, m)
        lab = extract(self.label, c, shape, 0, 0, m)   # beyond the scan: padHU, background
        valid = hu > PAD_HU + 1
        if aug and self.rephase > 0 and rng.random() < self.rephase:
            fine = extract(self.fine, c, shape, OUTSIDE_FINE, 0, m)
            hu, _ = self.rephaser.apply(hu, fine, rng)
        if aug:
            hu = intensity_augment(hu, rng, valid)
        return normalize(hu)[None], lab.astype(np.int64)
