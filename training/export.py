"""Export a trained network to ONNX (opset 17, fixed input [1,1,Z,Y,X], ArgMax in the graph) plus
its manifest (src/segmentation/manifest.ts), then verify: onnx.checker, the largest intermediate
tensor against onnxruntime-web's 128 MiB limit, no ConvTranspose / MaxPool, and onnxruntime-node's
class ids against torch's on a real patch."""
from __future__ import annotations

import copy
import inspect
import json
import os
import subprocess
import tempfile

import numpy as np
import onnx
import torch
from onnx import shape_inference

from common import CLASSES, NORM, OVERLAP, PAD_HU, ROOT, SCOPE, SPACING, normalize
from model import ArgMaxExport

MAX_TENSOR_BYTES = 128 * 1024 * 1024
FORBIDDEN_OPS = {'ConvTranspose', 'MaxPool'}


def largest_tensor_bytes(model):
    inferred = shape_inference.infer_shapes(model)
    best = (0, None)
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        if dims and all(d > 0 for d in dims):
            n = int(np.prod(dims)) * (8 if vi.type.tensor_type.elem_type == onnx.TensorProto.INT64 else 4)
            if n > best[0]:
                best = (n, f'{vi.name} {dims}')
    return best


def manifest(file, patch, training):
    return {
        'format': 1,
        'name': ('HoloCT 2.5D U-Net (bones, vessels, organs)' if training.get('arch') == '2.5d'
                 else 'HoloCT 3D U-Net (bones, vessels, organs)'),
        'file': file,
        'inputName': 'ct',
        'outputName': 'labels',
        'spacing': list(SPACING),
        'patchSize': list(patch),
        'overlap': OVERLAP,
        'padHU': PAD_HU,
        'normalization': dict(NORM),
        'classes': copy.deepcopy(CLASSES),
        'scope': copy.deepcopy(SCOPE),
        'training': training,
    }


def ort_node_run(onnx_path, x_zyx):
    """Class ids from onnxruntime-node for one normalized patch [Z,Y,X]."""
    onnx_path = os.path.abspath(onnx_path)
    with tempfile.TemporaryDirectory() as d:
        inp, out = os.path.join(d, 'in.f32'), os.path.join(d, 'out.i32')
        x_zyx.astype(np.float32).tofile(inp)
        z, y, x = x_zyx.shape
        r = subprocess.run(['node', os.path.join(ROOT, 'training', 'ort_check.mjs'), onnx_path, inp, str(x), str(y), str(z), out],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f'onnxruntime-node failed on {onnx_path}: {r.stderr[-2000:]}')
        meta = json.loads(r.stdout.strip().splitlines()[-1])
        return np.fromfile(out, np.int32).reshape(x_zyx.shape), meta


def export_model(net, patch, out_dir, training, name='holoct-seg', verify_patch=None):
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, name + '.onnx')
    px, py, pz = patch
    cpu_net = copy.deepcopy(net).to('cpu').eval()
    wrapper = ArgMaxExport(cpu_net).eval()
    dummy = torch.zeros(1, 1, pz, py, px)
    kwargs = dict(input_names=['ct'], output_names=['labels'], opset_version=17, do_constant_folding=True)
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False          # torch >= 2.5: keep the TorchScript exporter (fixed shapes, opset 17)
    torch.onnx.export(wrapper, dummy, onnx_path, **kwargs)
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model)
    ops = sorted({n.op_type for n in model.graph.node})
    bad = FORBIDDEN_OPS.intersection(ops)
    if bad:
        raise RuntimeError(f'{onnx_path}: forbidden ops {bad}')
    big, where = largest_tensor_bytes(model)
    if big > MAX_TENSOR_BYTES:
        raise RuntimeError(f'{onnx_path}: tensor {where} is {big / 2**20:.1f} MiB > 128 MiB')
    size = os.path.getsize(onnx_path)

    # torch vs onnxruntime-node on a real-looking patch (a real case when given, else a smooth phantom-ish field)
    if verify_patch is None:
        from cases import canonical_case
        c = canonical_case('B')
        hu = c['hu']
        zc, yc, xc = [s // 2 for s in hu.shape]
        sub = np.full((pz, py, px), PAD_HU, np.float32)
        blk = hu[max(0, zc - pz // 2):zc + pz // 2, max(0, yc - py // 2):yc + py // 2, max(0, xc - px // 2):xc + px // 2]
        sub[:blk.shape[0], :blk.shape[1], :blk.shape[2]] = blk
        verify_patch = normalize(sub)
    with torch.no_grad():
        ref = wrapper(torch.from_numpy(verify_patch[None, None])).numpy()[0]
    ort_ids, meta = ort_node_run(onnx_path, verify_patch)
    agree = float((ort_ids == ref).mean())
    check = {'onnxChecker': 'ok', 'ops': ops, 'largestTensorMiB': round(big / 2**20, 2), 'largestTensor': where,
             'fileMB': round(size / 1e6, 2), 'ortNodeAgreement': agree, 'ortNodeMsPerPatch': meta['ms'],
             'outputDims': meta['dims'], 'outputType': meta['type']}
    if agree < 0.999:
        raise RuntimeError(f'{onnx_path}: onnxruntime-node agrees with torch on only {agree:.5f} of voxels')
    training = dict(training)
    training['exportCheck'] = check
    with open(os.path.join(out_dir, name + '.json'), 'w') as f:
        json.dump(manifest(name + '.onnx', patch, training), f, indent=1)
    print('exported', onnx_path, json.dumps(check), flush=True)
    return check


if __name__ == '__main__':
    import argparse
    import sys
    from common import NUM_CLASSES
    from model import build_net
    ap = argparse.ArgumentParser(description='export a trained model.pt (re-export / early shipping)')
    ap.add_argument('--model', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--info', default=None, help='info.json with provenance to embed')
    a = ap.parse_args()
    torch.set_num_threads(2)
    ck = torch.load(a.model, map_location='cpu')
    net = build_net(ck.get('arch', '3d'), NUM_CLASSES, ck['channels'], ck.get('context', 2), ck.get('norm', 'in'))
    net.load_state_dict(ck['state_dict'])
    info = json.load(open(a.info)) if a.info else {}
    export_model(net.eval(), tuple(ck['patch']), a.out, info)
    sys.exit(0)
