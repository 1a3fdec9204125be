"""Feature extraction's data path and whole-folder pipeline against the per-tile, per-slide path it replaced.

    .venv/bin/python benchmarks/extraction.py                       # 4 slides of 8192 px, 224 px tiles: a few minutes on 2 cores
    .venv/bin/python benchmarks/extraction.py --size 4096 --slides 2
    .venv/bin/python benchmarks/extraction.py --tiles /tmp/giga/full/tiles    # also the data path on tile sets made elsewhere (a gigapixel slide)

The slides are synthetic JPEG-compressed pyramids (`synthetic.make_synthetic_slide`, 256 px JPEG squares, as an
Aperio SVS), tiled at 20x and 5x with 224 px tiles, so a tile straddles up to four of the slide's squares. Printed:

1. the data path alone, in this process (one worker), with a null model (the tiles are read and dropped):
   per-tile reads (`encoders.SlideTiles`, one `read_region` per tile, what extraction did before) against block reads
   (`features.BlockReader` over `features.block_jobs`, one `Slide.read_tiles` per 8 x 8 block), tiles/s and the ratio,
   and where cuCIM is installed the block reads through it (`reader='cucim'`);
   with `--tiles`, the same on those tile sets too;
2. the whole folder with a random ResNet18 on the CPU and 2 reader processes, each path run twice (old, new, new, old): the previous path (per slide and per
   magnification a new `DataLoader` with its workers, `features.embed_tiles`) against `features.extract_files` (one
   pipeline for the folder), tiles/s and the ratio. Bags are written by the new path only; the old one's features are
   compared with them.
"""
from __future__ import annotations
import argparse, importlib.util, platform, tempfile, time
from pathlib import Path
import numpy as np, torch

def data_path(sets) -> tuple[int, float, float]:
    "Tiles, and tiles/s of per-tile reads, of block reads and of block reads through cuCIM (None where not installed), in this process with a null model."
    from dsmil_sa.encoders import SlideTiles
    from dsmil_sa.features import BlockReader, block_jobs
    n = sum(len(c) for ts in sets for c in ts.coords.values())
    t = time.perf_counter()
    for ts in sets:
        ds = SlideTiles([ts])
        for k in range(len(ds)): ds[k]
        ds.close()
    per_tile = n / (time.perf_counter() - t)
    t = time.perf_counter(); got = 0
    with BlockReader(0) as r:
        for _, x in r.imap(((None, j) for ts in sets for _, _, j in block_jobs(ts))): got += len(x)
    assert got == n
    blocks = n / (time.perf_counter() - t)
    if not importlib.util.find_spec('cucim'): return n, per_tile, blocks, None
    t = time.perf_counter()
    with BlockReader(0) as r:
        for _, x in r.imap(((None, j) for ts in sets for _, _, j in block_jobs(ts, reader='cucim'))): pass
    return n, per_tile, blocks, n / (time.perf_counter() - t)

def cucim_note(per_tile, cu) -> str:
    "The cuCIM block reads' figure, where cuCIM is installed."
    return '' if cu is None else f"; block reads through cuCIM (--reader cucim) {cu:,.0f} tiles/s: {cu / per_tile:.2f}x"

def main(size:int, n_slides:int, workers:int, batch:int, other_tiles=None) -> list[str]:
    import h5py
    from dsmil_sa.synthetic import make_synthetic_slide
    from dsmil_sa.tiling import tile_slide, TileSet, mag_name
    from dsmil_sa.encoders import SlideTiles, tile_set_files
    from dsmil_sa.features import load_embedder, embed_tiles, extract_files
    d = Path(tempfile.mkdtemp())
    tiles = [tile_slide(make_synthetic_slide(d/'slides'/f's{i}.tif', size=size, tumor=True, seed=i), d/'tiles', mags=(20, 5), tile_size=224, xml=False)
             for i in range(n_slides)]
    sets = [TileSet.load(t) for t in tiles]
    n, per_tile, blocks, cu = data_path(sets)
    out = [f"{platform.node()}: {n_slides} synthetic slides of {size} px (JPEG pyramid), {n} tiles of 224 px at 20x and 5x, "
           f"torch {torch.__version__}, {torch.get_num_threads()} threads",
           f"data path, one worker, null model: per-tile reads {per_tile:,.0f} tiles/s, block reads {blocks:,.0f} tiles/s: {blocks / per_tile:.2f}x" + cucim_note(per_tile, cu)]
    if other_tiles:
        m, a, b, c = data_path([TileSet.load(f) for f in tile_set_files(other_tiles)])
        out.append(f"data path on {other_tiles} ({m:,} tiles), one worker, null model: per-tile reads {a:,.0f} tiles/s, "
                   f"block reads {b:,.0f} tiles/s: {b / a:.2f}x" + cucim_note(a, c))
    emb = load_embedder('random')
    embed_tiles(emb, torch.utils.data.Subset(SlideTiles(tiles[0]), range(batch)), batch)            # warm-up
    def run_old():
        got = {}
        for f, ts in zip(tiles, sets):
            for m in ts.mags: got[(f.name, m)] = embed_tiles(emb, SlideTiles([ts], mags=[m]), batch, workers=workers)
        return got
    times = dict(old=[], new=[])
    for k, which in enumerate(('old', 'new', 'new', 'old')):            # each twice, in an order that favours neither
        t = time.perf_counter()
        if which == 'old': old = run_old()
        else: bags = extract_files(tiles, emb, d/f'bags{k}', batch_size=batch, workers=workers)
        times[which].append(time.perf_counter() - t)
    t_old, t_new = np.mean(times['old']), np.mean(times['new'])
    dev = 0.
    for b, ts in zip(bags, sets):
        with h5py.File(b) as h:
            for m in ts.mags: dev = max(dev, float(np.abs(h[mag_name(m)]['feats'][:].astype(np.float32) - old[(b.name, m)]).max()))
    out.append(f"whole folder, random ResNet18 on the CPU, {workers} reader processes, batch {batch}: per-slide loaders {n / t_old:,.1f} tiles/s, "
               f"one pipeline {n / t_new:,.1f} tiles/s: {t_old / t_new:.2f}x (each run twice, alternating: per-slide loaders "
               f"{', '.join(f'{n / s:.1f}' for s in times['old'])}, pipeline {', '.join(f'{n / s:.1f}' for s in times['new'])} tiles/s; "
               f"largest feature difference {dev:.1e}, float16 storage)")
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--size', type=int, default=8192); p.add_argument('--slides', type=int, default=4)
    p.add_argument('--workers', type=int, default=2); p.add_argument('--batch', type=int, default=32)
    p.add_argument('--tiles', default=None, help='also measure the data path on this folder of tile sets')
    p.add_argument('--out', default=None, help='also write the lines to this file')
    a = p.parse_args()
    lines = main(a.size, a.slides, a.workers, a.batch, a.tiles)
    print('\n'.join(lines))
    if a.out: Path(a.out).write_text('\n'.join(lines) + '\n')
