"""A small 3D U-Net for 2-core CPU training and onnxruntime-web inference.

Export-friendly by construction: Conv3d (3x3x3 and 1x1x1), InstanceNormalization, LeakyRelu,
strided convolution for downsampling (no MaxPool3D), 1x1x1 conv + trilinear Resize for upsampling
(no ConvTranspose3D), Concat skips, and ArgMax over classes inside the exported graph.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, ci, co, stride=1):
        super().__init__()
        self.c1 = nn.Conv3d(ci, co, 3, stride, 1)
        self.n1 = nn.InstanceNorm3d(co, affine=True)
        self.c2 = nn.Conv3d(co, co, 3, 1, 1)
        self.n2 = nn.InstanceNorm3d(co, affine=True)

    def forward(self, x):
        x = F.leaky_relu(self.n1(self.c1(x)), 0.01)
        return F.leaky_relu(self.n2(self.c2(x)), 0.01)


class UNet3D(nn.Module):
    def __init__(self, num_classes, channels=(8, 16, 32, 64, 128)):
        super().__init__()
        ch = list(channels)
        self.channels = ch
        self.enc = nn.ModuleList([Block(1, ch[0])] + [Block(ch[i - 1], ch[i], 2) for i in range(1, len(ch))])
        self.up = nn.ModuleList([nn.Conv3d(ch[i], ch[i - 1], 1) for i in range(len(ch) - 1, 0, -1)])
        self.dec = nn.ModuleList([Block(2 * ch[i - 1], ch[i - 1]) for i in range(len(ch) - 1, 0, -1)])
        self.head = nn.Conv3d(ch[0], num_classes, 1)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
        skips.pop()
        for up, dec in zip(self.up, self.dec):
            # 1x1x1 conv at low resolution, then trilinear x2 (ONNX Resize): cheaper than conv after
            x = F.interpolate(up(x), scale_factor=2.0, mode='trilinear', align_corners=False)
            x = dec(torch.cat([x, skips.pop()], 1))
        return self.head(x)


def norm2d(kind, c):
    # 'bn': BatchNorm (fixed statistics at inference: a voxel's label depends on its receptive field
    # only, not on what else the window holds); 'in': InstanceNorm (per-slice statistics)
    return nn.BatchNorm2d(c) if kind == 'bn' else nn.InstanceNorm2d(c, affine=True)


class Block2D(nn.Module):
    def __init__(self, ci, co, stride=1, norm='bn'):
        super().__init__()
        self.c1 = nn.Conv2d(ci, co, 3, stride, 1)
        self.n1 = norm2d(norm, co)
        self.c2 = nn.Conv2d(co, co, 3, 1, 1)
        self.n2 = norm2d(norm, co)

    def forward(self, x):
        x = F.leaky_relu(self.n1(self.c1(x)), 0.01)
        return F.leaky_relu(self.n2(self.c2(x)), 0.01)


class UNet25D(nn.Module):
    """2.5D: a 2D U-Net per axial slice that sees 2k+1 neighbouring slices as channels.

    Training input: [B, 1, 2k+1, Y, X] (a slab) -> logits [B, K, Y, X] for the centre slice.
    Volume input (`forward_volume`, used by the export): [1, 1, Z, Y, X] -> logits [1, K, Z, Y, X], the
    slab of each slice built in the graph (edge slices repeated), Z folded into the batch (Conv2d).
    """

    def __init__(self, num_classes, channels=(16, 32, 64, 128, 256), context=2, norm='bn'):
        super().__init__()
        ch = list(channels)
        self.channels = ch
        self.context = context
        cin = 2 * context + 1
        self.enc = nn.ModuleList([Block2D(cin, ch[0], 1, norm)] + [Block2D(ch[i - 1], ch[i], 2, norm) for i in range(1, len(ch))])
        self.up = nn.ModuleList([nn.Conv2d(ch[i], ch[i - 1], 1) for i in range(len(ch) - 1, 0, -1)])
        self.dec = nn.ModuleList([Block2D(2 * ch[i - 1], ch[i - 1], 1, norm) for i in range(len(ch) - 1, 0, -1)])
        self.head = nn.Conv2d(ch[0], num_classes, 1)

    def forward2d(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
        skips.pop()
        for up, dec in zip(self.up, self.dec):
            x = F.interpolate(up(x), scale_factor=2.0, mode='bilinear', align_corners=False)
            x = dec(torch.cat([x, skips.pop()], 1))
        return self.head(x)

    def forward(self, x):
        # x [B, 1, 2k+1, Y, X] -> [B, K, Y, X]
        return self.forward2d(x[:, 0])

    def forward_volume(self, x):
        # x [1, 1, Z, Y, X]: slabs of 2k+1 slices around every slice (edges repeated), Z folded into batch
        k = self.context
        z = x.shape[2]
        v = x[0, 0]                                           # [Z, Y, X]
        if k > 0:
            v = torch.cat([v[:1]] * k + [v] + [v[-1:]] * k, 0)  # [Z+2k, Y, X]
        slabs = torch.stack([v[i:i + z] for i in range(2 * k + 1)], 1)   # [Z, 2k+1, Y, X]
        logits = self.forward2d(slabs)                        # [Z, K, Y, X]
        return logits.permute(1, 0, 2, 3).unsqueeze(0)        # [1, K, Z, Y, X]


class ArgMaxExport(nn.Module):
    """[1,1,Z,Y,X] normalized HU -> [1,Z,Y,X] int64 class ids (ONNX ArgMax)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        logits = self.net.forward_volume(x) if hasattr(self.net, 'forward_volume') else self.net(x)
        return torch.argmax(logits, dim=1)


def build_net(arch, num_classes, channels, context=2, norm='bn'):
    if arch == '2.5d':
        return UNet25D(num_classes, channels, context, norm)
    return UNet3D(num_classes, channels)


def volume_logits(net, x):
    """[1,1,Z,Y,X] -> [1,K,Z,Y,X] for either architecture."""
    return net.forward_volume(x) if hasattr(net, 'forward_volume') else net(x)


def pick_device():
    return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
