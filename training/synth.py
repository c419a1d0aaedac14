"""SynthSeg-style training images synthesised from the real label maps (Billot et al., Medical Image
Analysis 2023: a network trained on images painted from label maps with random intensities,
deformations and resolutions segments real scans of any contrast).

A sample starts from one real case on the canonical 2 mm grid (cases.canonical_case): its `fine`
map (each vertebra, lung lobe, heart chamber, muscle... of the TotalSegmentator labels) split into
TISSUES by the real HU (gas / fat / soft / dense, and the scan table outside the body), so that what
the labels call background (fat, muscle, air, table) and what an organ holds (bowel gas, lung vessels)
are tissues of their own. Then, per sample:

  geometry   random affine (rotation, per-axis scale = body size and slice spacing) + smooth random
             elastic displacement, one nearest-neighbour resampling of the tissue map (labels follow
             the tissues: they cannot disagree), linear resampling of the real HU for texture;
             arms beside the body (fat, muscle, humerus) when the slab has none; one structure grown
             or shrunk by a voxel (perturbation)
  painting   a contrast phase (non-contrast, arterial, CT angiography, portal-venous, delayed) draws a
             mean HU per fine structure and per tissue from realistic ranges (the phantom's table), so
             two vertebrae or the two kidneys differ; bone = cortex (the erosion shell, 1 voxel) over
             marrow; a random share of the real CT's texture (residual from its tissue mean) is kept
  scanner    slice thickness (blur + resample along z), in-plane PSF blur, streaks, low-frequency
             inhomogeneity, white or correlated noise, reconstruction circle, crops that start and stop
             anywhere (beyond them: padHU, background like the app's padding)

Unlabelled voxels of the partial cases (C, D) stay IGNORE whatever they are painted as.
Not done: swapping whole structures between cases (needs registration between patients); the
perturbation above is the only structure change.

`python3 training/synth.py --sheet 6` writes a PNG contact sheet to training/runs/viz/.
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import FINE_ID, FINE_LABEL, FINE_NAMES  # noqa: E402
from common import IGNORE, NAME_TO_ID, PAD_HU, normalize  # noqa: E402
from phantom import HU as PHANTOM_HU, smooth_noise  # noqa: E402

# ---------------------------------------------------------------- tissues = fine structure x HU bin
NBIN = 5
GAS, FAT, SOFT, DENSE, TABLE = range(NBIN)      # bins from the real HU; bone uses MARROW/CORTEX
MARROW, CORTEX = 0, 1
PHASES = ('none', 'arterial', 'cta', 'portal', 'delayed')
PHASE_P = (0.28, 0.2, 0.17, 0.3, 0.05)


def bin_of(hu, outside_body):
    """Real HU -> tissue bin (gas < -400 <= fat < -30 <= soft < 150 <= dense; table = outside the body)."""
    b = np.digitize(hu, [-400.0, -30.0, 150.0]).astype(np.uint8)
    b[outside_body & (hu > -500)] = TABLE
    return b


def kind_of(name):
    """How a fine structure is painted (a key of KIND_HU or a split kind)."""
    cid = NAME_TO_ID.get(name, 0)
    if name in ('background', 'unlabelled'):
        return 'split_bg'
    if name == 'outside_scan':
        return 'pad'
    if name == 'costal_cartilages':
        return 'cartilage'
    if cid == 1:
        return 'bone'
    if name in ('pulmonary_artery',):
        return 'blood_right'
    if name in ('superior_vena_cava', 'brachiocephalic_vein_left', 'brachiocephalic_vein_right'):
        return 'blood_right'
    if name in ('heart_atrium_right', 'heart_ventricle_right'):
        return 'blood_right'
    if name in ('heart_atrium_left', 'heart_ventricle_left', 'pulmonary_vein', 'atrial_appendage_left') or cid == 2:
        return 'blood_art'
    if name == 'heart':
        return 'heart'
    if name == 'heart_myocardium':
        return 'myocardium'
    if name == 'portal_vein_and_splenic_vein':
        return 'blood_portal'
    if cid == 3:
        return 'blood_ven'
    if cid == 7:
        return 'split_lung'
    if name == 'trachea':
        return 'split_airway'
    if cid == 9:
        return 'split_gut'
    if name.startswith('kidney_cyst'):
        return 'cyst'
    return {'liver': 'liver', 'spleen': 'spleen', 'kidney_left': 'kidney_cortex', 'kidney_right': 'kidney_cortex',
            'gallbladder': 'bile', 'urinary_bladder': 'bladder_urine', 'pancreas': 'pancreas',
            'adrenal_gland_left': 'adrenal', 'adrenal_gland_right': 'adrenal', 'thyroid_gland': 'thyroid',
            'prostate': 'prostate', 'spinal_cord': 'cord', 'brain': 'brain'}.get(
        name, 'muscle' if any(m in name for m in ('gluteus', 'autochthon', 'iliopsoas')) else 'soft_misc')


# HU (lo, hi) per kind and phase; most come from the phantom's table (phantom.HU), the rest here.
EXTRA_HU = {'cyst': (-5, 20), 'brain': (25, 45), 'bone_marrow': (90, 320), 'bone_cortex': (450, 1300),
            'lung_gas': (-930, -760), 'gas': (-1010, -960), 'gut_content': (-20, 60), 'oral_contrast': (150, 600),
            'dense_misc': (140, 700), 'heart_mix': (0.35, 1.0)}
SPLIT_KINDS = {'split_bg', 'split_lung', 'split_airway', 'split_gut'}
KINDS = [kind_of(n) for n in FINE_NAMES]
TEXTURE_KEEP = {'bone': 1.0, 'split_lung': 1.0, 'split_gut': 1.0, 'split_bg': 1.0, 'split_airway': 1.0}
RESIDUAL_CLIP = 120.0


def _range(key, phase):
    spec = EXTRA_HU.get(key) or PHANTOM_HU[key]
    return spec[phase] if isinstance(spec, dict) else spec


def sample_lut(rng, phase=None):
    """-> (mean HU per tissue id, texture-keep factor per tissue id, phase). Tissue id = fine * NBIN + bin."""
    phase = phase or PHASES[rng.choice(len(PHASES), p=PHASE_P)]
    n = len(FINE_NAMES) * NBIN
    mean = np.zeros(n, np.float32)
    keep = np.zeros(n, np.float32)
    u = lambda key: rng.uniform(*_range(key, phase))  # noqa: E731
    # shared per sample: body fat, muscle, air and oral contrast look the same across the body
    fat, muscle, air, gas = u('fat'), u('muscle'), u('air'), u('gas')
    oral = u('oral_contrast') if rng.random() < 0.15 else u('gut_content')
    for f, kind in enumerate(KINDS):
        sl = slice(f * NBIN, (f + 1) * NBIN)
        jitter = rng.uniform(0.9, 1.1)          # each structure its own shade within its range
        if kind == 'pad':
            mean[sl] = PAD_HU
            continue
        if kind == 'split_bg':
            mean[sl] = [air, fat + rng.uniform(-10, 10), muscle + rng.uniform(-10, 10), u('dense_misc'), 0.0]
        elif kind == 'split_lung':
            vessel = u('lung_vessel')
            mean[sl] = [u('lung_gas'), (u('lung_gas') + vessel) / 2, vessel, vessel + 80, 0.0]
        elif kind == 'split_airway':
            mean[sl] = [air, -300.0, u('soft_wall'), u('cartilage'), 0.0]
        elif kind == 'split_gut':
            wall = u('gut_wall')
            mean[sl] = [gas, u('stool'), oral if rng.random() < 0.7 else wall, oral + 100, 0.0]
        elif kind == 'bone':
            mean[sl] = u('bone_marrow') * jitter
            mean[f * NBIN + CORTEX] = u('bone_cortex')
        elif kind == 'heart':
            t = rng.uniform(*EXTRA_HU['heart_mix'])
            mean[sl] = (1 - t) * u('myocardium') + t * u('blood_art')
        else:
            v = u(kind)
            mean[sl] = v * jitter if v > 0 else v
        keep[sl] = TEXTURE_KEEP.get(kind, 0.5)
    if phase in ('arterial', 'cta'):   # coherence: arterial blood above portal/venous blood
        art = np.isin(np.repeat(KINDS, NBIN), ['blood_art'])
        mean[art] = np.maximum(mean[art], u('blood_portal') + 60)
    return mean, keep, phase


# ---------------------------------------------------------------- geometry
def rotation(rng, deg_z=15.0, deg_xy=6.0):
    az, ay, ax = np.deg2rad([rng.uniform(-deg_z, deg_z), rng.uniform(-deg_xy, deg_xy), rng.uniform(-deg_xy, deg_xy)])
    rz = np.array([[1, 0, 0], [0, math.cos(az), -math.sin(az)], [0, math.sin(az), math.cos(az)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rx = np.array([[math.cos(ax), -math.sin(ax), 0], [math.sin(ax), math.cos(ax), 0], [0, 0, 1]])
    return rz @ ry @ rx


def sample_coords(rng, centre_zyx, shape_zyx, elastic=True):
    """Source voxel coordinates [3, Z, Y, X] of an output slab: affine (rotation, body size = x/y scale,
    z scale) + smooth elastic displacement (coarse random field, linear upsampling)."""
    scale = np.array([rng.uniform(0.85, 1.15), rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2)])   # output / source
    m = rotation(rng) @ np.diag(1.0 / scale)
    half = (np.array(shape_zyx) - 1) / 2.0
    z, y, x = [np.arange(n, dtype=np.float32) - h for n, h in zip(shape_zyx, half)]
    coords = np.empty((3,) + tuple(shape_zyx), np.float32)
    for a in range(3):
        coords[a] = (m[a, 0] * z[:, None, None] + m[a, 1] * y[None, :, None] + m[a, 2] * x[None, None, :]
                     + centre_zyx[a])
    if elastic:
        amp = rng.uniform(0, 4.0)               # voxels (2 mm) of smooth displacement
        cell = rng.uniform(16, 40)
        for a in range(3):
            coords[a] += amp * (0.5 if a == 0 else 1.0) * smooth_noise(shape_zyx, cell, rng)
    return coords


def add_arms(tissue, rng):
    """Arms beside the body (fat, muscle, a humerus) into the air left and right of the trunk."""
    nz, ny, nx = tissue.shape
    fine, b = tissue // NBIN, tissue % NBIN
    body2d = ((fine != FINE_ID['background']) & (fine != FINE_ID['outside_scan']) | ((b != GAS) & (b != TABLE))).any(0)
    body2d &= ~(fine == FINE_ID['outside_scan']).all(0)
    if body2d.sum() < 500:
        return tissue
    ys, xs = np.nonzero(body2d)
    cy = np.median(ys)
    yy, xx = np.mgrid[0:ny, 0:nx].astype(np.float32)
    zz = np.arange(nz, dtype=np.float32)[:, None, None]
    out = tissue.copy()
    air = (fine == FINE_ID['background']) & (b == GAS)
    for side, edge in ((-1, xs.min()), (1, xs.max())):
        if rng.random() < 0.25:
            continue
        rx, ry = rng.uniform(9, 16), rng.uniform(10, 18)      # voxels (2 mm): 36-64 x 40-72 mm
        gap = rng.uniform(1, 15)
        cx = edge + side * (gap + rx)
        cyy = cy + rng.uniform(-0.25, 0.25) * (ys.max() - ys.min())
        tilt = rng.uniform(-0.4, 0.4)            # voxels per slice: arms are not parallel to z
        dx = (xx[None] - cx - tilt * zz) / rx
        dy = (yy[None] - cyy) / ry
        r = np.sqrt(dx * dx + dy * dy)
        skin = rng.uniform(0.1, 0.35)
        limb = (r <= 1) & air
        out[limb] = FINE_ID['background'] * NBIN + FAT
        out[limb & (r <= 1 - skin)] = FINE_ID['background'] * NBIN + SOFT
        br = rng.uniform(3.5, 6.5) / max(rx, ry)
        bx, by = rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25)
        bone = limb & (np.hypot(dx - bx, dy - by) <= br)
        out[bone] = FINE_ID['humerus_left' if side > 0 else 'humerus_right'] * NBIN + MARROW
    return out


def bone_cortex(tissue):
    """Bone voxels on the erosion shell (in-plane, 1 voxel) -> the CORTEX tissue of their structure."""
    fine = tissue // NBIN
    bone = BONE_FINE[fine]
    inner = np.stack([ndi.binary_erosion(s, iterations=1) for s in bone]) if bone.any() else bone
    out = np.where(bone, fine * NBIN + MARROW, tissue)
    shell = bone & ~inner
    out[shell] = fine[shell] * NBIN + CORTEX
    return out.astype(tissue.dtype)


def perturb(tissue, rng):
    """Grow or shrink one labelled non-bone structure by a voxel in-plane (shape variation beyond the
    smooth deformation): new voxels take the structure's tissue, freed ones become fat."""
    fine = tissue // NBIN
    cand = [f for f in np.unique(fine) if FINE_LABEL[f] not in (0, 1, IGNORE)]
    if not cand:
        return tissue
    f = cand[rng.integers(len(cand))]
    m = fine == f
    st = np.zeros((1, 3, 3), bool); st[0, 1, :] = st[0, :, 1] = True
    out = tissue.copy()
    if rng.random() < 0.5:
        grow = ndi.binary_dilation(m, st) & ~m & (FINE_LABEL[fine] == 0) & (fine != FINE_ID['outside_scan'])
        out[grow] = f * NBIN + SOFT
    else:
        shrink = m & ~ndi.binary_erosion(m, st)
        out[shrink] = FINE_ID['background'] * NBIN + FAT
    return out


# ---------------------------------------------------------------- scanner
def thick_slices(hu, rng, thickness_mm, spacing_mm=2.0):
    """A CT reconstructed with thicker slices, then resampled to the 2 mm grid: blur along z by the
    slice profile, sample every `thickness` mm from a random phase, linear interpolation back."""
    t = thickness_mm / spacing_mm
    hu = ndi.gaussian_filter1d(hu, t / 2.355, axis=0, mode='nearest')
    nz = hu.shape[0]
    pos = np.arange(rng.uniform(0, t), nz - 1 + 1e-6, t)        # acquired slice positions (voxels)
    if pos.size < 2:
        return hu
    z = np.arange(nz)
    j = np.clip(np.searchsorted(pos, z) - 1, 0, pos.size - 2)
    w = np.clip((z - pos[j]) / t, 0, 1).astype(np.float32)[:, None, None]

    def at(p):   # linear sample of the blurred volume at fractional slice p
        i0 = np.clip(np.floor(p).astype(int), 0, nz - 2)
        f = (p - i0).astype(np.float32)[:, None, None]
        return hu[i0] * (1 - f) + hu[i0 + 1] * f
    a, b = at(pos[j]), at(pos[j + 1])
    return a * (1 - w) + b * w


def streaks(hu, rng):
    nz, ny, nx = hu.shape
    yy, xx = np.mgrid[0:ny, 0:nx].astype(np.float32)
    cy, cx = rng.uniform(0.3, 0.7) * ny, rng.uniform(0.3, 0.7) * nx
    add = np.zeros((ny, nx), np.float32)
    for _ in range(int(rng.integers(2, 8))):
        ang = rng.uniform(0, np.pi)
        d = np.abs((yy - cy) * np.cos(ang) - (xx - cx) * np.sin(ang))
        add += rng.choice([-1, 1]) * rng.uniform(40, 250) * np.exp(-d / rng.uniform(0.6, 1.5))
    k0, k1 = sorted(rng.integers(0, nz, 2))
    hu[k0:k1 + 1] += add
    return hu


class SynthSource:
    """One real case prepared for synthesis: tissue map (fine * NBIN + HU bin) and real HU."""

    def __init__(self, case, seed=0):
        from common import body_mask
        from data import ClassIndex
        self.name = case['name']
        hu, fine = case['hu'].astype(np.float32), case['fine'].astype(np.int64)
        outside = ~body_mask(hu) & (FINE_LABEL[fine] == 0)
        b = bin_of(hu, outside).astype(np.int64)
        b[(fine != FINE_ID['background']) & (fine != FINE_ID['unlabelled']) & (b == TABLE)] = SOFT
        self.tissue = (fine * NBIN + b).astype(np.uint16)
        self.hu = hu
        self.label = FINE_LABEL[fine]
        self.ci = ClassIndex(self.label, seed=seed)
        self.inside = np.stack(np.nonzero(hu > PAD_HU + 1), 1)[::7]

    def centre(self, rng, shape_zyx):
        c = self.ci.centre(rng, np.array(shape_zyx) / 4) if rng.random() < 0.6 else None
        if c is None:
            c = self.inside[rng.integers(len(self.inside))] + rng.uniform(-4, 4, 3)
        return c


def synthesize(src: SynthSource, rng, shape_zyx, phase=None, centre=None, thickness_mm=None):
    """-> (HU float32 [Z,Y,X], label uint8 [Z,Y,X] with IGNORE, info dict)."""
    nz = shape_zyx[0]
    if thickness_mm is None:
        thickness_mm = 2.0 if rng.random() < 0.4 else rng.uniform(2.5, 6.0)
    zm = int(math.ceil(thickness_mm / 2.0)) + 1            # margin slices for the z resampling
    big = (nz + 2 * zm,) + tuple(shape_zyx[1:])
    c = src.centre(rng, shape_zyx) if centre is None else np.asarray(centre, float)
    coords = sample_coords(rng, c, big)
    tissue = ndi.map_coordinates(src.tissue, coords, order=0, mode='constant',
                                 cval=FINE_ID['outside_scan'] * NBIN, prefilter=False)
    real = ndi.map_coordinates(src.hu, coords, order=1, mode='constant', cval=PAD_HU, prefilter=False)
    if rng.random() < 0.5:
        tissue = add_arms(tissue, rng)
    if rng.random() < 0.3:
        tissue = perturb(tissue, rng)
    tissue = bone_cortex(tissue)
    mean, keep, phase = sample_lut(rng, phase)
    t = tissue.astype(np.int64)
    # texture: the real CT's deviation from its own tissue mean, kept in a random share
    cnt = np.bincount(t.ravel(), minlength=mean.size)
    real_mean = np.bincount(t.ravel(), real.ravel(), minlength=mean.size) / np.maximum(cnt, 1)
    resid = np.clip(real - real_mean[t], -RESIDUAL_CLIP, RESIDUAL_CLIP)
    near_edge = ndi.binary_dilation(real < PAD_HU + 50, iterations=1)     # interpolated with the padding
    resid[near_edge] = 0
    hu = mean[t] + resid * keep[t] * rng.uniform(0.0, 1.0)
    table = TABLE_TISSUE[t]
    hu[table] = real[table] + rng.uniform(-100, 100)
    pad = t // NBIN == FINE_ID['outside_scan']
    hu += np.where(pad, 0, smooth_noise(hu.shape, 12, rng) * rng.uniform(0, 12))     # inhomogeneity
    if thickness_mm > 2.0:
        hu = thick_slices(hu, rng, thickness_mm)
    s = rng.uniform(0.3, 1.0)
    hu = ndi.gaussian_filter(hu, (rng.uniform(0.2, 0.7), s, s))                       # PSF
    if rng.random() < 0.2:
        hu = streaks(hu, rng)
    sigma = rng.uniform(3, 35)
    noise = rng.standard_normal(hu.shape).astype(np.float32)
    if rng.random() < 0.5:
        noise = ndi.gaussian_filter(noise, (rng.uniform(0.3, 1.0), 0.5, 0.5)) * 2.0
    hu += sigma * noise
    label = FINE_LABEL[t // NBIN]
    hu, label = hu[zm:zm + nz], label[zm:zm + nz].copy()
    pad = pad[zm:zm + nz]
    hu[pad] = PAD_HU
    hu, label = crop_fov(hu, label, rng)
    info = dict(phase=phase, thickness=thickness_mm, case=src.name)
    return hu.astype(np.float32), label, info


def crop_fov(hu, label, rng):
    """Reconstruction circle, a cut side, and a scan range that starts/stops inside the slab:
    outside = padding value, background (the app pads beyond the scan the same way)."""
    nz, ny, nx = hu.shape
    if rng.random() < 0.25:
        yy, xx = np.mgrid[0:ny, 0:nx]
        cy, cx = ny / 2 + rng.uniform(-0.3, 0.3) * ny, nx / 2 + rng.uniform(-0.3, 0.3) * nx
        r = rng.uniform(0.35, 0.8) * max(ny, nx)
        out = (yy - cy) ** 2 + (xx - cx) ** 2 > r * r
        hu[:, out] = rng.choice([PAD_HU, -2048.0, -3024.0, -1000.0])
        label[:, out] = 0
    if rng.random() < 0.15:
        ax = int(rng.integers(1, 3))
        cut = int(rng.integers(hu.shape[ax] // 5, hu.shape[ax] * 4 // 5))
        idx = [slice(None)] * 3
        idx[ax] = slice(cut, None) if rng.random() < 0.5 else slice(0, cut)
        hu[tuple(idx)] = PAD_HU
        label[tuple(idx)] = 0
    if nz > 2 and rng.random() < 0.2:
        k0 = int(rng.integers(0, nz // 2))
        k1 = int(rng.integers(k0 + 1, nz + 1))
        hu[:k0] = PAD_HU; label[:k0] = 0
        hu[k1:] = PAD_HU; label[k1:] = 0
    return hu, label


BONE_FINE = np.array([KINDS[f] == 'bone' for f in range(len(FINE_NAMES))])
TABLE_TISSUE = np.zeros(len(FINE_NAMES) * NBIN, bool)
TABLE_TISSUE[[FINE_ID['background'] * NBIN + TABLE, FINE_ID['unlabelled'] * NBIN + TABLE]] = True


class SynthSampler:
    """Training slabs synthesised from the given real cases (never from a held-out one)."""

    def __init__(self, cases, patch_xyz, seed=0):
        self.sources = [SynthSource(c, seed) for c in cases]
        self.shape = tuple(patch_xyz[::-1])
        self.name = 'S'

    def sample(self, rng):
        src = self.sources[rng.integers(len(self.sources))]
        hu, lab, _ = synthesize(src, rng, self.shape)
        return normalize(hu)[None], lab.astype(np.int64)


if __name__ == '__main__':
    import argparse
    import time
    from cases import CASES, canonical_case
    ap = argparse.ArgumentParser()
    ap.add_argument('--sheet', type=int, default=0, help='PNG contact sheet of N samples per case')
    ap.add_argument('--bench', type=int, default=0, help='time N samples of 192x192x20')
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    srcs = [SynthSource(canonical_case(c)) for c in CASES]
    if a.bench:
        t = time.time()
        for i in range(a.bench):
            synthesize(srcs[i % len(srcs)], rng, (20, 192, 192))
        print(f'{(time.time() - t) / a.bench:.3f} s per 192x192x20 sample')
    if a.sheet:
        from PIL import Image
        from common import RUNS
        rows = []
        for s in srcs:
            row = []
            for i in range(a.sheet):
                hu, lab, info = synthesize(s, rng, (5, 192, 192))
                g = np.clip((hu[2] + 160) / 400 * 255, 0, 255).astype(np.uint8)
                rgb = np.stack([g] * 3, -1).astype(np.float32)
                col = np.array([[0, 0, 0], [255, 240, 200], [220, 30, 30], [40, 90, 220], [160, 70, 50], [140, 80, 160],
                                [220, 130, 40], [140, 190, 230], [200, 60, 90], [215, 180, 110], [110, 175, 115]], np.float32)
                l2 = lab[2]
                m = (l2 > 0) & (l2 < 11)
                over = rgb.copy()
                over[m] = 0.5 * rgb[m] + 0.5 * col[l2[m]]
                over[l2 == IGNORE] *= 0.6
                row.append(np.concatenate([rgb, over], 0))
            rows.append(np.concatenate(row, 1))
        os.makedirs(os.path.join(RUNS, 'viz'), exist_ok=True)
        p = os.path.join(RUNS, 'viz', 'synth.png')
        Image.fromarray(np.concatenate(rows, 0).astype(np.uint8)).save(p)
        print(p)
