#!/usr/bin/env python3
"""Exports the dnnc model suite to ONNX with Debian's python3-torch.

Weights are drawn from a fixed seed (no pretrained weights can be
downloaded); BatchNorm running statistics are re-drawn so that BatchNorm
folding is really exercised, and zero-initialised heads are re-drawn.
Batch 1, opset 13, static shapes.

    export_models.py OUT_DIR [--models resnet18,mobilenet_v2,...]
"""
import argparse
import os
import sys

import torch
import torchvision

SUITE = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small",
         "mobilenet_v3_large", "efficientnet_b0", "mnasnet1_0",
         "squeezenet1_1", "shufflenet_v2_x1_0", "regnet_y_400mf",
         "convnext_tiny", "vit_b_16", "transformer"]


# Variants with symbolic dims (exported with dynamic_axes): the compiled model
# runs at any batch (and, for the transformer, sequence length).
DYNAMIC = {
    "resnet18_dyn": {0: "batch"},
    "mobilenet_v2_dyn": {0: "batch"},
    "transformer_dyn": {0: "batch", 1: "seq"},
}


class TransformerEncoder(torch.nn.Module):
    """A 4-layer transformer encoder (d=256, 4 heads, ff=1024) on 64 tokens."""

    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0,
                                                 batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, 4)

    def forward(self, x):
        return self.encoder(x)


def build(name):
    if name == "transformer":
        return TransformerEncoder(), torch.randn(1, 64, 256)
    model = getattr(torchvision.models, name)(weights=None)
    return model, torch.randn(1, 3, 224, 224)


def redraw(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
                if m.weight is not None:
                    m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
        if isinstance(m, torch.nn.Linear):
            with torch.no_grad():
                if float(m.weight.abs().max()) == 0.0:
                    m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * 0.02)


def export(name, out_dir):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    axes = DYNAMIC.get(name)
    model, x = build(name[:-len("_dyn")] if axes else name)
    redraw(model, gen)
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + ".onnx")
    # Gradients stay enabled: under no_grad torch 1.13 takes a fused
    # TransformerEncoderLayer fast path that has no ONNX export.
    torch.onnx.export(model, x, path, opset_version=13,
                      input_names=["input"], output_names=["output"],
                      do_constant_folding=True,
                      dynamic_axes={"input": axes, "output": axes} if axes else None)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--models", default=",".join(SUITE))
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.models.split(","):
        path = os.path.join(args.out_dir, name + ".onnx")
        if os.path.exists(path):
            print("have", path)
            continue
        print("exporting", name, flush=True)
        export(name, args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
