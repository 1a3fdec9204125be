"""Feature-extraction throughput: tiles/s split into slide reading, transforms and the model.

    python benchmarks/features.py [--size 2048] [--tile 224] [--n 256] [--batch 64] [--workers 0] [--embedder random]

Makes a synthetic slide and its tile set in a temporary folder, then embeds `--n` tiles at the highest magnification
with `embed_tiles(timing=True)`, which times the three stages of every batch: waiting for tiles (slide reading, in
the loader's workers when `--workers > 0`, so the wait is what is left after overlap), normalisation on the device,
and the network (float16 autocast on a GPU). When CUDA is available it also prints the bare ResNet18 rate on random
tensors, the ceiling that slide reading and transforms are measured against.
"""
from __future__ import annotations
import argparse, tempfile, time
from pathlib import Path
import torch
from dsmil_sa.core import get_device
from dsmil_sa.synthetic import make_synthetic_slide
from dsmil_sa.tiling import tile_slide, TileSet
from dsmil_sa.encoders import SlideTiles, mag_value, resnet18_encoder
from dsmil_sa.features import load_embedder, embed_tiles


def bare_model_rate(tile:int, batch:int, device, steps:int=20) -> float:
    "Tiles/s of ResNet18 inference on random tensors already on the device (float16 autocast on CUDA)."
    net = resnet18_encoder('instance').to(device).eval()
    x = torch.randn(batch, 3, tile, tile, device=device)
    half = device.type == 'cuda'
    with torch.inference_mode(), torch.autocast(device.type, dtype=torch.float16, enabled=half):
        for _ in range(3): net(x)
        if half: torch.cuda.synchronize(device)
        t = time.perf_counter()
        for _ in range(steps): net(x)
        if half: torch.cuda.synchronize(device)
    return steps * batch / (time.perf_counter() - t)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--size', type=int, default=2048, help='synthetic slide side (level-0 px)')
    p.add_argument('--tile', type=int, default=224, help='tile size in pixels')
    p.add_argument('--n', type=int, default=256, help='tiles to embed')
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--workers', type=int, default=0)
    p.add_argument('--embedder', default='random', help='"random" or a weights file')
    p.add_argument('--device', default=None)
    a = p.parse_args()
    device = get_device(a.device)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        slide = make_synthetic_slide(d/'bench.tif', size=a.size, tumor=False, seed=0)
        ts = TileSet.load(tile_slide(slide, d/'tiles', mags=(20, 5), tile_size=a.tile))
        hi = max(ts.mags, key=mag_value)
        ds = SlideTiles([ts], mags=[hi])
        n = min(a.n, len(ds))
        ds = torch.utils.data.Subset(ds, list(range(n)))
        emb = load_embedder(a.embedder)
        embed_tiles(emb, torch.utils.data.Subset(ds, list(range(min(n, a.batch)))), a.batch, 0, device)  # warm-up
        t0 = time.perf_counter()
        feats, t = embed_tiles(emb, ds, a.batch, a.workers, device, timing=True)
        wall = time.perf_counter() - t0
    print(f"device {device} ({torch.cuda.get_device_name(device) if device.type == 'cuda' else f'{torch.get_num_threads()} threads'}), "
          f"{emb.name}, {n} tiles of {a.tile} px at {hi}, batch {a.batch}, workers {a.workers}")
    for k in ('read', 'transform', 'model'):
        print(f"  {k:9s} {t[k]:7.2f} s  {n / max(t[k], 1e-9):9.1f} tiles/s")
    print(f"  {'total':9s} {wall:7.2f} s  {n / wall:9.1f} tiles/s  (features {tuple(feats.shape)})")
    if device.type == 'cuda':
        print(f"  bare ResNet18 on random tensors: {bare_model_rate(a.tile, max(a.batch, 256), device):.0f} tiles/s")


if __name__ == '__main__':
    main()
