"""Tiling throughput: our coordinate tiling against writing JPEG tiles the way DSMIL's tiler does.

    .venv/bin/python benchmarks/tiling.py                  # an 8192-pixel synthetic tumour slide
    .venv/bin/python benchmarks/tiling.py --size 16384 --repeats 3

Three ways to tile the same slide at 20x and 5x (224-pixel tiles):

- coords: `tile_slide` (tissue mask on a thumbnail, grids, pyramid, labels, HDF5): no tile pixels are read;
- coords+jpeg: the same, then every kept tile is read and saved as JPEG in DSMIL's pyramid folders (`--jpeg`);
- dsmil-style: what DSMIL's tiler does: read *every* grid tile at both magnifications, keep it when its edge
  response is high enough, save the kept ones as JPEG.

Tiles per second count kept tiles (both magnifications) per second of wall time, all on one process.
"""
from __future__ import annotations
import argparse, tempfile, time, platform
from pathlib import Path
import numpy as np
from PIL import Image
from skimage.filters import sobel
from dsmil_sa.slides import Slide, make_synthetic_slide
from dsmil_sa.tiling import tile_slide, TileSet, grid

def dsmil_style(slide_path, out_dir, mags=(20, 5), tile_size=224, edge_thr=0.02):
    "Read every grid tile at each magnification, keep tiles with enough edges, write them as JPEG; return #kept."
    kept = 0
    with Slide(slide_path) as s:
        for m in mags:
            d = Path(out_dir) / f'{m}x'; d.mkdir(parents=True, exist_ok=True)
            for x, y in grid(s.dimensions, tile_size * s.downsample_for(m)):
                t = s.read_region((x, y), tile_size, m)
                if sobel(t.mean(-1) / 255).mean() < edge_thr: continue
                Image.fromarray(t).save(d / f'{x}_{y}.jpeg', quality=90); kept += 1
    return kept

def timed(f, repeats):
    "Best wall time of `repeats` calls of `f`, and its last result."
    best, res = float('inf'), None
    for _ in range(repeats):
        t0 = time.perf_counter(); res = f(); best = min(best, time.perf_counter() - t0)
    return best, res

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--size', type=int, default=8192, help='side of the synthetic slide (level 0, 0.5 µm/px)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--repeats', type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        t0 = time.perf_counter()
        sp = make_synthetic_slide(d / 'slide.tif', size=a.size, seed=a.seed)
        print(f'synthetic slide {a.size}x{a.size} written in {time.perf_counter() - t0:.1f} s ({platform.processor() or platform.machine()})')
        n = 0
        def ours(jpeg):
            nonlocal n; n += 1
            return TileSet.load(tile_slide(sp, d / f'o{n}', jpeg=jpeg))
        t_c, ts = timed(lambda: ours(False), a.repeats)
        n_kept = sum(len(ts.coords[m]) for m in ts.mags)
        t_j, _ = timed(lambda: ours(True), a.repeats)
        k = 0
        def ref():
            nonlocal k; k += 1
            return dsmil_style(sp, d / f'r{k}')
        t_r, n_ref = timed(ref, a.repeats)
        with Slide(sp) as s: n_grid = sum(len(grid(s.dimensions, 224 * s.downsample_for(m))) for m in (20, 5))
        print(f'grid tiles at 20x+5x: {n_grid}; kept by us: {n_kept} ({", ".join(f"{len(ts.coords[m])} @ {m}x" for m in ts.mags)}); '
              f'kept by the edge rule: {n_ref}')
        print(f'{"method":<14}{"seconds":>10}{"kept tiles/s":>15}')
        for name, t, kk in (('coords', t_c, n_kept), ('coords+jpeg', t_j, n_kept), ('dsmil-style', t_r, n_ref)):
            print(f'{name:<14}{t:>10.2f}{kk / t:>15.0f}')
        print(f'speed-up of coordinate tiling over DSMIL-style JPEG tiling: {t_r / t_c:.0f}x (wall time per slide)')

if __name__ == '__main__': main()
