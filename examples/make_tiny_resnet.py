#!/usr/bin/env python3
"""Regenerates examples/tiny_resnet.onnx: a small seeded ResNet-style CNN
(conv/BN/ReLU stem, two residual blocks, one strided, a depthwise conv,
global average pooling and a linear head) for 1x3x32x32 inputs."""
import os

import torch

torch.manual_seed(0)


class Block(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = torch.nn.BatchNorm2d(cout)
        self.dw = torch.nn.Conv2d(cout, cout, 3, 1, 1, groups=cout, bias=False)
        self.b2 = torch.nn.BatchNorm2d(cout)
        self.skip = (torch.nn.Conv2d(cin, cout, 1, stride, bias=False)
                     if stride != 1 or cin != cout else torch.nn.Identity())

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.dw(y))
        return torch.relu(y + self.skip(x))


class TinyResNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, 1, 1),
                                        torch.nn.BatchNorm2d(16), torch.nn.ReLU())
        self.l1 = Block(16, 16, 1)
        self.l2 = Block(16, 32, 2)
        self.pool = torch.nn.MaxPool2d(2)
        self.head = torch.nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(self.l2(self.l1(self.stem(x))))
        return self.head(torch.flatten(torch.mean(x, dim=(2, 3)), 1))


model = TinyResNet()
for m in model.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        with torch.no_grad():
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
model.eval()
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny_resnet.onnx")
torch.onnx.export(model, torch.randn(1, 3, 32, 32), out, opset_version=13,
                  input_names=["input"], output_names=["output"])
print("wrote", out)
