"""SimCLR's views: `simclr.BatchViews` (a whole batch at once, per-image random parameters) against `simclr.SimCLRViews`
(torchvision's v2 pipeline once per tile, what training did before), on the same batch and device.

    .venv/bin/python benchmarks/augment.py                     # 64 tiles of 224 px on the CPU
    .venv/bin/python benchmarks/augment.py --batch 256 --device cuda

Printed: milliseconds per view for each, and the ratio; then one SimCLR training step of ResNet18 (forward and
backward of both views) with each, and the bare step on views made beforehand, so the ratio of a step to the bare
network says how much of the step the views still cost.
"""
from __future__ import annotations
import argparse, platform, time
import torch

def timed(f, dev, reps:int) -> float:
    "Seconds per call of `f` (after one warm-up call)."
    f(); sync(dev); t = time.perf_counter()
    for _ in range(reps): f()
    sync(dev); return (time.perf_counter() - t) / reps

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def main(batch:int, size:int, device:str, reps:int) -> list[str]:
    from dsmil_sa.encoders import toy_tiles
    from dsmil_sa.simclr import BatchViews, SimCLRViews, SimCLR, simclr_step
    dev = torch.device(device); x = toy_tiles(batch, size).to(dev)
    old, new = SimCLRViews(size), BatchViews(size)
    t_old, t_new = timed(lambda: old.one(x), dev, reps), timed(lambda: new.one(x), dev, reps)
    out = [f"{platform.node()} ({dev}, torch {torch.__version__}): {batch} tiles of {size} px",
           f"views: per-image v2 {1e3 * t_old / batch:.3f} ms per view, batched {1e3 * t_new / batch:.3f} ms per view: {t_old / t_new:.1f}x"]
    model = SimCLR().to(dev); opt = torch.optim.Adam(model.parameters(), lr=1e-5)
    amp = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if dev.type == 'cuda' else None
    scaler = torch.amp.GradScaler('cuda') if amp == torch.float16 else None
    fixed = new(x)
    class Fixed(torch.nn.Module):
        def forward(self, x): return fixed
    steps = {n: timed(lambda v=v: simclr_step(model, v, x, opt, scaler, 0.5, amp), dev, max(1, reps // 2))
             for n, v in (('bare (views made beforehand)', Fixed()), ('batched views', new), ('per-image views', old))}
    bare = steps['bare (views made beforehand)']
    out += [f"one SimCLR step, {n}: {batch / s:,.1f} images/s = {bare / s:.2f} of the bare step" for n, s in steps.items()]
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=64); p.add_argument('--size', type=int, default=224)
    p.add_argument('--device', default='cpu'); p.add_argument('--reps', type=int, default=3)
    p.add_argument('--out', default=None, help='also write the lines to this file')
    a = p.parse_args()
    lines = main(a.batch, a.size, a.device, a.reps); print('\n'.join(lines))
    if a.out: open(a.out, 'w').write('\n'.join(lines) + '\n')
