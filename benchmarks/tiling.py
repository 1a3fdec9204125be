"""Tiling: our tile sets against DSMIL's tiler (every grid tile read through DeepZoom, kept by its edges, saved as JPEG).

    .venv/bin/python benchmarks/tiling.py                         # a 16384-pixel synthetic slide, 2 workers each
    .venv/bin/python benchmarks/tiling.py --size 8192 --workers 1

Each method runs in its own fresh process on the same slide, with the same number of worker processes:

- coords: `dsmil-tile` (tissue mask on a thumbnail read in bands, grids, pyramid, labels, HDF5); no tile pixels are
  read, because the feature extractor reads them from the slide later;
- coords+jpeg: the same, then every kept tile read and saved as JPEG in DSMIL's pyramid folders, split over the workers;
- reference: DSMIL's `deepzoom_tiler.py` algorithm: an OpenSlide `DeepZoomGenerator` (224 px, no overlap), *every*
  tile of the 20x and 5x levels read by a pool of workers, kept when the mean of PIL's FIND_EDGES response is above 15
  (its default threshold), and saved as JPEG (quality 70, its default).

Printed per method: wall time in the process (imports excluded), kept tiles, and peak resident memory of the main
process and of its largest child process (the workers; a library's `ldconfig` call at import time shows up there too,
at about 50 MiB, when there are none); then the ratios against the reference.
"""
from __future__ import annotations
import argparse, json, math, os, platform, resource, subprocess, sys, tempfile, time
from pathlib import Path

def reference(slide_path, out_dir, workers, mags=(20, 5), tile_size=224, threshold=15, quality=70):
    "DSMIL's tiler: all DeepZoom tiles at `mags`, kept by edge response, saved as JPEG; return #kept."
    import concurrent.futures as cf, openslide
    from openslide.deepzoom import DeepZoomGenerator
    with openslide.OpenSlide(str(slide_path)) as s:
        dz = DeepZoomGenerator(s, tile_size=tile_size, overlap=0, limit_bounds=True)
        base = float(s.properties.get(openslide.PROPERTY_NAME_OBJECTIVE_POWER, 20))
        levels = {m: dz.level_count - 1 - round(math.log2(base / m)) for m in mags}
        jobs = [(m, lv, c, r) for m, lv in levels.items() for c in range(dz.level_tiles[lv][0]) for r in range(dz.level_tiles[lv][1])]
    for m in mags: (Path(out_dir) / f'{m}x').mkdir(parents=True, exist_ok=True)
    n = -(-len(jobs) // (4 * workers))
    chunks = [(str(slide_path), str(out_dir), jobs[i:i + n], tile_size, threshold, quality) for i in range(0, len(jobs), n)]
    if workers <= 1: return sum(map(_reference_chunk, chunks))
    with cf.ProcessPoolExecutor(workers) as ex: return sum(ex.map(_reference_chunk, chunks))

def _reference_chunk(args):
    "Worker of `reference`: read, test and save one chunk of DeepZoom tiles."
    import numpy as np, openslide
    from openslide.deepzoom import DeepZoomGenerator
    from PIL import ImageFilter, ImageStat
    path, out, jobs, tile_size, threshold, quality = args
    kept = 0
    with openslide.OpenSlide(path) as s:
        dz = DeepZoomGenerator(s, tile_size=tile_size, overlap=0, limit_bounds=True)
        for m, lv, c, r in jobs:
            tile = dz.get_tile(lv, (c, r))
            if tile.size != (tile_size, tile_size): continue          # DSMIL drops edge tiles of another size
            edge = np.mean(ImageStat.Stat(tile.filter(ImageFilter.FIND_EDGES)).sum) / tile_size ** 2
            if edge <= threshold: continue
            tile.save(Path(out) / f'{m}x' / f'{c}_{r}.jpeg', quality=quality); kept += 1
    return kept

def run_one(method, slide_path, out_dir, workers):
    "Run `method` in this process; return its figures."
    import numpy, openslide, openslide.deepzoom, PIL.ImageFilter, tqdm.auto  # imports are not timed
    from dsmil_sa.tiling import tile_folder, TileSet
    t0 = time.perf_counter()
    if method == 'reference': kept = reference(slide_path, out_dir, workers)
    else:
        failed = tile_folder(slide_path, out_dir, workers=workers, jpeg=method == 'coords+jpeg', progress=False)
        assert not failed, failed
        ts = TileSet.load(Path(out_dir) / f'{Path(slide_path).stem}.h5'); kept = sum(len(ts.coords[m]) for m in ts.mags)
    sec = time.perf_counter() - t0
    mib = lambda who: resource.getrusage(who).ru_maxrss / 1024
    return dict(method=method, seconds=sec, kept=kept, main_mib=mib(resource.RUSAGE_SELF), worker_mib=mib(resource.RUSAGE_CHILDREN))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--size', type=int, default=16384, help='side of the synthetic slide (level 0, 0.5 µm/px)')
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--run', nargs=3, metavar=('METHOD', 'SLIDE', 'OUT'), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.run: print(json.dumps(run_one(*a.run, a.workers))); return
    from dsmil_sa.synthetic import make_synthetic_slide
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); t0 = time.perf_counter()
        sp = make_synthetic_slide(d / 'slide.tif', size=a.size, seed=a.seed)
        print(f'synthetic slide {a.size}x{a.size} at 20x written in {time.perf_counter() - t0:.1f} s; '
              f'{platform.machine()}, {os.cpu_count()} cores, {a.workers} worker(s) per method')
        res = {}
        for m in ('coords', 'coords+jpeg', 'reference'):
            out = subprocess.run([sys.executable, __file__, '--workers', str(a.workers), '--run', m, str(sp), str(d / m)],
                                 capture_output=True, text=True, check=True).stdout
            res[m] = json.loads(out.strip().splitlines()[-1])
        print(f'{"method":<13}{"seconds":>9}{"kept tiles":>12}{"main MiB":>10}{"child MiB":>11}')
        for r in res.values():
            w = f"{r['worker_mib']:.0f}" if r['worker_mib'] else '-'
            print(f"{r['method']:<13}{r['seconds']:>9.2f}{r['kept']:>12}{r['main_mib']:>10.0f}{w:>11}")
        ref = res['reference']['seconds']
        for m in ('coords', 'coords+jpeg'):
            print(f'reference / {m}: {ref / res[m]["seconds"]:.1f}x wall time')
        print(f'measured {time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())}')

if __name__ == '__main__': main()
