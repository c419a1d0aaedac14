"""PNG contact sheets of CT slices with label overlays (for eyeballing phantoms and predictions)."""
from __future__ import annotations

import numpy as np
from PIL import Image

from common import CLASSES, IGNORE

COLORS = np.zeros((256, 3), np.uint8)
for _c in CLASSES:
    v = int(_c['color'][1:], 16)
    COLORS[_c['id']] = ((v >> 16) & 255, (v >> 8) & 255, v & 255)
COLORS[IGNORE] = (60, 60, 60)


def window(hu, lo=-400, hi=600):
    return (np.clip((hu - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8)


def overlay(hu2d, lab2d=None, alpha=0.45):
    g = window(hu2d)
    rgb = np.stack([g, g, g], -1).astype(np.float32)
    if lab2d is not None:
        m = (lab2d > 0) & (lab2d != IGNORE)
        rgb[m] = (1 - alpha) * rgb[m] + alpha * COLORS[lab2d[m]]
    return rgb.astype(np.uint8)


def sheet(panels, path, scale=2):
    """panels: list of rows, each a list of HxWx3 uint8 arrays."""
    rows = []
    for row in panels:
        h = max(p.shape[0] for p in row)
        row = [np.pad(p, ((0, h - p.shape[0]), (0, 2), (0, 0))) for p in row]
        rows.append(np.concatenate(row, 1))
    w = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 2), (0, w - r.shape[1]), (0, 0))) for r in rows]
    img = np.concatenate(rows, 0)
    Image.fromarray(img).resize((img.shape[1] * scale, img.shape[0] * scale), Image.NEAREST).save(path)


def views(hu, lab, zs=None):
    """Axial slices at zs (array [Z,Y,X]; anterior at top, patient left on the image right... as LPS
    x grows to the right of the image), plus a coronal and a sagittal cut through the middle."""
    nz, ny, nx = hu.shape
    zs = zs if zs is not None else [nz // 4, nz // 2, 3 * nz // 4]
    row = [overlay(hu[z], None if lab is None else lab[z]) for z in zs]
    cor = overlay(hu[::-1, ny // 2, :], None if lab is None else lab[::-1, ny // 2, :])
    sag = overlay(hu[::-1, :, nx // 2], None if lab is None else lab[::-1, :, nx // 2])
    return row, [cor, sag]
