"""SimCLR's views: `simclr.BatchViews` (a whole batch at once, per-image random parameters; eager and compiled) against
`simclr.SimCLRViews` (torchvision's v2 pipeline once per tile, what training did before) and, where it is installed
(`pip install kornia`), kornia's batched augmentations with the same recipe, on the same batch and device.

    .venv/bin/python benchmarks/augment.py --recipe cpu      # the CPU recipe: 32 tiles of 224 px to views of 48 px
    .venv/bin/python benchmarks/augment.py --recipe paper    # the paper's: 64 tiles of 224 px to views of 224 px
    .venv/bin/python benchmarks/augment.py --recipe paper --batch 256 --device cuda

Printed: milliseconds per view for each, and the ratios to the per-image loop; then one SimCLR training step of
ResNet18 (forward and backward of both views) with each, and the bare step on views made beforehand, so the ratio of a
step to the bare network says how much of the step the views still cost.
"""
from __future__ import annotations
import argparse, platform, time, warnings
import torch

def timed(f, dev, reps:int) -> float:
    "Seconds per call of `f` (after one warm-up call, which also compiles)."
    f(); sync(dev); t = time.perf_counter()
    for _ in range(reps): f()
    sync(dev); return (time.perf_counter() - t) / reps

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def kornia_views(size:int, jitter:float=0.8, hue:float=0.2, scale=(0.08, 1.0)):
    "The recipe with kornia's augmentations, per-image parameters over a float batch (None where kornia is not installed)."
    try: import kornia.augmentation as K
    except ImportError: return None
    from dsmil_sa.encoders import to_input
    from dsmil_sa.simclr import blur_kernel_size
    k = blur_kernel_size(size)
    aug = K.AugmentationSequential(K.RandomResizedCrop((size, size), scale=scale), K.RandomHorizontalFlip(), K.RandomVerticalFlip(),
                                   K.ColorJitter(jitter, jitter, jitter, hue, p=0.8), K.RandomGrayscale(p=0.2),
                                   K.RandomGaussianBlur((k, k), (0.1, 2.0), p=0.5))
    class Views:
        def one(self, x): return to_input(aug(x.float() / 255))
    return Views()

RECIPES = dict(cpu=dict(batch=32, tile=224, size=48), paper=dict(batch=64, tile=224, size=224))

def main(recipe:str, batch:int, tile:int, size:int, device:str, reps:int) -> list[str]:
    from dsmil_sa.encoders import toy_tiles
    from dsmil_sa.simclr import BatchViews, SimCLRViews, SimCLR, simclr_step, CPU_SIMCLR
    kw = CPU_SIMCLR['aug_kw'] if recipe == 'cpu' else {}
    dev = torch.device(device); x = toy_tiles(batch, tile).to(dev)
    views = dict(per_image=SimCLRViews(size, **kw), batched=BatchViews(size, **kw), compiled=BatchViews(size, compiled=True, **kw),
                 kornia=kornia_views(size, **kw))
    if views['kornia'] is None: print('kornia is not installed: its column is left out'); views.pop('kornia')
    t = {}
    for name, v in views.items():
        try: t[name] = timed(lambda: v.one(x), dev, reps)
        except Exception as e: print(f"{name} views unavailable: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    out = [f"{platform.node()} ({dev}, torch {torch.__version__}, {torch.get_num_threads()} threads): {recipe} recipe, {batch} tiles of {tile} px to views of {size} px",
           "views: " + ", ".join(f"{n.replace('_', '-')} {1e3 * s / batch:.3f} ms per view" + ('' if n == 'per_image' else f" ({t['per_image'] / s:.1f}x)")
                                 for n, s in t.items())]
    model = SimCLR().to(dev); opt = torch.optim.Adam(model.parameters(), lr=1e-5)
    amp = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if dev.type == 'cuda' else None
    scaler = torch.amp.GradScaler('cuda') if amp == torch.float16 else None
    fixed = views['batched'](x)
    class Fixed(torch.nn.Module):
        def forward(self, x): return fixed
    steps = {n: timed(lambda v=v: simclr_step(model, v, x, opt, scaler, 0.5, amp), dev, max(1, reps // 4))
             for n, v in (('bare (views made beforehand)', Fixed()), ('batched views', views['batched']), ('per-image views', views['per_image']))}
    bare = steps['bare (views made beforehand)']
    out += [f"one SimCLR step, {n}: {batch / s:,.1f} images/s = {bare / s:.2f} of the bare step" for n, s in steps.items()]
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--recipe', choices=list(RECIPES), default='cpu', help="the CPU recipe's augmentation (CPU_SIMCLR) or the paper's")
    p.add_argument('--batch', type=int); p.add_argument('--tile', type=int, help='side of the tiles')
    p.add_argument('--size', type=int, help='side of the views')
    p.add_argument('--device', default='cpu'); p.add_argument('--reps', type=int, default=20)
    p.add_argument('--out', default=None, help='also append the lines to this file')
    a = p.parse_args(); r = dict(RECIPES[a.recipe], **{k: getattr(a, k) for k in ('batch', 'tile', 'size') if getattr(a, k)})
    warnings.filterwarnings('ignore', message='Dynamo detected a call')
    lines = main(a.recipe, r['batch'], r['tile'], r['size'], a.device, a.reps); print('\n'.join(lines))
    if a.out: open(a.out, 'a').write('\n'.join(lines) + '\n')
