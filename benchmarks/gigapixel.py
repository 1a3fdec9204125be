"""Slides of Camelyon16's size through every command: tiling, features, prediction with a trained model, FROC.

    .venv/bin/python benchmarks/gigapixel.py --work /tmp/giga                  # 50,000 px and 25,000 px slides (about an hour on 2 cores)
    .venv/bin/python benchmarks/gigapixel.py --work /tmp/giga --size 12000     # a quick try

A Camelyon16 slide at 20x is about 50,000 x 100,000 px with about 8,000 tissue tiles of 224 px. This writes a
synthetic JPEG pyramid of `--size` px square at 0.5 µm/px (20x) with tumour regions and their XML, and one of half
that side (a quarter of the tiles), then runs on each, as separate processes under GNU time: `dsmil-tile` (20x and
5x), `dsmil-features` (random ResNet18, 2 reader processes), `dsmil-predict` (a DSMIL model trained by `dsmil-train`
on six small synthetic slides embedded the same way) and `dsmil-froc`. Printed per slide and command: wall time and
peak resident memory (the largest of the command's processes), then the ratio of the full slide's figures to the
half-size slide's, and whether the heatmap, detections and GeoJSON were written and read back.

Every step leaves its output and its figures (`<work>/steps.json`) on disk, so a rerun resumes where it stopped.
"""
from __future__ import annotations
import argparse, json, os, platform, subprocess, sys, time
from pathlib import Path

def run(cmd:list, log:Path) -> dict:
    "Run a command under GNU time; its wall seconds and peak resident MiB."
    tf = log.with_suffix('.time')
    t = time.perf_counter()
    with open(log, 'w') as f: r = subprocess.run(['/usr/bin/time', '-f', '%M', '-o', str(tf), *map(str, cmd)], stdout=f, stderr=subprocess.STDOUT)
    if r.returncode: sys.exit(f"{cmd[0]} failed (exit {r.returncode}); see {log}")
    return dict(seconds=round(time.perf_counter() - t, 1), peak_mib=round(int(tf.read_text().split()[-1]) / 1024, 1))

def step(state:dict, key:str, work:Path, fn):
    "Run `fn` once: its figures are kept in `<work>/steps.json` for the next run."
    if key not in state:
        state[key] = fn(); (work/'steps.json').write_text(json.dumps(state, indent=1))
        print(key, state[key], flush=True)
    return state[key]

def model_for(work:Path, state:dict) -> Path:
    "A DSMIL model trained on six small synthetic slides embedded by the random encoder."
    from dsmil_sa.synthetic import make_synthetic_slide
    sm = work/'small'
    for i in range(6): 
        if not (sm/'slides'/f's{i}.tif').exists(): make_synthetic_slide(sm/'slides'/f's{i}.tif', size=4096, tumor=i < 3, seed=100 + i)
    step(state, 'small tile', work, lambda: run(['dsmil-tile', sm/'slides', '--out', sm/'tiles', '--quiet'], sm/'tile.log'))
    step(state, 'small features', work, lambda: run(['dsmil-features', sm/'tiles', '--out', sm/'bags', '--workers', 2, '--quiet'], sm/'features.log'))
    step(state, 'small train', work, lambda: run(['dsmil-train', sm/'bags', '--labels-from-xml', '--epochs', 20, '--val-frac', 0.34,
                                                 '--out', sm/'model', '--quiet'], sm/'train.log'))
    return sm/'model'/'model.pt'

def slide_steps(work:Path, state:dict, name:str, size:int, model:Path) -> dict:
    "Make one slide and run the four commands on it."
    from dsmil_sa.synthetic import make_synthetic_slide
    from dsmil_sa.tiling import TileSet
    d = work/name; d.mkdir(parents=True, exist_ok=True)
    def make():
        t = time.perf_counter(); make_synthetic_slide(d/'slides'/f'{name}.tif', size=size, tumor=True, seed=7, n_tumors=(3, 5))
        return dict(seconds=round(time.perf_counter() - t, 1))
    step(state, f'{name} slide', work, make)
    out = {}
    out['dsmil-tile'] = step(state, f'{name} tile', work, lambda: run(['dsmil-tile', d/'slides', '--out', d/'tiles', '--quiet'], d/'tile.log'))
    ts = TileSet.load(d/'tiles'/f'{name}.h5'); out['tiles'] = {f'{m}x': len(c) for m, c in ts.coords.items()}
    out['dsmil-features'] = step(state, f'{name} features', work, lambda: run(['dsmil-features', d/'tiles', '--out', d/'bags', '--workers', 2, '--quiet'], d/'features.log'))
    out['dsmil-predict'] = step(state, f'{name} predict', work, lambda: run(['dsmil-predict', d/'slides', '--model', model, '--out', d/'pred',
                                                                            '--workers', 2, '--quiet'], d/'predict.log'))
    out['dsmil-froc'] = step(state, f'{name} froc', work, lambda: run(['dsmil-froc', d/'pred', '--annotations', d/'slides', '--mpp', 0.5,
                                                                      '--out', d/'froc.json'], d/'froc.log'))
    out['outputs'] = check_outputs(d, name)
    return out

def check_outputs(d:Path, name:str) -> str:
    "Whether the heatmap, the detections and the GeoJSON were written and read back."
    import numpy as np, pandas as pd, matplotlib.image as mpimg
    found = {p.suffix: p for p in (d/'pred').rglob(f'{name}*') if p.is_file()}
    try:
        geo = json.loads(found['.geojson'].read_text()); det = pd.read_csv(found['.csv']); img = mpimg.imread(found['.png'])
        froc = json.loads((d/'froc.json').read_text())
        return f"heatmap {img.shape[1]}x{img.shape[0]} px, {len(det)} detections, {len(geo.get('features', []))} GeoJSON features, FROC report with {froc.get('n_slides')} slide"
    except Exception as e: return f"NOT READABLE: {type(e).__name__}: {e} (found {sorted(found)})"

def main(work:Path, size:int) -> list[str]:
    work.mkdir(parents=True, exist_ok=True)
    state = json.loads((work/'steps.json').read_text()) if (work/'steps.json').exists() else {}
    if state.get('size', size) != size: sys.exit(f"{work} was made with --size {state['size']}: use another --work")
    state['size'] = size
    model = model_for(work, state)
    res = {n: slide_steps(work, state, n, s, model) for n, s in (('half', size // 2), ('full', size))}
    lines = [f"{platform.node()}, {os.cpu_count()} cores: synthetic slides at 20x (0.5 µm/px), {size // 2:,} and {size:,} px square"]
    for n, r in res.items():
        lines.append(f"{n} ({size // (2 if n == 'half' else 1):,} px; tiles {r['tiles']}; slide written in {state[n + ' slide']['seconds']:,.0f} s): " +
                     "; ".join(f"{c} {r[c]['seconds']:,.1f} s, peak {r[c]['peak_mib']:,.0f} MiB" for c in ('dsmil-tile', 'dsmil-features', 'dsmil-predict', 'dsmil-froc')))
        lines.append(f"  outputs: {r['outputs']}")
    h, f = res['half'], res['full']
    lines.append("full / half: " + "; ".join(f"{c} time {f[c]['seconds'] / h[c]['seconds']:.2f}x, peak memory {f[c]['peak_mib'] / h[c]['peak_mib']:.2f}x"
                                            for c in ('dsmil-tile', 'dsmil-features', 'dsmil-predict', 'dsmil-froc')))
    return lines

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--work', required=True, help='working folder (kept: a rerun resumes)')
    p.add_argument('--size', type=int, default=50000, help='side of the full slide in pixels at 20x')
    p.add_argument('--out', default=None, help='also write the lines to this file')
    a = p.parse_args()
    lines = main(Path(a.work), a.size); print('\n'.join(lines))
    if a.out: Path(a.out).write_text('\n'.join(lines) + '\n')
