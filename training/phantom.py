"""Procedural CT phantoms with labels by construction.

A phantom is built once as two uint8 volumes on the canonical 2 mm LPS grid:
  tissue  one of TISSUES (fat, muscle, cortical bone, arterial blood, lung, bowel gas, scan table, ...)
  label   our class ids (training/classes.json), 0 = background (muscle, fat, table, ...)
and rendered to HU per training patch (`render`): a contrast phase picks HU per tissue (none,
arterial, CT angiography, portal-venous, delayed), then texture, partial-volume blur, noise, streaks,
reconstruction field of view and cropping. The same anatomy thus appears in every phase.

Anatomy (mm, LPS: +x patient left, +y posterior, +z superior; z = 0 at the femoral heads): a torso
from the upper thighs to the neck, with randomized proportions, fat, spine curvature and scan range:
vertebrae with bodies, pedicles, laminae, spinous and transverse processes, discs, spinal canal and
cord; sacrum, hip bones (ilium, acetabulum, pubis, ischium), femora (head, neck, trochanters, shaft
with marrow), ribs with costal cartilages, sternum, clavicles, scapulae, humeri; aorta with arch
branches, celiac trunk, SMA, renal and iliac arteries; IVC, SVC, brachiocephalic, iliac, renal,
portal, splenic and hepatic veins, pulmonary arteries and veins; liver, gallbladder, spleen,
kidneys (cortex, medulla, sinus), adrenals, pancreas, stomach, duodenum, small bowel, colon with
stool and gas, bladder, prostate, lungs with vessels and airways, trachea, heart with chambers,
esophagus, thyroid; fat, muscles, skin; scan table, mattress, blankets, electrodes.

Labels follow the reference convention of TotalSegmentator as mapped by classes.json (e.g. renal
veins and hepatic arteries are background there, hepatic veins are liver, costal cartilage is bone;
the pulmonary trunk and its main branches are arteries, as v1's pulmonary_artery in cases A and D).

Run `python3 training/phantom.py --check` for the sanity tests, `--sheet N` for PNG contact sheets.
"""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, IGNORE, PAD_HU, normalize  # noqa: E402

VOX = 2.0
GENERATOR_VERSION = 5

# ---------------------------------------------------------------- tissues
TISSUE_NAMES = [
    'air', 'fat', 'muscle', 'skin', 'cortical', 'trabecular', 'marrow', 'cartilage', 'disc', 'csf',
    'cord', 'liver', 'spleen', 'kidney_cortex', 'kidney_medulla', 'urine_pelvis', 'lung', 'airway',
    'soft_wall', 'myocardium', 'blood_art', 'blood_ven', 'blood_right', 'blood_portal', 'blood_hepatic',
    'blood_renal_vein', 'gut_wall', 'gut_fluid', 'gut_gas', 'stool', 'bladder_urine', 'bile', 'pancreas',
    'adrenal', 'prostate', 'thyroid', 'table_shell', 'table_core', 'mattress', 'calcification', 'soft_misc',
    'visceral_fat', 'food', 'blanket', 'metal', 'lung_vessel', 'breast', 'uterus', 'lymph', 'pad_outside',
]
T = {n: i for i, n in enumerate(TISSUE_NAMES)}
PHASES = ('none', 'arterial', 'cta', 'portal', 'delayed')
PHASE_P = (0.25, 0.17, 0.10, 0.38, 0.10)

# HU ranges (lo, hi) per tissue; a dict gives per-phase ranges. Texture: std of fine texture (HU).
HU = {
    'air': (-1010, -990), 'fat': (-125, -80), 'visceral_fat': (-120, -70), 'muscle': (35, 60), 'skin': (0, 45),
    'cortical': (650, 1400), 'trabecular': (130, 350), 'marrow': (-70, 40), 'cartilage': (70, 170),
    'disc': (70, 110), 'csf': (0, 15), 'cord': (25, 45),
    'liver': {'none': (45, 70), 'arterial': (60, 90), 'cta': (55, 85), 'portal': (95, 130), 'delayed': (80, 105)},
    'spleen': {'none': (38, 55), 'arterial': (80, 150), 'cta': (70, 130), 'portal': (100, 130), 'delayed': (80, 105)},
    'kidney_cortex': {'none': (25, 40), 'arterial': (150, 260), 'cta': (140, 240), 'portal': (150, 210), 'delayed': (110, 160)},
    'kidney_medulla': {'none': (20, 38), 'arterial': (50, 100), 'cta': (50, 100), 'portal': (130, 200), 'delayed': (140, 220)},
    'urine_pelvis': {'none': (0, 15), 'arterial': (0, 20), 'cta': (0, 20), 'portal': (5, 40), 'delayed': (250, 900)},
    'lung': (-900, -780), 'airway': (-1010, -980), 'soft_wall': (20, 55),
    'myocardium': {'none': (35, 50), 'arterial': (90, 140), 'cta': (90, 150), 'portal': (90, 120), 'delayed': (70, 100)},
    'blood_art': {'none': (30, 55), 'arterial': (230, 420), 'cta': (350, 650), 'portal': (140, 210), 'delayed': (90, 130)},
    'blood_ven': {'none': (30, 55), 'arterial': (40, 100), 'cta': (40, 120), 'portal': (120, 180), 'delayed': (90, 130)},
    'blood_right': {'none': (30, 55), 'arterial': (150, 450), 'cta': (200, 900), 'portal': (130, 180), 'delayed': (90, 130)},
    'blood_portal': {'none': (30, 55), 'arterial': (60, 140), 'cta': (60, 150), 'portal': (150, 230), 'delayed': (100, 140)},
    'blood_hepatic': {'none': (28, 50), 'arterial': (35, 70), 'cta': (35, 80), 'portal': (120, 190), 'delayed': (90, 130)},
    'blood_renal_vein': {'none': (30, 55), 'arterial': (100, 220), 'cta': (100, 220), 'portal': (130, 190), 'delayed': (90, 130)},
    'lung_vessel': {'none': (20, 50), 'arterial': (120, 350), 'cta': (200, 500), 'portal': (120, 180), 'delayed': (90, 130)},
    'gut_wall': {'none': (30, 45), 'arterial': (60, 110), 'cta': (50, 90), 'portal': (70, 120), 'delayed': (60, 90)},
    'gut_fluid': (0, 30), 'gut_gas': (-1010, -950), 'stool': (-250, 20), 'food': (-40, 70),
    'bladder_urine': {'none': (0, 15), 'arterial': (0, 15), 'cta': (0, 15), 'portal': (0, 25), 'delayed': (100, 700)},
    'bile': (-5, 25),
    'pancreas': {'none': (30, 45), 'arterial': (90, 140), 'cta': (70, 120), 'portal': (80, 115), 'delayed': (60, 90)},
    'adrenal': (25, 60), 'prostate': (30, 55),
    'thyroid': {'none': (80, 120), 'arterial': (150, 230), 'cta': (150, 230), 'portal': (130, 200), 'delayed': (110, 160)},
    'table_shell': (80, 900), 'table_core': (-1000, -820), 'mattress': (-950, -650), 'calcification': (350, 1100),
    'soft_misc': (25, 60), 'blanket': (-800, -300), 'metal': (1800, 3000), 'breast': (-60, 30),
    'uterus': {'none': (35, 55), 'arterial': (70, 120), 'cta': (60, 100), 'portal': (80, 130), 'delayed': (70, 110)},
    'lymph': (25, 60), 'pad_outside': (PAD_HU, PAD_HU),
}
TEXTURE = {'fat': 12, 'visceral_fat': 15, 'muscle': 10, 'trabecular': 60, 'marrow': 30, 'lung': 35, 'stool': 180,
           'food': 40, 'spleen': 8, 'liver': 6, 'kidney_cortex': 10, 'cortical': 150, 'cartilage': 30,
           'table_shell': 60, 'table_core': 30, 'mattress': 40, 'blanket': 80, 'calcification': 150, 'breast': 40,
           'gut_fluid': 8}

BONE, ART, VEIN, LIVER, SPLEEN, KIDNEY, LUNG, HEART, DIGEST, OTHER = range(1, 11)


# ---------------------------------------------------------------- canvas
class Canvas:
    """tissue/label volumes [Z,Y,X] at 2 mm; voxel (k,j,i) centre at lo + VOX*(i,j,k) (x,y,z mm)."""

    def __init__(self, lo_xyz, hi_xyz):
        self.lo = np.array(lo_xyz, float)
        n = np.floor((np.array(hi_xyz, float) - self.lo) / VOX).astype(int) + 1
        self.n_xyz = n
        self.shape = (int(n[2]), int(n[1]), int(n[0]))
        self.tissue = np.zeros(self.shape, np.uint8)
        self.label = np.zeros(self.shape, np.uint8)
        self.x = self.lo[0] + VOX * np.arange(n[0])
        self.y = self.lo[1] + VOX * np.arange(n[1])
        self.z = self.lo[2] + VOX * np.arange(n[2])

    def box(self, lo_xyz, hi_xyz):
        a = np.floor((np.asarray(lo_xyz) - self.lo) / VOX).astype(int)
        b = np.ceil((np.asarray(hi_xyz) - self.lo) / VOX).astype(int) + 1
        a = np.maximum(a, 0)
        b = np.minimum(b, self.n_xyz)
        if np.any(b <= a):
            return None
        return (slice(a[2], b[2]), slice(a[1], b[1]), slice(a[0], b[0]))

    def coords(self, sl):
        return (self.z[sl[0]][:, None, None], self.y[sl[1]][None, :, None], self.x[sl[2]][None, None, :])

    def put(self, sl, mask, tissue, label=0, under=None, keep_label=False):
        """Paint `tissue` (and `label`) where mask; `under` restricts to voxels whose tissue is in it."""
        t = self.tissue[sl]
        if under is not None:
            allowed = np.zeros(256, bool)
            allowed[[T[u] if isinstance(u, str) else u for u in under]] = True
            mask = mask & allowed[t]
        t[mask] = T[tissue] if isinstance(tissue, str) else tissue
        if not keep_label:
            self.label[sl][mask] = label
        return mask


def _lin_up(a, axis, n, cell):
    """Linear upsampling of `a` along `axis` to n samples, coarse sample spacing `cell` voxels."""
    pos = (np.arange(n) + cell) / cell
    i0 = np.minimum(np.floor(pos).astype(int), a.shape[axis] - 2)
    w = (pos - i0).astype(np.float32)
    shp = [1] * a.ndim
    shp[axis] = n
    w = w.reshape(shp)
    return np.take(a, i0, axis=axis) * (1 - w) + np.take(a, i0 + 1, axis=axis) * w


def smooth_noise(shape, cell, rng):
    """Smooth random field ~N(0,1)-ish with features of `cell` voxels (separable linear upsampling)."""
    cell = max(1.0, float(cell))
    small = tuple(int(math.ceil(s / cell)) + 3 for s in shape)
    f = rng.standard_normal(small).astype(np.float32)
    # upsample the cheapest axes first (the last axis is fastest in memory; order by growth)
    for ax in sorted(range(len(shape)), key=lambda a: shape[a] / small[a]):
        if shape[ax] == 1:
            f = np.take(f, [1], axis=ax)
        else:
            f = _lin_up(f, ax, shape[ax], cell)
    return f


def curve(ctrl, step=1.5, wiggle=0.0, rng=None):
    """Smooth curve through control points (N,3) (Catmull-Rom), resampled every ~step mm."""
    P = np.asarray(ctrl, float)
    if len(P) == 1:
        return P
    P = np.vstack([2 * P[0] - P[1], P, 2 * P[-1] - P[-2]])
    out = []
    for i in range(1, len(P) - 2):
        p0, p1, p2, p3 = P[i - 1], P[i], P[i + 1], P[i + 2]
        seg = np.linalg.norm(p2 - p1)
        n = max(2, int(math.ceil(seg / step)))
        t = np.linspace(0, 1, n, endpoint=False)[:, None]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(P[-2][None])
    pts = np.vstack(out)
    if wiggle > 0 and rng is not None and len(pts) > 4:
        w = np.stack([ndi.gaussian_filter1d(rng.standard_normal(len(pts)), max(2, len(pts) / 6)) for _ in range(3)], 1)
        w /= (np.abs(w).max() + 1e-6)
        pts = pts + wiggle * w
    return pts


def tube_sdf(cv, pts, radii):
    """Signed distance (mm, approx.) to a tube of varying radius around polyline points, in a bbox."""
    pts = np.asarray(pts, float)
    radii = np.broadcast_to(np.asarray(radii, float), (len(pts),))
    if len(pts) > 2:   # keep a point every ~0.4 r (scalloping < 0.02 r) instead of every 1.5 mm
        keep = [0]
        acc = 0.0
        seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        for k in range(1, len(pts)):
            acc += seg[k - 1]
            if acc >= max(1.2, 0.4 * min(radii[k], radii[keep[-1]])) or k == len(pts) - 1:
                keep.append(k)
                acc = 0.0
        pts, radii = pts[keep], radii[keep]
    rmax = radii.max()
    sl = cv.box(pts.min(0) - rmax - VOX, pts.max(0) + rmax + VOX)
    if sl is None:
        return None, None
    Z, Y, X = cv.coords(sl)
    d = np.full((Z.shape[0], Y.shape[1], X.shape[2]), np.float32(1e6))
    z0, y0, x0 = sl[0].start, sl[1].start, sl[2].start
    for (px, py, pz), r in zip(pts, radii):
        a = np.floor((np.array([px, py, pz]) - r - VOX - cv.lo) / VOX).astype(int)
        b = np.ceil((np.array([px, py, pz]) + r + VOX - cv.lo) / VOX).astype(int) + 1
        a = np.maximum(a, [x0, y0, z0])
        b = np.minimum(b, [sl[2].stop, sl[1].stop, sl[0].stop])
        if np.any(b <= a):
            continue
        zs, ys, xs = slice(a[2] - z0, b[2] - z0), slice(a[1] - y0, b[1] - y0), slice(a[0] - x0, b[0] - x0)
        dist = np.sqrt((Z[zs] - pz) ** 2 + (Y[:, ys] - py) ** 2 + (X[:, :, xs] - px) ** 2) - r
        sub = d[zs, ys, xs]
        np.minimum(sub, dist.astype(np.float32), out=sub)
    return sl, d


def paint_tube(cv, pts, radii, tissue, label, under=None, wall=None, wall_tissue=None, wall_label=None, lumen_fn=None):
    sl, d = tube_sdf(cv, pts, radii)
    if sl is None:
        return None, None
    if wall is not None:
        cv.put(sl, d <= 0, wall_tissue, label if wall_label is None else wall_label, under)
        inner = d <= -wall
        if lumen_fn is not None:
            lumen_fn(sl, inner)
        else:
            cv.put(sl, inner, tissue, label, under=None if under is None else list(under) + [wall_tissue])
    else:
        cv.put(sl, d <= 0, tissue, label, under)
    return sl, d


def rot(ax, ay, az):
    """Rotation matrix (x, y, z mm) from angles in radians about x, y, z."""
    cx, sx, cy, sy, cz, sz = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay), math.cos(az), math.sin(az)
    Rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    Ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    Rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return Rz @ Ry @ Rx


def ellipsoid_field(cv, c, r, R=None, noise=0.0, cell=8, rng=None, margin=1.3):
    """Implicit field f = |R^T (p - c) / r|^2 - 1 (+ noise) in the ellipsoid's bbox; inside where f <= 0."""
    c = np.asarray(c, float)
    r = np.asarray(r, float)
    ext = r.max() * margin + VOX
    sl = cv.box(c - ext, c + ext)
    if sl is None:
        return None, None
    Z, Y, X = cv.coords(sl)
    dx, dy, dz = X - c[0], Y - c[1], Z - c[2]
    if R is None:
        f = (dx / r[0]) ** 2 + (dy / r[1]) ** 2 + (dz / r[2]) ** 2 - 1
    else:
        u = R[0, 0] * dx + R[1, 0] * dy + R[2, 0] * dz
        v = R[0, 1] * dx + R[1, 1] * dy + R[2, 1] * dz
        w = R[0, 2] * dx + R[1, 2] * dy + R[2, 2] * dz
        f = (u / r[0]) ** 2 + (v / r[1]) ** 2 + (w / r[2]) ** 2 - 1
    f = np.broadcast_to(f, (Z.shape[0], Y.shape[1], X.shape[2])).astype(np.float32)
    if noise > 0 and rng is not None:
        f = f + noise * smooth_noise(f.shape, cell, rng)
    return sl, f


def paint_ellipsoid(cv, c, r, tissue, label, R=None, noise=0.0, rng=None, under=None, cell=8):
    sl, f = ellipsoid_field(cv, c, r, R, noise, cell, rng)
    if sl is None:
        return None, None
    cv.put(sl, f <= 0, tissue, label, under)
    return sl, f


def paint_bone_tube(cv, pts, radii, cortex=2.0, label=BONE, inner='trabecular', under=None):
    sl, d = tube_sdf(cv, pts, radii)
    if sl is None:
        return
    cv.put(sl, d <= 0, 'cortical', label, under)
    cv.put(sl, d <= -cortex, inner, label, under=None if under is None else list(under) + ['cortical'])


def U(rng, a, b):
    return float(rng.uniform(a, b))


# ---------------------------------------------------------------- body plan
class Plan:
    """Random proportions and landmark levels of one body."""

    def __init__(self, rng):
        self.rng = rng
        self.sz = U(rng, 0.88, 1.12)            # height scale
        self.sw = U(rng, 0.82, 1.22)            # width scale
        self.sap = U(rng, 0.80, 1.30)           # AP scale (visceral obesity)
        self.fat = 4 + 50 * rng.random() ** 1.6  # subcutaneous fat, mm
        self.female = rng.random() < 0.45
        self.arms_down = rng.random() < 0.3
        self.elderly = rng.random() < 0.4
        # vertebral levels from S1 up: (name, body height, disc height above, body radii x,y)
        levels = []
        z = 105 * self.sz
        self.z_S1 = z
        specs = [('L5', 27, 11, 25, 18), ('L4', 27, 11, 25, 18), ('L3', 27, 10, 24, 17), ('L2', 26, 10, 23, 17),
                 ('L1', 25, 9, 22, 16)]
        specs += [(f'T{n}', 18 + 0.6 * n, 5, 12 + 0.85 * n, 11 + 0.45 * n) for n in range(12, 0, -1)]
        specs += [(f'C{n}', 13, 4, 10, 8) for n in range(7, 2, -1)]
        for name, h, disc, rx, ry in specs:
            h *= self.sz
            disc *= self.sz
            levels.append(dict(name=name, z0=z, z1=z + h, zm=z + h / 2, rx=rx * (0.9 + 0.2 * self.sw - 0.1),
                               ry=ry, disc=disc))
            z += h + disc
        self.levels = levels
        self.L = {lv['name']: lv for lv in levels}
        self.z_top = z
        self.kyph = U(rng, 15, 35) * (1.3 if self.elderly else 1)
        self.lord = U(rng, 8, 22)
        self.z_fh = 0.0
        self.z_dome_r = self.L['T10']['z1'] + U(rng, -15, 25)
        self.z_dome_l = self.z_dome_r - U(rng, 5, 25)
        self.z_shoulder = self.L['T2']['zm']
        self.z_neck = self.L['C7']['z0']

    def ys(self, z):
        """Vertebral body centre y (posterior +) of the spine curve at z."""
        z = np.asarray(z, float)
        L3, T7, S1 = self.L['L3']['zm'], self.L['T7']['zm'], self.z_S1
        y = -self.lord * np.exp(-((z - L3) / (90 * self.sz)) ** 2) + self.kyph * np.exp(-((z - T7) / (120 * self.sz)) ** 2)
        y = y - 12 * np.exp(-((z - self.L['C5']['zm']) / 40) ** 2)
        # sacrum/coccyx curve backwards below S1
        below = np.clip(S1 - z, 0, None)
        y = y + 0.0025 * below ** 2 + 0.12 * below
        return y

    def level_at(self, z):
        for lv in self.levels:
            if z <= lv['z1'] + lv['disc']:
                return lv
        return self.levels[-1]

    # cavity (inside muscle wall) and wall thickness profiles along z
    def profile(self, z):
        z = np.asarray(z, float)
        P = self.L
        zs = [-200, self.z_fh, self.z_fh + 45, self.z_S1, P['L4']['zm'], P['L2']['zm'], P['T12']['zm'], P['T9']['zm'],
              P['T6']['zm'], P['T3']['zm'], P['T1']['zm'], P['C7']['zm'], 2000]
        ac = np.array([50, 55, 72, 108, 125, 125, 130, 136, 132, 112, 88, 40, 40]) * self.sw
        dant = np.array([80, 85, 100, 125, 150, 155, 150, 140, 135, 110, 80, 40, 40])
        dant = dant * np.where(np.array(zs) < P['T12']['zm'], self.sap, 0.6 + 0.4 * self.sap)
        dpost = np.array([5, 5, 8, 15, 38, 45, 45, 45, 42, 40, 35, 0, 0])
        return np.interp(z, zs, ac), np.interp(z, zs, dant), np.interp(z, zs, dpost)


def wall_thickness(plan, z, theta, rng_fields):
    """Muscle and fat thickness (mm) around the cavity at height z and angle theta (atan2(y, x)
    about the cavity centre; +pi/2 = posterior)."""
    P = plan.L
    post = np.exp(-((theta - np.pi / 2) / 0.6) ** 2)
    lat = np.exp(-((np.abs(np.cos(theta)) - 1) / 0.25) ** 2)
    ant = np.exp(-((theta + np.pi / 2) / 0.7) ** 2)
    # paraspinal band everywhere (spinous processes + erector spinae)
    t_m = 10 + 58 * post
    # pelvis: gluteal and hip muscles laterally / posteriorly
    pel = np.clip((P['L5']['zm'] - z) / 110, 0, 1)
    t_m = t_m + pel * (95 * lat + 40 * post)
    # chest: pectorals anteriorly, shoulder girdle laterally/posteriorly
    ch = np.exp(-((z - P['T4']['zm']) / 70) ** 2)
    t_m = t_m + ch * (18 * ant + 22 * lat + 15 * post)
    t_m = t_m * (0.85 + 0.3 * rng_fields[0])
    f = plan.fat * (1 + 0.6 * ant * (z < P['T10']['zm']) + 0.3 * lat - 0.35 * post) * (0.75 + 0.5 * rng_fields[1])
    return t_m, np.maximum(f, 2)


def build_phantom(seed, z_range=None):
    """Builds one phantom. Returns dict(tissue, label, origin (x,y,z of voxel 0), meta)."""
    rng = np.random.default_rng(seed)
    t0 = time.time()
    p = Plan(rng)
    P = p.L
    # ---- scan range: whole torso, chest, abdomen, pelvis, mixes, or a thin slab (like real crops)
    regions = {
        'cap': (p.z_fh - 80, P['C7']['z1'] + 10), 'chest': (P['T12']['z0'] - 10, P['C7']['z1'] + 10),
        'abdomen': (P['L5']['z0'], P['T9']['z1']), 'pelvis': (p.z_fh - 90, P['L3']['zm']),
        'abdomen_pelvis': (p.z_fh - 80, P['T9']['z1']), 'chest_abdomen': (P['L4']['zm'], P['C7']['z1']),
        'upper_abdomen': (P['L3']['z0'], P['T8']['z1']),
    }
    if z_range is None:
        name = rng.choice(list(regions), p=[0.12, 0.2, 0.17, 0.1, 0.12, 0.12, 0.17])
        z_lo, z_hi = regions[name]
        span = z_hi - z_lo
        z_lo += U(rng, -0.1, 0.15) * span
        z_hi -= U(rng, -0.1, 0.15) * span
        if rng.random() < 0.25:  # short slab
            ext = U(rng, 40, 140)
            c = U(rng, z_lo + ext / 2, max(z_lo + ext / 2 + 1, z_hi - ext / 2))
            z_lo, z_hi = c - ext / 2, c + ext / 2
    else:
        name, (z_lo, z_hi) = 'given', z_range
    zz = np.arange(z_lo, z_hi + 1e-6, VOX)
    ac_all, dant_all, dpost_all = p.profile(zz)
    half_w = ac_all.max() + 130 + p.fat * 1.6 + (120 if p.arms_down else 0)
    half_w = min(half_w, 330)
    y_front = float((p.ys(zz) - dant_all).min()) - 40 - p.fat * 1.6
    table_gap = U(rng, 0, 45)
    y_back = float((p.ys(zz) + dpost_all).max()) + 75 + p.fat * 0.8
    cv = Canvas((-half_w, y_front, z_lo), (half_w, y_back + table_gap + 110, z_hi))
    Zc, Yc, Xc = cv.coords((slice(None),) * 3)

    # ---- body outline: cavity superellipse + muscle + fat + skin, flattened on the table
    nth = 720
    th_lut = np.linspace(-np.pi, np.pi, nth + 1)[:-1] + np.pi / nth
    ph1, ph2 = U(rng, 0, 6), U(rng, 0, 6)
    nz1 = smooth_noise((cv.shape[0], 1, 1), 40, rng)[:, 0, 0]
    nz2 = smooth_noise((cv.shape[0], 1, 1), 30, rng)[:, 0, 0]
    f1 = 0.5 + 0.5 * np.tanh(nz1[:, None] + 0.6 * np.sin(2 * th_lut + ph1)[None])     # [nz, nth]
    f2 = 0.5 + 0.5 * np.tanh(nz2[:, None] + 0.6 * np.cos(3 * th_lut + ph2)[None])
    tm_lut, tf_lut = wall_thickness(p, cv.z[:, None], th_lut[None], (f1, f2))       # [nz, nth] each
    prof_ac, prof_dant, prof_dpost = p.profile(cv.z)
    ysp_z = p.ys(cv.z)
    y_pb_z, y_ab_z = ysp_z + prof_dpost, ysp_z - prof_dant
    cy_z, b_z = (y_pb_z + y_ab_z) / 2, (y_pb_z - y_ab_z) / 2
    k_post = int(np.argmin(np.abs(th_lut - np.pi / 2)))
    # supine on the table: the back touches it along the whole scan (soft tissue fills the lordosis)
    y_back_z = y_pb_z + tm_lut[:, k_post] + tf_lut[:, k_post]
    y_table = float(np.max(y_back_z)) - U(rng, 4, 18)
    extra = np.clip(y_table + 6 - y_back_z, 0, None) * U(rng, 0.9, 1.0)
    tf_lut = tf_lut + extra[:, None] * np.clip(np.sin(th_lut), 0, None)[None] ** 0.7
    flat2 = (cv.y <= y_table)[:, None]
    cavity = np.zeros(cv.shape, bool)
    X2 = cv.x[None, :].astype(np.float32)
    for k in range(cv.shape[0]):
        dy = (cv.y[:, None] - cy_z[k]).astype(np.float32)
        ax_, bx_ = np.float32(prof_ac[k]), np.float32(b_z[k])
        qx, qy = (X2 / ax_) ** 2, (dy / bx_) ** 2
        rho = np.where(dy > 0, np.sqrt(np.sqrt(qx * qx + qy * qy)), np.sqrt(qx + qy))
        r = np.sqrt(X2 * X2 + dy * dy)
        excess = r * (1 - 1 / np.maximum(rho, 1e-6))
        ti = ((np.arctan2(dy, X2) + np.pi) / (2 * np.pi) * nth).astype(np.int32) % nth
        tm, tf = tm_lut[k][ti], tf_lut[k][ti]
        sl_t = cv.tissue[k]
        sl_t[(excess <= tm + tf + 2.5) & flat2] = T['skin']
        sl_t[(excess <= tm + tf) & flat2] = T['fat']
        sl_t[(excess <= tm) & flat2] = T['muscle']
        cav = (excess <= 0) & flat2
        sl_t[cav] = T['visceral_fat']
        cavity[k] = cav
    flat = (Yc <= y_table)

    # thighs below the perineum: two legs instead of one outline
    z_split = p.z_fh - U(rng, 45, 70)
    if cv.z[0] < z_split:
        kz = cv.z < z_split
        sub_t = cv.tissue[kz]
        sub_t[:] = T['air']
        Zs, Ys, Xs = Zc[kz], Yc, Xc
        for s in (-1, 1):
            cxl, cyl = s * (92 + 10 * p.sw), float(p.ys(p.z_fh)) - 20
            rr = np.sqrt(((Xs - cxl) / (78 * p.sw)) ** 2 + ((Ys - cyl) / (80 * p.sap ** 0.5)) ** 2)
            rr = np.broadcast_to(rr, sub_t.shape)
            sub_t[rr * 78 <= 78 + p.fat * 0.7 + 2.5] = T['skin']
            sub_t[rr * 78 <= 78 + p.fat * 0.7] = T['fat']
            sub_t[rr <= 1] = T['muscle']
        cv.tissue[kz] = sub_t
        below = np.broadcast_to(kz[:, None, None] & ~(Yc <= y_table), cv.shape)
        cv.tissue[below] = T['air']
    body = cv.tissue != T['air']

    # ---- diaphragm surface z_d(x, y): two domes, lower posteriorly and laterally
    def z_diaphragm(X, Y, Z=None):
        yc0 = float(np.interp(p.z_dome_r, zz, (p.ys(zz) - dant_all + p.ys(zz) + dpost_all) / 2)) if len(zz) else 0
        acd = float(p.profile(p.z_dome_r)[0])
        zr = p.z_dome_r - 75 * ((X + 0.42 * acd) / acd) ** 2 - 40 * np.clip((Y - yc0) / 100, -1, 1.3) ** 2 \
            - 35 * np.clip((Y - yc0) / 100, 0, 1.5)
        zl = p.z_dome_l - 75 * ((X - 0.42 * acd) / acd) ** 2 - 40 * np.clip((Y - yc0) / 100, -1, 1.3) ** 2 \
            - 35 * np.clip((Y - yc0) / 100, 0, 1.5)
        return np.maximum(zr, zl) - 12 * np.exp(-((X - 25) / 45) ** 2) * (Y < yc0)

    ZD = z_diaphragm(Xc, Yc)
    thorax = cavity & flat & (Zc > ZD)
    abdomen = cavity & flat & (Zc <= ZD - 4)
    meta = dict(seed=seed, region=name, female=p.female, arms_down=p.arms_down, fat=p.fat)

    # everything in the chest cavity is lung for now; mediastinum carved below
    cv.tissue[thorax] = T['lung']
    cv.label[thorax] = LUNG
    # diaphragm muscle sheet
    dia = cavity & flat & (Zc <= ZD) & (Zc > ZD - 4)
    cv.tissue[dia] = T['muscle']

    build_spine_and_trunk_bones(cv, p, rng)
    build_mediastinum(cv, p, rng, thorax)
    build_abdomen(cv, p, rng, abdomen, ZD)
    build_pelvis_organs(cv, p, rng)
    build_vessels(cv, p, rng)
    build_muscles(cv, p, rng)
    build_lung_details(cv, p, rng)
    if p.arms_down:
        build_arms(cv, p, rng, y_table)
    if p.female:
        build_breasts(cv, p, rng)
    build_table(cv, p, rng, y_table, table_gap, half_w)
    # label sanity: labels only on non-air voxels
    cv.label[cv.tissue == T['air']] = 0
    meta['seconds'] = round(time.time() - t0, 2)
    return dict(tissue=cv.tissue, label=cv.label, origin=(cv.x[0], cv.y[0], cv.z[0]), meta=meta)


# ---------------------------------------------------------------- skeleton
def build_spine_and_trunk_bones(cv, p, rng):
    P = p.L
    zlo, zhi = cv.z[0] - 40, cv.z[-1] + 40
    osteo = 0.8 if p.elderly and rng.random() < 0.5 else 1.0  # osteoporotic: fainter trabecular bone
    # spinal canal (CSF) and cord as continuous tubes
    zs = np.arange(max(zlo, p.z_S1 - 20), min(zhi, p.z_top), 3.0)
    if len(zs) > 1:
        lv_ry = np.array([p.level_at(z)['ry'] for z in zs])
        canal = np.stack([np.zeros_like(zs), p.ys(zs) + lv_ry + 9, zs], 1)
        rc = np.array([9.5 if z < P['T12']['z0'] else 8.0 for z in zs])
        paint_tube(cv, canal, rc, 'csf', 0)
        cord_top = zs <= P['C3']['z1']
        cord = canal[(zs > P['L1']['z0']) & cord_top]
        if len(cord) > 1:
            paint_tube(cv, cord, 6.5, 'cord', OTHER)
    for lv in p.levels:
        if lv['z1'] < zlo or lv['z0'] > zhi:
            continue
        zm = lv['zm']
        yc = float(p.ys(zm))
        rx, ry, h = lv['rx'], lv['ry'], lv['z1'] - lv['z0']
        thor = lv['name'][0] == 'T'
        cerv = lv['name'][0] == 'C'
        sl = cv.box((-rx - 4, yc - ry - 4, lv['z0'] - 2), (rx + 4, yc + ry + 4, lv['z1'] + lv['disc'] + 2))
        if sl is not None:
            Z, Y, X = cv.coords(sl)
            waist = 1 - 0.07 * (1 - ((Z - zm) / (h / 2)) ** 2)
            e = np.sqrt((X / (rx * waist)) ** 2 + ((Y - yc) / ry) ** 2)
            e = np.where(Y - yc > 0.7 * ry, np.maximum(e, (Y - yc) / (0.78 * ry)), e)
            inz = (Z >= lv['z0']) & (Z <= lv['z1'])
            shell = (e <= 1) & inz
            cv.put(sl, shell, 'cortical', BONE)
            inner = (e <= 1 - 2.2 / max(rx, ry)) & (Z >= lv['z0'] + 1.5) & (Z <= lv['z1'] - 1.5)
            cv.put(sl, inner, 'trabecular', BONE)
            disc = (e <= 0.97) & (Z > lv['z1']) & (Z < lv['z1'] + lv['disc'])
            cv.put(sl, disc, 'disc', 0)
            if p.elderly and rng.random() < 0.3:  # osteophyte rim
                rim = (e > 0.95) & (e <= 1.12) & (np.abs(Z - lv['z1']) < 2.5)
                cv.put(sl, rim, 'cortical', BONE)
        # posterior elements
        pr = 3.2 if cerv else (4.0 if thor else 5.0)
        yp0 = yc + ry * 0.75
        ped_x = rx * 0.62
        yl = yc + ry + (13 if not cerv else 10)
        for s in (-1, 1):
            paint_bone_tube(cv, [[s * ped_x, yp0, zm], [s * ped_x, yl - 3, zm]], pr, 1.8)
            paint_bone_tube(cv, curve([[s * ped_x, yl - 3, zm], [s * ped_x * 0.5, yl + 5, zm - 1], [0, yl + 8, zm - 2]], 1.5), pr, 1.8)
            # transverse process
            if thor:
                tp_end = [s * (ped_x + 22), yl + 8, zm + 1]
            elif cerv:
                tp_end = [s * (ped_x + 12), yc + 2, zm]
            else:
                tp_end = [s * (ped_x + 30 * p.sw), yl - 2, zm]
            paint_bone_tube(cv, [[s * ped_x, yl - 3, zm], tp_end], pr * 0.85, 1.6)
            # articular processes
            for dz in (-h * 0.45, h * 0.45):
                paint_bone_tube(cv, [[s * ped_x * 0.9, yl + 1, zm + dz]], pr * 1.1, 1.8)
        # spinous process
        L, drop = (32, 6) if lv['name'][0] == 'L' else ((36, 28) if thor else (22, 6))
        paint_bone_tube(cv, curve([[0, yl + 8, zm - 2], [0, yl + 8 + L * 0.6, zm - 2 - drop * 0.5], [0, yl + 8 + L, zm - 2 - drop]], 1.5),
                        [pr * 1.1, pr * 1.1, pr * 1.3][0], 1.8)
    # trabecular HU of osteoporotic spines handled by texture; keep osteo for meta
    build_sacrum_pelvis_femora(cv, p, rng)
    build_ribs_sternum(cv, p, rng)
    build_shoulder_girdle(cv, p, rng)


def build_sacrum_pelvis_femora(cv, p, rng):
    P = p.L
    if cv.z[0] > P['L3']['zm']:
        return
    zS = p.z_S1
    y_s1 = float(p.ys(zS))
    # sacrum: slabs per z, from S1 top down to the coccyx
    z_tip = p.z_fh - U(rng, 0, 20)
    for z in np.arange(max(cv.z[0] - 2, z_tip), min(cv.z[-1] + 2, zS + 1e-6), VOX):
        f = (zS - z) / (zS - z_tip)
        w = 52 * p.sw * (1 - 0.85 * f ** 1.2)
        t = 16 * (1 - 0.6 * f)
        yc = float(p.ys(z)) + 8 * f
        sl = cv.box((-w - 3, yc - t - 8, z - 1), (w + 3, yc + t + 8, z + 1))
        if sl is None:
            continue
        Z, Y, X = cv.coords(sl)
        Yb = Y - yc + 8 * (X / max(w, 1)) ** 2  # concave anteriorly
        e = np.sqrt((X / w) ** 2 + (Yb / t) ** 2)
        cv.put(sl, np.broadcast_to(e <= 1, (Z.shape[0], Y.shape[1], X.shape[2])), 'cortical', BONE)
        cv.put(sl, np.broadcast_to(e <= 1 - 2.5 / t, (Z.shape[0], Y.shape[1], X.shape[2])), 'trabecular', BONE)
        canal = np.broadcast_to(np.sqrt((X / 9) ** 2 + ((Y - yc - t * 0.35) / 4) ** 2) <= 1, (Z.shape[0], Y.shape[1], X.shape[2]))
        if f < 0.6:
            cv.put(sl, canal, 'csf', 0)
    # hip bones
    y_fh = y_s1 - U(rng, 55, 75) * p.sap ** 0.3
    x_fh = 88 * p.sw + U(rng, -5, 5)
    r_h = U(rng, 21, 26)
    z_crest = P['L4']['zm'] + U(rng, -10, 15)
    z_acet = p.z_fh + 15
    for s in (-1, 1):
        # ilium: fan of arcs from the sacroiliac joint to the anterior rim, per z
        for z in np.arange(max(z_acet, cv.z[0] - 2), min(z_crest, cv.z[-1] + 2), 3.0):
            f = (z - z_acet) / (z_crest - z_acet)   # 0 at acetabulum, 1 at crest
            ws = 52 * p.sw * (1 - 0.85 * np.clip((zS - z) / (zS - p.z_fh), 0, 1) ** 1.2)
            ysac = float(p.ys(min(z, zS)))
            post = np.array([s * (ws + 4 + 12 * f), ysac + 5 + 18 * f, z])
            ant_x = s * (x_fh + 10 + 35 * f * p.sw)
            ant = np.array([ant_x, y_fh - 10 - 50 * f * p.sap ** 0.5, z])
            mid = np.array([s * (x_fh + 25 + 40 * f) * (0.95 + 0.1 * p.sw), (post[1] + ant[1]) / 2 + 10, z])
            if f < 0.35:  # body of ilium narrows to the acetabulum
                post = np.array([s * (x_fh - 5 + 20 * f), y_fh + 30 - 20 * f, z])
            pts = curve([post, mid, ant], 2.0)
            thick = 3.5 + 5 * (1 - f) + 3 * (np.linspace(1, 0, len(pts)) ** 4)
            paint_bone_tube(cv, pts, thick, 1.8)
        # acetabulum: cup around the femoral head, open laterally
        c = np.array([s * x_fh, y_fh, p.z_fh])
        sl = cv.box(c - r_h - 14, c + r_h + 14)
        if sl is not None:
            Z, Y, X = cv.coords(sl)
            d = np.sqrt((X - c[0]) ** 2 + (Y - c[1]) ** 2 + (Z - c[2]) ** 2)
            opening = (s * (X - c[0]) * 0.8 - (Z - c[2]) * 0.35 - (Y - c[1]) * 0.3) / np.maximum(d, 1e-3) > 0.45
            cup = (d <= r_h + 11) & (d > r_h + 1.5) & ~opening
            cv.put(sl, cup, 'cortical', BONE)
            cv.put(sl, cup & (d <= r_h + 9) & (d > r_h + 3.5), 'trabecular', BONE)
        # pubis and ischium
        sym = [s * 9, y_fh - 45 * p.sap ** 0.5, p.z_fh + 5]
        paint_bone_tube(cv, curve([[s * (x_fh - 18), y_fh - 18, p.z_fh + 10], [s * 40, y_fh - 38, p.z_fh + 12], sym], 2), 7.5, 2)
        tub = [s * (x_fh - 35), y_fh + 25, p.z_fh - 50]
        paint_bone_tube(cv, curve([sym, [s * 25, y_fh - 25, p.z_fh - 30], tub], 2), 6.5, 2)
        paint_bone_tube(cv, curve([[s * (x_fh - 10), y_fh + 18, p.z_fh - 8], [s * (x_fh - 22), y_fh + 25, p.z_fh - 30], tub], 2), 9, 2)
        # femur: head, neck, trochanters, shaft with marrow
        paint_bone_tube(cv, [c], r_h, 2.0)
        troch = np.array([s * (x_fh + 42 * p.sw), y_fh + 10, p.z_fh - 28])
        paint_bone_tube(cv, curve([c, (c + troch) / 2 + [0, 0, 3], troch], 2), 14, 2.2)
        paint_bone_tube(cv, [troch + [s * 5, 5, 5]], 17, 2.2)
        paint_bone_tube(cv, [[s * (x_fh + 20), y_fh + 18, p.z_fh - 58]], 8, 2)
        shaft = curve([troch + [0, 0, -12], [s * (x_fh + 30), y_fh + 2, p.z_fh - 150], [s * (x_fh + 15), y_fh - 5, p.z_fh - 420]], 2)
        paint_bone_tube(cv, shaft, 13.5, 5.5, inner='marrow')
        meta_fh = dict(x=x_fh, y=y_fh, r=r_h)
    p.femoral = meta_fh


def rib_path(p, n, side, rng, z_att):
    """Centre line of rib n (1..12) on one side: from the costovertebral joint around the chest wall."""
    ac, dant, dpost = p.profile(z_att)
    ysp = float(p.ys(z_att))
    y_pb, y_ab = ysp + dpost, ysp - dant
    cy, b = (y_pb + y_ab) / 2, (y_pb - y_ab) / 2
    length = {1: 0.35, 2: 0.5, 11: 0.45, 12: 0.3}.get(n, 0.62 + 0.03 * min(n, 7))
    drop = (25 + 6 * min(n, 8)) * p.sz
    rx, ry = ac + 6, b + 6
    th0 = math.pi / 2 - 0.32        # near the spine, posterior
    th1 = th0 - length * 2 * math.pi * 0.72
    ths = np.linspace(th0, th1, 40)
    x = rx * np.cos(ths) * side
    y = cy + ry * np.sin(ths)
    z = z_att - drop * np.linspace(0, 1, 40) ** 1.3
    pts = np.stack([x, y, z], 1)
    head = np.array([[side * 16, ysp + 8, z_att + 3], [side * 30, ysp + 25, z_att + 1]])
    return np.vstack([head, pts]), (ac, cy, b)


def build_ribs_sternum(cv, p, rng):
    P = p.L
    if cv.z[-1] < P['T12']['z0'] - 120 or cv.z[0] > P['T1']['z1'] + 30:
        return
    ends = {}
    for n in range(1, 13):
        z_att = P[f'T{n}']['zm'] + 4
        for side in (-1, 1):
            pts, (ac, cy, b) = rib_path(p, n, side, rng, z_att)
            if pts[:, 2].max() < cv.z[0] - 20 or pts[:, 2].min() > cv.z[-1] + 20:
                ends[(n, side)] = pts[-1]
                continue
            r = 4.2 + 0.4 * (n in (1, 2)) + U(rng, -0.4, 0.4)
            paint_bone_tube(cv, curve(pts[::3], 2.0), r, 1.6)
            ends[(n, side)] = pts[-1]
    # sternum
    z_x = P['T9']['zm'] + U(rng, -10, 15)
    z_m = P['T2']['zm'] - 8
    yst = lambda z: float(p.ys(z) - p.profile(z)[1]) - 6  # noqa: E731
    st = curve([[0, yst(z), z] for z in np.linspace(z_x, z_m, 6)], 2)
    widths = np.linspace(9, 16, len(st))
    for (x, y, z), w in zip(st, widths):
        sl = cv.box((x - w - 2, y - 10, z - 1.5), (x + w + 2, y + 10, z + 1.5))
        if sl is None:
            continue
        Z, Y, X = cv.coords(sl)
        e = np.broadcast_to(np.sqrt(((X - x) / w) ** 2 + ((Y - y) / 6.5) ** 2), (Z.shape[0], Y.shape[1], X.shape[2]))
        cv.put(sl, e <= 1, 'cortical', BONE)
        cv.put(sl, e <= 0.65, 'trabecular', BONE)
    # costal cartilages: ribs 1-7 to the sternum, 8-10 to the cartilage above
    for n in range(1, 11):
        for side in (-1, 1):
            e = ends.get((n, side))
            if e is None:
                continue
            if n <= 7:
                zt = z_m - (n - 1) * (z_m - z_x) / 7
                tgt = [side * 12, yst(zt), zt]
            else:
                prev = ends.get((n - 1, side))
                tgt = (np.array(prev) + np.array(e)) / 2 + [0, -5, 0]
            mid = (np.array(e) + np.array(tgt)) / 2 + [side * 8, -10, 8]
            paint_tube(cv, curve([e, mid, tgt], 2), 4.0 if n > 1 else 5.0, 'cartilage', BONE, under=['muscle', 'fat', 'visceral_fat', 'lung', 'soft_misc'])


def build_shoulder_girdle(cv, p, rng):
    P = p.L
    if cv.z[-1] < P['T9']['zm']:
        return
    zc = P['T1']['zm'] + U(rng, -5, 15)
    ac, dant, dpost = p.profile(P['T3']['zm'])
    ysp = float(p.ys(P['T3']['zm']))
    for s in (-1, 1):
        # clavicle: S-curve from the manubrium to the acromion
        man = [s * 18, float(p.ys(P['T2']['zm']) - p.profile(P['T2']['zm'])[1]) - 8, P['T2']['zm'] - 5]
        acro = [s * (ac + 45), ysp + 5, zc + 8]
        paint_bone_tube(cv, curve([man, [s * 55, man[1] + 2, zc + 3], [s * (ac + 10), man[1] + 25, zc + 10], acro], 2), 7.0, 2.2)
        # scapula: thin plate on the posterior chest wall
        sup = np.array([s * 55, ysp + dpost + 35, zc - 5])
        inf = np.array([s * 80, ysp + dpost + 30, P['T7']['zm']])
        gle = np.array([s * (ac + 28), ysp + 5, zc - 25])
        for t in np.linspace(0, 1, 26):
            a = sup + (inf - sup) * t
            pts = curve([a, (a + gle) / 2 + [0, 20, 0], gle], 2)
            paint_bone_tube(cv, pts, 3.2 + 2.5 * (t > 0.9), 1.2)
        # spine of the scapula and acromion
        paint_bone_tube(cv, curve([sup + [0, 6, -18], (sup + gle) / 2 + [0, 30, -5], acro], 2), 5.0, 1.8)
        # glenoid + humeral head + proximal shaft
        head = gle + [s * 28, 4, 2]
        paint_bone_tube(cv, [head], U(rng, 21, 25), 1.8)
        if not p.arms_down:
            # raised arms: the humeral neck points up and out of the field of view
            paint_bone_tube(cv, [head, head + [s * 20, 0, 60]], 12, 4.0, inner='marrow')
        # shoulder soft tissue (deltoid)
        sl, f = ellipsoid_field(cv, head + [s * 8, 0, 0], [40, 55, 55], noise=0.15, rng=rng)
        if sl is not None:
            cv.put(sl, f <= 0, 'muscle', 0, under=['air'])
            cv.put(sl, (f <= 0.35) & (f > 0), 'fat', 0, under=['air'])


def build_arms(cv, p, rng, y_table):
    P = p.L
    ac = p.profile(P['T10']['zm'])[0]
    z_sh = P['T1']['zm'] - 20
    z_el = P['L2']['zm'] + U(rng, -30, 30)
    ra = U(rng, 38, 50)
    for s in (-1, 1):
        k = int(np.clip(round((z_el - cv.z[0]) / VOX), 0, cv.shape[0] - 1))
        cols = np.flatnonzero((cv.tissue[k] != T['air']).any(0))
        cols = cols[(cv.x[cols] * s) > 0]
        edge = float(np.max(np.abs(cv.x[cols]))) if cols.size else ac + 45 + p.fat * 1.7
        x0 = s * (edge + ra + p.fat * 0.5 + U(rng, 0, 25))
        y0 = float(p.ys(z_el)) - U(rng, 20, 60)
        hum = curve([[x0 - s * 10, y0 + 10, z_sh], [x0, y0, z_el + 30], [x0, y0 - 5, z_el]], 2)
        fore = curve([[x0, y0 - 5, z_el], [x0 - s * 10, y0 - 60, z_el - 150], [x0 - s * 20, y0 - 90, z_el - 260]], 2)
        for seg, rr in ((hum, ra), (fore, ra * 0.8)):
            paint_tube(cv, seg, rr + p.fat * 0.5 + 2.5, 'skin', 0, under=['air'])
            paint_tube(cv, seg, rr + p.fat * 0.5, 'fat', 0, under=['air', 'skin'])
            paint_tube(cv, seg, rr, 'muscle', 0, under=['fat'])
        paint_bone_tube(cv, hum, 11.5, 4.0, inner='marrow')
        for dx in (-8, 8):  # radius and ulna (bone, not in the reference list but bone)
            paint_bone_tube(cv, fore + [dx, 0, 0], 6.5, 2.5, inner='marrow')
    cv.tissue[:, cv.y > y_table, :] = np.where(cv.tissue[:, cv.y > y_table, :] == T['skin'], T['air'], cv.tissue[:, cv.y > y_table, :])


def build_breasts(cv, p, rng):
    P = p.L
    z = P['T6']['zm'] - U(rng, 0, 25)
    ac, dant, _ = p.profile(z)
    yf = float(p.ys(z) - dant) - 35 - p.fat
    size = U(rng, 35, 75)
    for s in (-1, 1):
        c = [s * (ac * 0.45), yf - size * 0.3, z]
        sl, f = ellipsoid_field(cv, c, [size * 1.1, size * 0.8, size * 0.9], noise=0.15, rng=rng)
        if sl is None:
            continue
        Z, Y, X = cv.coords(sl)
        m = (f <= 0) & (Y < c[1] + size * 0.5)
        cv.put(sl, m, 'breast', 0, under=['air', 'skin', 'fat'])
        cv.put(sl, m & (f > -0.12), 'skin', 0, under=['breast'])


# ---------------------------------------------------------------- thorax
def build_mediastinum(cv, p, rng, thorax):
    P = p.L
    if cv.z[-1] < p.z_dome_l - 60:
        return
    z_base = min(p.z_dome_r, p.z_dome_l) - 10
    ac, dant, dpost = p.profile(z_base + 50)
    ysp = float(p.ys(z_base + 50))
    # mediastinal band: fat between the lungs from sternum to spine
    sl = cv.box((-200, -400, z_base - 40), (200, 400, P['T1']['zm'] + 60))
    if sl is not None:
        Z, Y, X = cv.coords(sl)
        ys = p.ys(Z)
        w = 22 + 10 * np.exp(-((Z - P['T4']['zm']) / 50) ** 2) + 8 * ((ys - Y) > 60)
        band = (np.abs(X - 8 * np.exp(-((Z - P['T4']['zm']) / 60) ** 2)) < w) & (Y < ys + 5)
        cv.put(sl, band, 'visceral_fat', 0, under=['lung'])
    # heart: tilted ellipsoid on the diaphragm, left-anterior, with chambers
    hr = np.array([U(rng, 55, 68), U(rng, 45, 55), U(rng, 48, 58)]) * (0.9 + 0.15 * p.sw)
    hc = np.array([U(rng, 18, 35), ysp - dant * 0.5 + U(rng, -5, 10), z_base + hr[2] * 0.75])
    R = rot(U(rng, -0.3, -0.1), U(rng, 0.3, 0.6), U(rng, -0.6, -0.3))
    sl, f = ellipsoid_field(cv, hc, hr + 6, R, 0.04, 10, rng)
    if sl is not None:
        cv.put(sl, f <= 0, 'visceral_fat', 0, under=['lung', 'visceral_fat'])   # pericardial fat
    sl, f = ellipsoid_field(cv, hc, hr, R, 0.03, 10, rng)
    if sl is not None:
        heart = f <= 0
        cv.put(sl, heart, 'myocardium', HEART, under=['lung', 'visceral_fat', 'muscle'])
        Z, Y, X = cv.coords(sl)
        dx, dy, dz = X - hc[0], Y - hc[1], Z - hc[2]
        u = R[0, 0] * dx + R[1, 0] * dy + R[2, 0] * dz   # long axis (base->apex is -u)
        v = R[0, 1] * dx + R[1, 1] * dy + R[2, 1] * dz
        # chambers: right (anterior/right) vs left (posterior/left), atria at the base
        inner = f <= -0.25
        right = (dy < -5 + 0.3 * dx) & inner
        left = (dy >= -5 + 0.3 * dx) & inner
        septum = np.abs(dy + 5 - 0.3 * dx) < 4.5
        lv_wall = left & (f > -0.45)
        cv.put(sl, right & ~septum, 'blood_right', HEART, under=['myocardium'])
        cv.put(sl, left & ~septum & ~lv_wall, 'blood_art', HEART, under=['myocardium'])
        p.heart = dict(c=hc, r=hr, R=R)
    else:
        p.heart = dict(c=hc, r=hr, R=R)
    # left atrium posterior at the base, with pulmonary veins
    la = hc + np.array([-5, hr[1] * 0.75, hr[2] * 0.55])
    sl, f = ellipsoid_field(cv, la, [30, 20, 22], None, 0.05, 8, rng)
    if sl is not None:
        cv.put(sl, f <= 0, 'myocardium', HEART, under=['lung', 'visceral_fat', 'myocardium', 'blood_right'])
        cv.put(sl, f <= -0.3, 'blood_art', HEART, under=['myocardium'])
    p.la = la
    for s in (-1, 1):
        for dz in (-12, 12):
            end = la + [s * 75, 10, dz + U(rng, -5, 5)]
            paint_tube(cv, curve([la + [s * 22, 0, dz * 0.5], (la + end) / 2 + [0, 5, 0], end], 2), 6.5, 'blood_art', VEIN,
                       under=['lung', 'visceral_fat'])
    # trachea, carina, main bronchi (trachea = other organ; bronchi become lung inside the lungs)
    z_car = P['T5']['zm'] + U(rng, -10, 10)
    ytr = float(p.ys(z_car)) - P['T5']['ry'] - 28
    tr_pts = curve([[0, ytr, z_car], [0, ytr - 5, P['T2']['zm']], [0, float(p.ys(P['C5']['zm'])) - 35, P['C4']['zm']]], 2)
    paint_tube(cv, tr_pts, U(rng, 8, 11), 'airway', OTHER, wall=2.0, wall_tissue='soft_wall',
               under=['lung', 'visceral_fat', 'muscle', 'fat', 'soft_misc'])
    p.bronchi = []
    for s, ang in ((-1, 0.45), (1, 0.75)):
        end = np.array([s * 55, ytr + 18, z_car - 45 * ang])
        pts = curve([[0, ytr, z_car], [s * 18, ytr + 5, z_car - 10], end], 1.5)
        paint_tube(cv, pts[: len(pts) // 2], 6.5, 'airway', OTHER, wall=1.8, wall_tissue='soft_wall', under=['lung', 'visceral_fat'])
        paint_tube(cv, pts[len(pts) // 2:], 5.5, 'airway', LUNG, wall=1.6, wall_tissue='soft_wall', under=['lung', 'visceral_fat'])
        p.bronchi.append(end)
    # esophagus: behind the trachea / left atrium, left-anterior of the spine, to the stomach
    es = [[float(x), float(p.ys(z)) - p.level_at(z)['ry'] - 9, float(z)] for x, z in
          ((3, P['C5']['zm']), (6, P['T3']['zm']), (10, P['T6']['zm']), (16, P['T9']['zm']), (28, P['T11']['zm']))]
    paint_tube(cv, curve(es, 2), U(rng, 7, 10), 'soft_wall', DIGEST, under=['lung', 'visceral_fat', 'muscle', 'soft_misc', 'fat'])
    # thyroid around the trachea at the neck
    zt = P['C7']['zm'] + 5
    for s in (-1, 1):
        c = [s * 18, float(p.ys(zt)) - 32, zt]
        paint_ellipsoid(cv, c, [9, 10, 22], 'thyroid', OTHER, noise=0.1, rng=rng, under=['muscle', 'fat', 'soft_misc', 'visceral_fat'])


def build_lung_details(cv, p, rng):
    """Pulmonary vessel trees and peripheral bronchi inside the lungs (label lung), pulmonary arteries."""
    if not hasattr(p, 'heart') or not hasattr(p, 'bronchi'):
        return
    hc = p.heart['c']
    P = p.L
    # pulmonary trunk from the right ventricle to the hila (arteries: TotalSegmentator v1's
    # pulmonary_artery, labelled in cases A and D)
    trunk0 = hc + np.array([-10, -p.heart['r'][1] * 0.4, p.heart['r'][2] * 0.6])
    bif = np.array([12, float(p.ys(P['T5']['zm'])) - 45, P['T5']['zm'] - 10])
    paint_tube(cv, curve([trunk0, (trunk0 + bif) / 2 + [10, 0, 10], bif], 2), 13, 'blood_right', ART, under=['lung', 'visceral_fat'])
    hila = []
    for s, br in zip((-1, 1), p.bronchi):
        hil = np.array([s * 60, br[1] - 8, br[2] + 8])
        paint_tube(cv, curve([bif, (bif + hil) / 2 + [0, 5, 8], hil], 2), 10, 'blood_right', ART, under=['lung', 'visceral_fat'])
        hila.append((s, hil, br))
    # vessel + bronchus trees, painted only into lung
    for s, hil, br in hila:
        stack = [(hil, np.array([s * 1.0, 0.2, 0.0]), 7.0, 0), (hil, np.array([s * 0.5, 0.3, 0.8]), 6.0, 0),
                 (hil, np.array([s * 0.5, 0.3, -0.9]), 6.5, 0), (br, np.array([s * 0.6, 0.6, -0.5]), 4.0, 10)]
        while stack:
            start, d, r, depth = stack.pop()
            d = d / np.linalg.norm(d)
            L = 25 + 20 * rng.random()
            end = start + d * L
            tissue = 'airway' if depth >= 10 else 'lung_vessel'
            if r >= 1.2:
                if tissue == 'airway':
                    paint_tube(cv, [start, end], r, 'airway', LUNG, wall=1.2, wall_tissue='soft_wall', under=['lung'])
                else:
                    paint_tube(cv, curve([start, end], 1.2), r, 'lung_vessel', LUNG, under=['lung'])
            if (depth % 10) < 4 and r > 1.3:
                for _ in range(2):
                    nd = d + rng.normal(0, 0.6, 3)
                    stack.append((end, nd, r * 0.72, depth + 1))


# ---------------------------------------------------------------- abdomen
def build_abdomen(cv, p, rng, abdomen, ZD):
    P = p.L
    if cv.z[-1] < P['L5']['z0'] - 30 or cv.z[0] > p.z_dome_r + 10:
        p.kidneys = []
        _abd_landmarks(p)
        return
    _abd_landmarks(p)
    ac, dant, dpost = p.profile(P['L1']['zm'])
    ysp = float(p.ys(P['L1']['zm']))
    cyA = ysp + (dpost - dant) / 2
    bA = (dpost + dant) / 2
    # ---- liver: below the right dome, right of a left edge that reaches further left anteriorly
    sl = cv.box((-ac - 20, ysp - dant - 20, P['L4']['z0']), (ac * 0.8, ysp + dpost + 20, p.z_dome_r + 5))
    if sl is not None:
        Z, Y, X = cv.coords(sl)
        a = np.broadcast_to(abdomen[sl], (Z.shape[0], Y.shape[1], X.shape[2]))
        fy = np.clip((cyA - Y) / bA, -1, 1)             # +1 anterior, -1 posterior
        x_left = ac * (U(rng, -0.15, 0.05) + U(rng, 0.35, 0.65) * (fy + 1) / 2)
        h_right = U(rng, 130, 175) * p.sz
        h_left = U(rng, 45, 80)
        fx = np.clip((X + ac) / (ac + x_left), 0, 1)
        z_bot = p.z_dome_r - (h_right + (h_left - h_right) * fx) + 25 * np.clip(fy, 0, 1) * fx
        zdl = z_diaphragm_local(ZD, sl)
        nf = smooth_noise(a.shape, 12, rng) * 14
        liver = a & (X < x_left + nf) & (Z > z_bot + nf) & (Z < zdl - 5)
        cv.put(sl, liver, 'liver', LIVER)
        p.liver_box = sl
    # hepatic veins into the IVC (label liver), portal branches
    ivc_top = np.array([-22, ysp - 5, p.z_dome_r - 15])
    for ang in (-0.9, -0.3, 0.5):
        end = ivc_top + np.array([math.cos(ang) * -75 - 10, math.sin(ang) * 40 - 25, -40])
        paint_tube(cv, curve([ivc_top, (ivc_top + end) / 2 + [0, 0, 5], end], 1.5), np.linspace(6, 2.5, 3).mean(), 'blood_hepatic', LIVER,
                   under=['liver'])
    # ---- gallbladder
    gb = np.array([-ac * 0.35, cyA - bA * 0.55, P['L1']['zm'] + U(rng, -15, 15)])
    if rng.random() < 0.85:
        paint_ellipsoid(cv, gb, [U(rng, 14, 22), U(rng, 14, 22), U(rng, 25, 40)], 'bile', OTHER,
                        R=rot(0.5, 0.2, 0.3), noise=0.1, rng=rng, under=['liver', 'visceral_fat', 'muscle'])
    # ---- spleen: posterior-lateral left, hugging the wall
    sc = np.array([ac * 0.72, ysp + dpost * 0.1 + U(rng, -10, 20), p.z_dome_l - U(rng, 45, 70)])
    sr = np.array([U(rng, 22, 35), U(rng, 45, 65), U(rng, 45, 70)]) * (0.9 + 0.2 * rng.random())
    sl, f = ellipsoid_field(cv, sc, sr, rot(0, 0, U(rng, -0.9, -0.5)), 0.12, 10, rng)
    if sl is not None:
        cv.put(sl, (f <= 0) & abdomen[sl], 'spleen', SPLEEN, under=['visceral_fat', 'liver'])
    p.spleen = sc
    # ---- kidneys
    p.kidneys = []
    for s in (-1, 1):
        zk = (P['L2']['z0'] if s < 0 else P['L1']['zm']) + U(rng, -15, 15)
        rx_v = P['L1']['rx']
        kc = np.array([s * (rx_v + U(rng, 38, 52)), float(p.ys(zk)) + U(rng, 0, 22), zk])
        kr = np.array([U(rng, 23, 30), U(rng, 24, 30), U(rng, 48, 62)])
        R = rot(U(rng, 0.15, 0.4), -s * U(rng, 0.1, 0.3), s * U(rng, 0.3, 0.6))
        sl, f = ellipsoid_field(cv, kc, kr, R, 0.05, 8, rng)
        if sl is None:
            p.kidneys.append((kc, kr, R, s))
            continue
        kid = f <= 0
        cv.put(sl, kid, 'kidney_cortex', KIDNEY, under=['visceral_fat', 'liver', 'spleen', 'muscle'])
        Z, Y, X = cv.coords(sl)
        # medulla pyramids: inner shell with lobulation
        lob = np.sin((Z - kc[2]) / 9.0) * np.sin((Y - kc[1]) / 7.0)
        med = (f <= -0.25) & (f > -0.7) & (lob > -0.3)
        cv.put(sl, med, 'kidney_medulla', KIDNEY, under=['kidney_cortex'])
        # sinus (fat) and pelvis (urine) at the medial-anterior hilum
        hil = kc + R @ np.array([-s * kr[0] * 0.55, -kr[1] * 0.3, 0]) * 0 + np.array([-s * kr[0] * 0.55, -kr[1] * 0.25, 0])
        sl2, f2 = ellipsoid_field(cv, hil, [kr[0] * 0.55, kr[1] * 0.45, kr[2] * 0.55], R, 0.05, 6, rng)
        if sl2 is not None:
            cv.put(sl2, f2 <= 0, 'visceral_fat', 0, under=['kidney_cortex', 'kidney_medulla'])
            cv.put(sl2, f2 <= -0.45, 'urine_pelvis', KIDNEY, under=['visceral_fat'])
        if rng.random() < 0.2:  # simple cyst
            cc = kc + rng.normal(0, 1, 3) * kr * 0.5
            paint_ellipsoid(cv, cc, [U(rng, 6, 18)] * 3, 'bile', KIDNEY, under=['kidney_cortex', 'kidney_medulla', 'visceral_fat'])
        p.kidneys.append((kc, kr, R, s))
        # adrenal above
        ad = kc + np.array([s * -12, -5, kr[2] * 0.9 + 8])
        paint_tube(cv, curve([ad + [0, -12, 14], ad, ad + [s * 10, 10, -6]], 1.5), 2.8, 'adrenal', OTHER, under=['visceral_fat'])
    # ---- stomach with gas/fluid level, duodenum
    zf = p.z_dome_l - U(rng, 15, 30)
    st_ctrl = [[ac * 0.42, cyA - bA * 0.0, zf], [ac * 0.38, cyA - bA * 0.35, zf - 50],
               [ac * 0.12, cyA - bA * 0.6, P['L1']['zm'] + U(rng, -15, 15)], [-ac * 0.12, cyA - bA * 0.45, P['L1']['zm'] + 5]]
    st = curve(st_ctrl, 2.0)
    fill = U(rng, 0.5, 1.2)
    rst = np.interp(np.linspace(0, 1, len(st)), [0, 0.35, 0.8, 1], [40 * fill, 36 * fill, 24 * fill, 13])
    gas_level = U(rng, -1, 1)
    content = 'food' if rng.random() < 0.4 else 'gut_fluid'

    def stomach_lumen(sl_, inner):
        Z, Y, X = cv.coords(sl_)
        yl = cyA - bA * 0.5 + gas_level * 25
        gas = np.broadcast_to(Y < yl, inner.shape)
        cv.put(sl_, inner & gas, 'gut_gas', DIGEST, under=['gut_wall'])
        cv.put(sl_, inner & ~gas, content, DIGEST, under=['gut_wall'])
    paint_tube(cv, st, rst, None, DIGEST, under=['visceral_fat', 'muscle'], wall=U(rng, 3, 6), wall_tissue='gut_wall',
               lumen_fn=stomach_lumen)
    duo = curve([st_ctrl[-1], [-ac * 0.32, cyA - bA * 0.2, P['L1']['zm']], [-ac * 0.35, cyA - bA * 0.1, P['L3']['zm']],
                 [0, float(p.ys(P['L3']['z0'])) - P['L3']['ry'] - 35, P['L3']['z0'] - 5], [ac * 0.2, cyA - bA * 0.2, P['L2']['zm']]], 2)
    paint_tube(cv, duo, U(rng, 9, 15), 'gut_fluid', DIGEST, wall=2.5, wall_tissue='gut_wall', under=['visceral_fat', 'muscle'])
    # ---- pancreas along the splenic vein
    pz = P['L1']['zm'] + U(rng, -12, 10)
    pan = curve([[-ac * 0.28, cyA - bA * 0.15, pz - 20], [0, float(p.ys(pz)) - P['L1']['ry'] - 45, pz],
                 [ac * 0.35, float(p.ys(pz)) - 25, pz + 10], [ac * 0.62, sc[1] - 10, sc[2] - 25]], 2)
    rp = np.interp(np.linspace(0, 1, len(pan)), [0, 0.3, 1], [17, 11, 9]) * U(rng, 0.8, 1.2)
    sl, d = tube_sdf(cv, pan, rp)
    if sl is not None:
        lob = smooth_noise(d.shape, 3, rng) * 3
        cv.put(sl, d + lob <= 0, 'pancreas', OTHER, under=['visceral_fat'])
    p.pancreas = pan
    build_bowel(cv, p, rng)


def z_diaphragm_local(ZD, sl):
    return np.broadcast_to(ZD, ZD.shape)[sl[0] if ZD.shape[0] > 1 else slice(None), sl[1] if ZD.shape[1] > 1 else slice(None),
                                         sl[2] if ZD.shape[2] > 1 else slice(None)]


def _abd_landmarks(p):
    if not hasattr(p, 'kidneys'):
        p.kidneys = []


def build_bowel(cv, p, rng):
    P = p.L
    ac, dant, dpost = p.profile(P['L3']['zm'])
    ysp = float(p.ys(P['L3']['zm']))
    cy = ysp + (dpost - dant) / 2
    b = (dpost + dant) / 2
    # colon frame
    zc0 = p.z_S1 + U(rng, -10, 20)
    hep = P['L1']['zm'] + U(rng, -20, 10)
    spl = P['T12']['zm'] + U(rng, -15, 15)
    sag = P['L3']['zm'] + U(rng, -30, 20)
    frame = [[-ac * 0.62, cy + b * 0.05, zc0], [-ac * 0.68, cy + b * 0.1, (zc0 + hep) / 2], [-ac * 0.55, cy - b * 0.1, hep],
             [-ac * 0.2, cy - b * 0.7, sag], [ac * 0.3, cy - b * 0.65, sag + 15], [ac * 0.72, cy + b * 0.05, spl],
             [ac * 0.74, cy + b * 0.2, (spl + p.z_S1) / 2], [ac * 0.6, cy + b * 0.1, p.z_S1 - 10],
             [ac * 0.25, cy - b * 0.3, p.z_fh + 70], [0, float(p.ys(p.z_fh + 60)) - 30, p.z_fh + 55],
             [0, float(p.ys(p.z_fh + 10)) - 25, p.z_fh + 5]]
    col = curve(frame, 2, wiggle=10, rng=rng)
    s = np.cumsum(np.r_[0, np.linalg.norm(np.diff(col, axis=0), axis=1)])
    rcol = U(rng, 17, 28) * (1 + 0.12 * np.sin(2 * np.pi * s / U(rng, 30, 45)))
    gas_frac = U(rng, 0.05, 0.9)

    def colon_lumen(sl_, inner):
        nf = smooth_noise(inner.shape, 3, rng)
        gas = nf > np.quantile(nf, 1 - gas_frac) if inner.size else nf > 0
        cv.put(sl_, inner & gas, 'gut_gas', DIGEST, under=['gut_wall'])
        cv.put(sl_, inner & ~gas, 'stool', DIGEST, under=['gut_wall'])
    paint_tube(cv, col, rcol, None, DIGEST, wall=2.5, wall_tissue='gut_wall',
               under=['visceral_fat', 'muscle', 'fat'], lumen_fn=colon_lumen)
    # small bowel loops filling the remaining central abdomen / pelvis
    oral = rng.random() < 0.2
    n_loops = int(rng.integers(10, 22))
    for _ in range(n_loops):
        c = np.array([U(rng, -ac * 0.5, ac * 0.5), cy + U(rng, -b * 0.7, b * 0.2), U(rng, p.z_fh + 40, P['L2']['zm'])])
        pts = [c]
        d = rng.normal(0, 1, 3)
        for _k in range(int(rng.integers(4, 9))):
            d = d + rng.normal(0, 0.9, 3)
            d /= np.linalg.norm(d)
            pts.append(pts[-1] + d * U(rng, 18, 30))
        pts = curve(pts, 2)
        r = U(rng, 8, 14)
        content = 'gut_fluid' if not oral or rng.random() < 0.4 else 'calcification'

        def sb_lumen(sl_, inner, content=content):
            cv.put(sl_, inner, content if content != 'calcification' else 'urine_pelvis', DIGEST, under=['gut_wall'])
            if rng.random() < 0.3:
                nf = smooth_noise(inner.shape, 3, rng)
                cv.put(sl_, inner & (nf > 1.3), 'gut_gas', DIGEST, under=['gut_fluid', 'urine_pelvis'])
        paint_tube(cv, pts, r, None, DIGEST, wall=2.0, wall_tissue='gut_wall', under=['visceral_fat'], lumen_fn=sb_lumen)
    # mesenteric lymph nodes / soft tissue specks in the fat
    for _ in range(int(rng.integers(0, 12))):
        c = [U(rng, -ac * 0.5, ac * 0.5), cy + U(rng, -b * 0.6, b * 0.3), U(rng, p.z_S1, P['L1']['zm'])]
        paint_ellipsoid(cv, c, [U(rng, 3, 8)] * 3, 'lymph', 0, under=['visceral_fat'])


def build_pelvis_organs(cv, p, rng):
    if cv.z[0] > p.z_S1 + 40 or not hasattr(p, 'femoral'):
        return
    fh = p.femoral
    yb = fh['y'] - U(rng, 15, 35)
    fill = U(rng, 0.4, 1.3)
    bc = np.array([0, yb, p.z_fh + 25 + 25 * fill])
    br = np.array([42, 32, 35]) * fill
    sl, f = ellipsoid_field(cv, bc, br + 3, None, 0.05, 8, rng)
    if sl is not None:
        cv.put(sl, f <= 0, 'soft_wall', OTHER, under=['visceral_fat', 'muscle', 'gut_wall', 'stool', 'gut_gas', 'gut_fluid'])
        sl, f = ellipsoid_field(cv, bc, br, None, 0.05, 8, rng)
        cv.put(sl, f <= 0, 'bladder_urine', OTHER, under=['soft_wall'])
    if not p.female:
        paint_ellipsoid(cv, [0, yb + 12, p.z_fh - 10], [20, 16, 18], 'prostate', OTHER, noise=0.1, rng=rng,
                        under=['visceral_fat', 'muscle', 'soft_wall'])
    else:
        paint_ellipsoid(cv, [0, yb + br[1] + 20, bc[2] + 10], [35, 22, 35], 'uterus', 0, noise=0.15, rng=rng,
                        under=['visceral_fat', 'gut_wall', 'stool', 'gut_gas', 'gut_fluid'])


# ---------------------------------------------------------------- vessels
def build_vessels(cv, p, rng):
    P = p.L
    yv = lambda z: float(p.ys(z)) - p.level_at(z)['ry']  # noqa: E731  (front of the vertebral body)
    ra = U(rng, 0.85, 1.2)
    calc = p.elderly and rng.random() < 0.7
    # ---- aorta: root -> ascending -> arch -> descending -> bifurcation
    hc = getattr(p, 'heart', None)
    z_arch = P['T3']['zm'] + U(rng, -10, 10)
    z_bif = P['L4']['zm'] + U(rng, -15, 10)
    desc = []
    for z in np.linspace(P['T4']['zm'], z_bif, 9):
        t = (P['T4']['zm'] - z) / (P['T4']['zm'] - z_bif)
        x = 22 - 14 * t
        desc.append([x, yv(z) - (12 * ra + 2) + 6 * (1 - t), z])
    if hc is not None:
        root = hc['c'] + np.array([-18, 5, hc['r'][2] * 0.45])
    else:
        root = np.array([5, yv(P['T7']['zm']) - 70, P['T7']['zm']])
    asc = [root, root + [-15, -8, 35], [-10, root[1] - 5, z_arch - 8]]
    arch = [[0, (root[1] + desc[0][1]) / 2 - 10, z_arch + 8], [18, desc[0][1] - 10, z_arch]]
    ctrl = asc + arch + desc
    aorta = curve(ctrl, 2)
    n = len(aorta)
    radius = np.interp(np.linspace(0, 1, n), [0, 0.15, 0.3, 0.55, 1.0], [15, 15, 13, 11.5, 9.5]) * ra
    dissect = rng.random() < 0.08

    def aortic_lumen(sl_, inner):
        cv.put(sl_, inner, 'blood_art', ART, under=['calcification', 'soft_wall'])
        if dissect:
            nf = smooth_noise(inner.shape, 6, rng)
            cv.put(sl_, inner & (nf > 0.2), 'blood_ven', ART, under=['blood_art'])
    paint_tube(cv, aorta, radius, None, ART, wall=1.5, wall_tissue='calcification' if calc else 'soft_wall',
               under=['visceral_fat', 'lung', 'muscle', 'soft_misc', 'fat', 'myocardium', 'blood_art', 'blood_right'],
               lumen_fn=aortic_lumen)
    if calc:  # patchy calcification: keep only spots of the wall as calcium
        sl, d = tube_sdf(cv, aorta, radius)
        if sl is not None:
            spots = smooth_noise(d.shape, 3, rng) < 0.8
            w = cv.tissue[sl] == T['calcification']
            cv.put(sl, w & spots, 'soft_wall', ART)
    # arch branches
    br_base = aorta[int(n * 0.3)]
    top = P['C5']['zm']
    for xb, kind in ((-12, 'bct'), (2, 'lcca'), (14, 'lsa')):
        base = np.array([xb, br_base[1] + (xb + 12) * 0.6, z_arch + 10])
        if kind == 'bct':
            split = base + [-12, -2, 35]
            paint_tube(cv, curve([base, split], 1.5), 7 * ra, 'blood_art', ART, under=['lung', 'visceral_fat', 'muscle', 'fat', 'soft_misc'])
            paint_tube(cv, curve([split, split + [-5, 3, 40], [-28, yv(top) - 12, top]], 1.5), 4 * ra, 'blood_art', ART,
                       under=['lung', 'visceral_fat', 'muscle', 'fat', 'soft_misc'])
            paint_tube(cv, curve([split, split + [-30, 10, 12], [-110, float(p.ys(split[2])), split[2] + 5]], 1.5), 4.5 * ra, 'blood_art', ART,
                       under=['lung', 'visceral_fat', 'muscle', 'fat', 'soft_misc'])
        elif kind == 'lcca':
            paint_tube(cv, curve([base, base + [8, 0, 45], [28, yv(top) - 12, top]], 1.5), 4 * ra, 'blood_art', ART,
                       under=['lung', 'visceral_fat', 'muscle', 'fat', 'soft_misc'])
        else:
            paint_tube(cv, curve([base, base + [10, 5, 40], base + [45, 15, 52], [110, float(p.ys(base[2] + 45)), base[2] + 50]], 1.5),
                       4.5 * ra, 'blood_art', ART, under=['lung', 'visceral_fat', 'muscle', 'fat', 'soft_misc'])
    # abdominal branches: celiac (-> hepatic, splenic), SMA, renal arteries
    def aorta_at(z):
        k = np.argmin(np.abs(aorta[:, 2] - z) + 1000 * (np.arange(n) < n * 0.4))
        return aorta[k], radius[k]
    zc = P['T12']['zm'] + U(rng, -10, 10)
    a, r = aorta_at(zc)
    cel = curve([a, a + [0, -(r + 14), 2]], 1.5)
    paint_tube(cv, cel, 3.5 * ra, 'blood_art', ART, under=['visceral_fat', 'pancreas', 'soft_misc'])
    hub = cel[-1]
    paint_tube(cv, curve([hub, hub + [-30, -5, 5], hub + [-60, -15, 15]], 1.5), 2.5 * ra, 'blood_art', ART,
               under=['visceral_fat', 'pancreas', 'liver'])
    sp = getattr(p, 'spleen', hub + [90, 40, 20])
    paint_tube(cv, curve([hub, hub + [30, 10, 0], (hub + sp) / 2 + [0, 5, 8], sp + [-20, 0, 0]], 1.5, wiggle=6, rng=rng), 2.8 * ra,
               'blood_art', ART, under=['visceral_fat', 'pancreas'])
    zs = P['L1']['zm'] + U(rng, -10, 5)
    a, r = aorta_at(zs)
    sma = curve([a, a + [0, -(r + 18), -8], a + [-5, -(r + 25), -60], a + [-10, -(r + 30), -130]], 1.5)
    paint_tube(cv, sma, 3.2 * ra, 'blood_art', ART, under=['visceral_fat', 'pancreas', 'soft_misc', 'lymph'])
    for kc, kr, R, s in p.kidneys:
        a, r = aorta_at(kc[2] + 15)
        hil = kc + np.array([-s * kr[0] * 0.6, -5, 5])
        paint_tube(cv, curve([a + [s * r * 0.7, 0, 0], (a + hil) / 2 + [0, 8, 0], hil], 1.5), 2.8 * ra, 'blood_art', ART,
                   under=['visceral_fat', 'muscle', 'urine_pelvis', 'soft_misc'])
    # iliac and femoral arteries
    a_bif = aorta[-1]
    fh = getattr(p, 'femoral', dict(x=90, y=float(p.ys(p.z_S1)) - 60, r=23))
    for s in (-1, 1):
        ci = [a_bif, a_bif + [s * 22, 6, -35], [s * 45, float(p.ys(p.z_S1)) - 30, p.z_S1 - 5]]
        ext = [[s * 60, fh['y'] - 30, p.z_fh + 40], [s * (fh['x'] - 10), fh['y'] - fh['r'] - 14, p.z_fh - 10],
               [s * (fh['x'] - 5), fh['y'] - fh['r'] - 20, p.z_fh - 150]]
        paint_tube(cv, curve(ci + ext, 2), np.interp(np.linspace(0, 1, 6), [0, 1], [6.5, 4.5]).mean() * ra, 'blood_art', ART,
                   under=['visceral_fat', 'muscle', 'fat', 'soft_misc', 'gut_wall', 'stool', 'gut_fluid', 'gut_gas'])
        paint_tube(cv, curve([ci[-1], [s * 55, float(p.ys(p.z_S1 - 40)) - 5, p.z_S1 - 50]], 1.5), 3.2 * ra, 'blood_art', 0,
                   under=['visceral_fat', 'muscle'])  # internal iliac: not in the reference list
    # ---- veins
    rv = U(rng, 0.85, 1.25)
    ivc_pts = [[-22, yv(z) - 10, z] for z in np.linspace(P['L5']['zm'], P['T12']['zm'], 5)]
    ivc_pts += [[-25, yv(p.z_dome_r - 30) - 18, p.z_dome_r - 30], [-20, yv(p.z_dome_r) - 30, p.z_dome_r + 12]]
    if hc is not None:
        ra_pt = hc['c'] + np.array([-hc['r'][0] * 0.7, 0, -hc['r'][2] * 0.3])
        ivc_pts += [list(ra_pt)]
    ivc = curve(ivc_pts, 2)
    ivc_r = np.interp(np.linspace(0, 1, len(ivc)), [0, 0.5, 1], [10, 12, 13]) * rv
    paint_tube(cv, ivc[: int(len(ivc) * 0.45)], ivc_r[: int(len(ivc) * 0.45)], 'blood_ven', VEIN,
               under=['visceral_fat', 'muscle', 'soft_misc', 'liver', 'lymph', 'fat', 'pancreas', 'gut_wall', 'gut_fluid', 'stool'])
    paint_tube(cv, ivc[int(len(ivc) * 0.45):], ivc_r[int(len(ivc) * 0.45):], 'blood_hepatic', VEIN,
               under=['visceral_fat', 'muscle', 'soft_misc', 'liver', 'lymph', 'lung', 'blood_hepatic', 'myocardium'])
    for kc, kr, R, s in p.kidneys:   # renal veins: background in the reference list
        hil = kc + np.array([-s * kr[0] * 0.6, -10, 0])
        iv = np.array([-22, yv(kc[2]) - 10, kc[2]])
        mid = (hil + iv) / 2 + ([0, -28, 0] if s > 0 else [0, -5, 0])
        paint_tube(cv, curve([hil, mid, iv], 1.5), 5 * rv, 'blood_renal_vein', 0, under=['visceral_fat', 'soft_misc', 'muscle'])
    iv0 = ivc[0]
    for s in (-1, 1):
        ext = [[s * 40, float(p.ys(p.z_S1)) - 15, p.z_S1 - 10], [s * 55, fh['y'] - 22, p.z_fh + 40],
               [s * (fh['x'] - 22), fh['y'] - fh['r'] - 10, p.z_fh - 10], [s * (fh['x'] - 20), fh['y'] - fh['r'] - 12, p.z_fh - 150]]
        paint_tube(cv, curve([iv0, iv0 + [s * 15, 8, -20]] + ext, 2), 6.5 * rv, 'blood_ven', VEIN,
                   under=['visceral_fat', 'muscle', 'fat', 'soft_misc', 'gut_wall', 'stool', 'gut_fluid', 'gut_gas'])
    # portal system: SMV -> confluence behind the pancreas neck -> portal vein into the liver; splenic vein
    conf = np.array([-8, yv(P['L1']['zm']) - 38, P['L1']['zm'] + 5])
    hil = np.array([-55, conf[1] + 10, conf[2] + 45])
    pv = curve([conf, (conf + hil) / 2 + [0, 5, 0], hil], 1.5)
    paint_tube(cv, pv, 7.5 * rv, 'blood_portal', VEIN, under=['visceral_fat', 'pancreas', 'liver', 'soft_misc', 'lymph'])
    for end in (hil + [-35, 5, 15], hil + [30, -20, 10]):   # first intrahepatic branches: veins, then liver
        br = curve([hil, end], 1.5)
        paint_tube(cv, br[: len(br) // 2], 5.5 * rv, 'blood_portal', VEIN, under=['liver'])
        paint_tube(cv, br[len(br) // 2:], 4.0 * rv, 'blood_portal', LIVER, under=['liver'])
    sp = getattr(p, 'spleen', conf + [90, 40, 20])
    spv = curve([conf, conf + [35, 15, 0], [sp[0] * 0.6, sp[1] - 10, sp[2] - 25], sp + [-25, -5, 0]], 1.5, wiggle=4, rng=rng)
    paint_tube(cv, spv, 4.5 * rv, 'blood_portal', VEIN, under=['visceral_fat', 'pancreas', 'soft_misc', 'spleen'])
    paint_tube(cv, curve([conf, conf + [6, -5, -40], conf + [4, -10, -110]], 1.5), 5.0 * rv, 'blood_portal', 0,
               under=['visceral_fat', 'soft_misc', 'lymph'])   # SMV: not in the reference list
    # SVC and brachiocephalic veins (right-heart blood: dense contrast in arterial/CTA phases)
    if hc is not None:
        svc_bot = hc['c'] + np.array([-hc['r'][0] * 0.55, 5, hc['r'][2] * 0.5])
    else:
        svc_bot = np.array([-25, yv(P['T6']['zm']) - 50, P['T6']['zm']])
    svc_top = np.array([-28, svc_bot[1] - 8, P['T2']['zm']])
    paint_tube(cv, curve([svc_bot, (svc_bot + svc_top) / 2, svc_top], 1.5), 9 * rv, 'blood_right', VEIN,
               under=['lung', 'visceral_fat', 'soft_misc', 'fat', 'muscle', 'myocardium', 'blood_right'])
    paint_tube(cv, curve([svc_top, svc_top + [-15, 0, 25], [-75, float(p.ys(P['T1']['zm'])) - 35, P['T1']['zm'] + 20]], 1.5),
               6.5 * rv, 'blood_right', VEIN, under=['lung', 'visceral_fat', 'soft_misc', 'fat', 'muscle'])
    paint_tube(cv, curve([svc_top, svc_top + [40, -10, 12], [75, float(p.ys(P['T1']['zm'])) - 35, P['T1']['zm'] + 18]], 1.5),
               6.0 * rv, 'blood_right', VEIN, under=['lung', 'visceral_fat', 'soft_misc', 'fat', 'muscle'])
    for s in (-1, 1):  # internal jugular veins (not in the list: background)
        paint_tube(cv, curve([[s * 38, float(p.ys(P['T1']['zm'])) - 35, P['T1']['zm'] + 18], [s * 35, yv(top) - 8, top]], 1.5),
                   6.0 * rv, 'blood_ven', 0, under=['visceral_fat', 'soft_misc', 'fat', 'muscle'])


def build_muscles(cv, p, rng):
    P = p.L
    for s in (-1, 1):
        # psoas: T12 -> pelvis -> lesser trochanter
        fh = getattr(p, 'femoral', None)
        pts = [[s * (P['T12']['rx'] + 5), float(p.ys(P['T12']['zm'])) + 5, P['T12']['zm']],
               [s * (P['L3']['rx'] + 14), float(p.ys(P['L3']['zm'])) + 2, P['L3']['zm']],
               [s * (P['L5']['rx'] + 24), float(p.ys(P['L5']['zm'])) - 5, P['L5']['zm']]]
        if fh is not None:
            pts += [[s * (fh['x'] - 25), fh['y'] - 25, p.z_fh + 40], [s * (fh['x'] - 10), fh['y'] - 20, p.z_fh - 55]]
        ps = curve(pts, 2)
        rr = np.interp(np.linspace(0, 1, len(ps)), [0, 0.35, 0.6, 1], [8, 20, 25, 15]) * U(rng, 0.8, 1.2)
        paint_tube(cv, ps, rr, 'muscle', 0, under=['visceral_fat', 'fat', 'lymph'])
        ql = curve([[s * (P['T12']['rx'] + 35), float(p.ys(P['T12']['zm'])) + 25, P['T12']['zm']],
                    [s * (P['L4']['rx'] + 45), float(p.ys(P['L4']['zm'])) + 30, P['L4']['zm']]], 2)
        paint_tube(cv, ql, 12 * U(rng, 0.8, 1.2), 'muscle', 0, under=['visceral_fat'])
        # paraspinal (erector spinae) along the whole spine
        zs = np.linspace(p.z_S1 - 30, P['C7']['zm'], 12)
        pp = np.stack([np.full_like(zs, s * 32.0), p.ys(zs) + 48, zs], 1)
        paint_tube(cv, curve(pp, 3), 24 * U(rng, 0.85, 1.15), 'muscle', 0, under=['visceral_fat', 'fat', 'lung'])
        # neck muscles
        paint_tube(cv, curve([[s * 35, float(p.ys(P['T1']['zm'])) - 15, P['T1']['zm']], [s * 30, float(p.ys(P['C4']['zm'])) - 10, P['C4']['zm']]], 3),
                   20, 'muscle', 0, under=['fat', 'visceral_fat'])
    # muscle fatty infiltration in elderly
    if p.elderly:
        m = cv.tissue == T['muscle']
        nf = smooth_noise(cv.shape, 3, rng)
        cv.tissue[m & (nf > 1.4)] = T['fat']


def build_table(cv, p, rng, y_table, gap, half_w):
    """Curved table top under the flattened back, optional mattress, a second support shell, blankets."""
    sl = (slice(None), slice(None), slice(None))
    Z, Y, X = cv.coords(sl)
    curv = U(rng, 0.0002, 0.0012)
    shell = U(rng, 1.8, 4.0)
    thick = U(rng, 8, 45)
    width = U(rng, 190, 260)
    y0 = y_table + gap
    top = y0 - curv * X ** 2
    inside_w = np.abs(X) < width
    tab = (Y >= top) & (Y <= top + thick) & inside_w
    core = (Y >= top + shell) & (Y <= top + thick - shell) & (np.abs(X) < width - shell)
    tab = np.broadcast_to(tab, cv.shape)
    core = np.broadcast_to(core, cv.shape)
    air = cv.tissue == T['air']
    cv.tissue[tab & air] = T['table_shell']
    cv.tissue[core & air] = T['table_core']
    if gap > 3 and rng.random() < 0.8:
        mat = np.broadcast_to((Y >= y_table) & (Y < top) & (np.abs(X) < width - 20), cv.shape)
        cv.tissue[mat & air] = T['mattress']
    if rng.random() < 0.5:  # second, lower curved shell (cradle/support)
        y2 = y0 + thick + U(rng, 20, 60)
        top2 = y2 - curv * 1.3 * X ** 2
        t2 = np.broadcast_to((Y >= top2) & (Y <= top2 + shell) & (np.abs(X) < width * 0.8), cv.shape)
        cv.tissue[t2 & (cv.tissue == T['air'])] = T['table_shell']
    if rng.random() < 0.3:  # metal rails at the table edges
        for s in (-1, 1):
            sl2 = cv.box((s * width - 6, y0 - 4, cv.z[0]), (s * width + 6, y0 + 8, cv.z[-1]))
            if sl2 is not None:
                cv.put(sl2, cv.tissue[sl2] == T['air'], 'metal', 0)
    if rng.random() < 0.3:  # blanket over the anterior body
        body = cv.tissue != T['air']
        dil = ndi.binary_dilation(body, iterations=int(rng.integers(2, 6)))
        ant = np.broadcast_to(Y < float(np.mean(cv.y)), cv.shape)
        cv.tissue[dil & ~body & ant] = T['blanket']
    if rng.random() < 0.4:  # ECG electrodes / leads on the skin
        for _ in range(int(rng.integers(1, 6))):
            zc = U(rng, cv.z[0], cv.z[-1])
            xc = U(rng, -120, 120)
            col = cv.tissue[int((zc - cv.z[0]) / VOX), :, int((xc - cv.x[0]) / VOX)]
            nz = np.flatnonzero(col != T['air'])
            if nz.size:
                yc = cv.y[nz[0]] - 3
                paint_ellipsoid(cv, [xc, yc, zc], [5, 2.5, 5], 'metal', 0, under=['air'])


# ---------------------------------------------------------------- rendering (per patch)
def sample_lut(rng, phase=None):
    phase = phase or PHASES[rng.choice(len(PHASES), p=PHASE_P)]
    mean = np.zeros(256, np.float32)
    tex = np.zeros(256, np.float32)
    for name, spec in HU.items():
        lo, hi = spec[phase] if isinstance(spec, dict) else spec
        mean[T[name]] = rng.uniform(lo, hi)
        tex[T[name]] = TEXTURE.get(name, 5) * rng.uniform(0.6, 1.4)
    # coherence: arteries brighter than portal blood in arterial phases; kidneys cortex >= medulla there
    if phase in ('arterial', 'cta'):
        mean[T['blood_art']] = max(mean[T['blood_art']], mean[T['blood_portal']] + 60)
    if rng.random() < 0.15:   # positive oral contrast
        mean[T['gut_fluid']] = rng.uniform(150, 500)
    return mean, tex, phase


def render(tissue, label, rng, phase=None, fov=True):
    """tissue/label patch [Z,Y,X] -> (HU float32, label with IGNORE for cropped-away voxels)."""
    mean, tex, phase = sample_lut(rng, phase)
    label = label.copy()
    t = tissue
    hu = mean[t]
    fine = rng.standard_normal(t.shape).astype(np.float32)
    fine = ndi.gaussian_filter(fine, rng.uniform(0.5, 1.0)) * 2.2
    hu += tex[t] * fine
    low = smooth_noise(t.shape, 10, rng) * rng.uniform(3, 10)
    soft = (mean[t] > -200) & (mean[t] < 300)
    hu += np.where(soft, low, 0)
    pad = t == T['pad_outside']
    # partial volume / scanner PSF and slice thickness
    sxy, sz = rng.uniform(0.35, 1.0), rng.uniform(0.3, 1.6)
    hu = ndi.gaussian_filter(hu, (sz, sxy, sxy))
    # streaks through dense objects (metal, dense contrast, shoulders)
    if rng.random() < 0.2:
        nz_, ny_, nx_ = t.shape
        yy, xx = np.mgrid[0:ny_, 0:nx_]
        k0, k1 = sorted(rng.integers(0, nz_, 2))
        for _ in range(int(rng.integers(2, 10))):
            cy_, cx_ = rng.uniform(0, ny_), rng.uniform(0, nx_)
            ang = rng.uniform(0, np.pi)
            d = np.abs((yy - cy_) * np.cos(ang) - (xx - cx_) * np.sin(ang))
            hu[k0:k1 + 1] += (rng.choice([-1, 1]) * rng.uniform(40, 250) * np.exp(-d / rng.uniform(0.6, 1.5)))[None]
    # quantum noise
    sigma = rng.uniform(3, 35)
    noise = rng.standard_normal(t.shape).astype(np.float32)
    if rng.random() < 0.5:
        noise = ndi.gaussian_filter(noise, (rng.uniform(0.3, 1.2), 0.5, 0.5)) * 2.0
    hu += sigma * noise
    hu[pad] = PAD_HU
    label[pad] = 0
    if fov and rng.random() < 0.25:   # reconstruction circle: outside set to the padding value, background
        nz_, ny_, nx_ = t.shape
        yy, xx = np.mgrid[0:ny_, 0:nx_]
        cy_, cx_ = ny_ / 2 + rng.uniform(-0.6, 0.6) * ny_, nx_ / 2 + rng.uniform(-0.6, 0.6) * nx_
        R = rng.uniform(0.4, 1.0) * max(ny_, nx_)
        out = ((yy - cy_) ** 2 + (xx - cx_) ** 2) > R * R
        hu[:, out] = rng.choice([PAD_HU, -2048.0, -3024.0, -1000.0])
        label[:, out] = 0
    return hu.astype(np.float32), label


# ---------------------------------------------------------------- pool of phantoms for training
def cache_path(seed):
    return os.path.join(CACHE, 'phantoms', f'v{GENERATOR_VERSION}_{seed}.npz')


def get_phantom(seed):
    path = cache_path(seed)
    if os.path.exists(path):
        z = np.load(path)
        return dict(tissue=z['tissue'], label=z['label'])
    ph = build_phantom(seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + f'.{os.getpid()}.tmp.npz'
    np.savez_compressed(tmp, tissue=ph['tissue'], label=ph['label'])
    os.replace(tmp, path)
    return ph


def generate(seeds, workers=1):
    if workers <= 1:
        for s in seeds:
            get_phantom(s)
        return
    from multiprocessing import Pool
    with Pool(workers) as pool:
        list(pool.imap_unordered(get_phantom, seeds))


class PhantomPool:
    """N phantoms (cached on disk), patches rendered on the fly in a random contrast phase."""

    def __init__(self, n, seed=0, patch_xyz=(96, 96, 32), base_seed=100000):
        from data import ClassIndex
        self.shape = tuple(patch_xyz[::-1])
        self.items = []
        seeds = [base_seed + i for i in range(n)]
        generate([s for s in seeds if not os.path.exists(cache_path(s))], workers=1)
        for i, s in enumerate(seeds):
            ph = get_phantom(s)
            body = np.stack(np.nonzero(ph['tissue'][::3, ::3, ::3] != T['air']), 1) * 3
            self.items.append(dict(tissue=ph['tissue'], label=ph['label'], ci=ClassIndex(ph['label'], 5000, seed + i), body=body))

    def sample(self, rng):
        from data import extract, rotation_matrix
        it = self.items[rng.integers(len(self.items))]
        shape = np.array(self.shape)
        c = it['ci'].centre(rng, shape / 4) if rng.random() < 0.6 else None
        if c is None:
            c = it['body'][rng.integers(len(it['body']))] + rng.uniform(-3, 3, 3)
        m = rotation_matrix(rng) / rng.uniform(0.9, 1.1) if rng.random() < 0.3 else None
        t = extract(it['tissue'], c, shape, T['pad_outside'], 0, m)
        lab = extract(it['label'], c, shape, 0, 0, m)
        hu, lab = render(t, lab, rng)
        # crops like real scans: a thin slab or a cut side, the rest padding (label unknown)
        if shape[0] > 8 and rng.random() < 0.2:
            k = int(rng.integers(8, shape[0]))
            k0 = int(rng.integers(0, shape[0] - k + 1))
            hu[:k0] = PAD_HU; lab[:k0] = 0
            hu[k0 + k:] = PAD_HU; lab[k0 + k:] = 0
        if rng.random() < 0.15:
            ax = int(rng.integers(1, 3))
            cut = int(rng.integers(shape[ax] // 4, shape[ax] * 3 // 4))
            idx = [slice(None)] * 3
            idx[ax] = slice(cut, None) if rng.random() < 0.5 else slice(0, cut)
            hu[tuple(idx)] = PAD_HU; lab[tuple(idx)] = 0
        return normalize(hu)[None], lab.astype(np.int64)


# ---------------------------------------------------------------- checks and sheets
def check(n=4, verbose=True):
    """Sanity tests of labels and intensities (run by `node training/run.mjs --check`)."""
    problems = []
    rng = np.random.default_rng(0)
    ranges = {}
    for i in range(n):
        ph = build_phantom(900 + i, z_range=(-80.0, 680.0) if i == 0 else None)
        t, lab = ph['tissue'], ph['label']
        m = ph['meta']
        if verbose:
            print(f"phantom {900 + i}: {m['region']} shape {t.shape} {m['seconds']}s labels {np.bincount(lab.ravel(), minlength=11)[:11].tolist()}")
        if lab.max() > 10:
            problems.append(f'phantom {i}: label {lab.max()} out of range')
        for bad in ('table_shell', 'table_core', 'mattress', 'air', 'blanket', 'fat', 'muscle', 'skin'):
            if (lab[t == T[bad]] != 0).any():
                problems.append(f'phantom {i}: {bad} voxels carry a label')
        # bone labels are bone tissues
        bt = np.unique(t[lab == BONE])
        if not set(bt.tolist()) <= {T['cortical'], T['trabecular'], T['marrow'], T['cartilage']}:
            problems.append(f'phantom {i}: bone label on tissues {[TISSUE_NAMES[k] for k in bt]}')
        if i == 0:
            counts = np.bincount(lab.ravel(), minlength=11)
            for cid in range(1, 11):
                if counts[cid] == 0:
                    problems.append(f'whole-torso phantom has no voxel of class {cid}')
            if (t == T['table_shell']).sum() == 0:
                problems.append('no scan table')
            # render in every phase and check class intensities
            for phase in PHASES:
                hu, l2 = render(t[::1, ::1, ::1], lab, np.random.default_rng(1), phase=phase, fov=False)
                ranges[phase] = {c: float(np.median(hu[l2 == c])) for c in (1, 2, 3, 4, 7)}
            if not ranges['none'][2] < 80:
                problems.append(f"non-contrast arteries median {ranges['none'][2]:.0f} HU (expected ~40)")
            if not 200 < ranges['arterial'][2] < 700:
                problems.append(f"arterial-phase arteries median {ranges['arterial'][2]:.0f} HU")
            if not 100 < ranges['portal'][3] < 250:
                problems.append(f"portal-phase veins median {ranges['portal'][3]:.0f} HU")
            if not ranges['none'][7] < -600:
                problems.append(f"lung median {ranges['none'][7]:.0f} HU")
            if not 100 < ranges['none'][1] < 700:
                problems.append(f"bone median {ranges['none'][1]:.0f} HU")
            # the table is dense (the classic threshold failure) and unlabelled
            tab = t == T['table_shell']
            if tab.any():
                hu, _ = render(t, lab, np.random.default_rng(2), phase='none', fov=False)
                if np.median(hu[tab]) < 60:
                    problems.append('table not dense enough to fool a threshold')
            if verbose:
                print('median HU per phase (bone, arteries, veins, liver, lungs):', {k: {c: round(v) for c, v in d.items()} for k, d in ranges.items()})
    # pool sampling works and is reproducible
    return problems


def sheet(n, out_dir):
    from viz import sheet as save_sheet, views
    os.makedirs(out_dir, exist_ok=True)
    for i in range(n):
        ph = build_phantom(100000 + i)
        rng = np.random.default_rng(i)
        hu, lab = render(ph['tissue'], ph['label'], rng, fov=False)
        nz = hu.shape[0]
        r1, cs = views(hu, lab)
        r0, _ = views(hu, None)
        save_sheet([r0, r1, cs], os.path.join(out_dir, f"phantom_{i}_{ph['meta']['region']}.png"), scale=1)
        print(i, ph['meta'], hu.shape)


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--sheet', type=int, default=0)
    ap.add_argument('--generate', type=int, default=0, help='build and cache N phantoms of the training pool')
    ap.add_argument('--workers', type=int, default=1)
    a = ap.parse_args()
    if a.check:
        pr = check()
        if pr:
            print('PHANTOM CHECK FAILED:\n- ' + '\n- '.join(pr))
            sys.exit(1)
        print('phantom check ok')
    if a.sheet:
        sheet(a.sheet, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'runs', 'viz'))
    if a.generate:
        t = time.time()
        generate([100000 + i for i in range(a.generate)], a.workers)
        print(f'generated {a.generate} phantoms in {time.time() - t:.0f}s')
