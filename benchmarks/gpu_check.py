"""One short check of the CUDA paths and their speed, for the minutes when a GPU is lent; `--tiny` runs it on the CPU in seconds (CI does, so that it cannot rot).

    python benchmarks/gpu_check.py                      # on a GPU: about 5 minutes; writes benchmarks/results/gpu_check_<device>.txt
    python benchmarks/gpu_check.py --tiny --out /tmp/x  # the same code at toy sizes, on whatever device there is
    python benchmarks/gpu_check.py --parts features simclr    # only these parts (the most telling first when time is short)

Each figure goes through the package's public functions on the device `core.get_device` picks:

1. feature extraction in steady state, on 8 synthetic JPEG pyramids tiled at 20x and 5x (every grid tile kept, over
   20,000 tiles of 224 px): the reader processes alone (`features.BlockReader`, null model), the network alone on
   batches already on the device (`features.TileEmbedder`, eager and `torch.compile`d), and the whole pipeline
   (`features.extract_files`), with the pipeline's ratio to the slower of reader and network; where cuCIM is installed,
   its readers alone and the pipeline reading with it (`reader='cucim'`, compiled where the network is);
2. one epoch of `learner.fit` with DSMIL at Camelyon16's scale: 270 bags of about 8,000 x 512 (views of one pool);
3. SimCLR (`simclr.train_simclr`, views made on the device by `simclr.BatchViews`, bfloat16 where the GPU has it):
   images per second against the bare forward and backward of the same network, batch and precision on views made
   beforehand, and the per-image views (`simclr.SimCLRViews`) beside them;
4. the projection to Camelyon16's size (400 slides, about 3.4 million tiles at 20x and 5x): hours of feature
   extraction, and of one SimCLR epoch over those tiles;
5. the MNIST-bags trainers at the paper's settings (LeNet + SA-AbMILP, one bag per step): one run alone
   (`mnist_grid.mnist_bags_run`) and 30 runs in lockstep (`mnist_grid.fit_runs`), bag steps per second.
"""
from __future__ import annotations
import argparse, time, tempfile, platform, datetime, re, importlib.util
from pathlib import Path
import numpy as np
import torch
from dsmil_sa.core import get_device, DataError
from dsmil_sa.synthetic import make_synthetic_slide
from dsmil_sa.tiling import tile_slide
import os
from dsmil_sa.tiling import TileSet
from dsmil_sa.encoders import resnet18_encoder
from dsmil_sa.simclr import train_simclr, SimCLR, BatchViews, SimCLRViews, simclr_step
from dsmil_sa.features import load_embedder, BlockReader, block_jobs, TileEmbedder, extract_files
from dsmil_sa.bags import ListBags
from dsmil_sa.learner import fit
from dsmil_sa.dsmil import DSMIL

SIZES = dict(full=dict(slides=8, slide=12288, tile=224, batch=256, bags=270, inst=8000, dim=512, sim_tile=224, sim_batch=256, sim_steps=60, mnist_bags=200, mnist_runs=30),
             tiny=dict(slides=8, slide=1024, tile=64, batch=16, bags=6, inst=200, dim=32, sim_tile=64, sim_batch=4, sim_steps=2, mnist_bags=10, mnist_runs=3))
CAMELYON16_TILES = 3.4e6          # 400 slides at 20x and 5x
PARTS = ('features', 'simclr', 'simclr_compiled', 'dsmil', 'mnist')

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def rate(f, n:int, dev) -> float:
    "Items per second of `f()`, which handles `n` items."
    sync(dev); t = time.perf_counter(); f(); sync(dev)
    return n / (time.perf_counter() - t)

def _slide(args):
    d, i, size, tile = args
    s = make_synthetic_slide(Path(d)/'slides'/f's{i}.tif', size=size, tumor=True, seed=i)
    return tile_slide(s, Path(d)/'tiles', mags=(20, 5), tile_size=tile, xml=False, min_tissue=0.0)

def features(S, dev, d:Path) -> list[str]:
    import concurrent.futures as cf
    with cf.ProcessPoolExecutor(min(S['slides'], os.cpu_count() or 1)) as ex:
        tiles = list(ex.map(_slide, [(str(d), i, S['slide'], S['tile']) for i in range(S['slides'])]))
    sets = [TileSet.load(t) for t in tiles]; n = sum(len(c) for ts in sets for c in ts.coords.values())
    W = max(1, min(8, (os.cpu_count() or 2) - 2)) if dev.type == 'cuda' else 2
    def read_all(how):
        with BlockReader(W) as r:
            for _ in r.imap(((None, j) for ts in sets for _, _, j in block_jobs(ts, reader=how))): pass
    reads = {how: rate(lambda how=how: read_all(how), n, dev) for how in ('auto', 'cucim') if how != 'cucim' or importlib.util.find_spec('cucim')}
    reader = reads['auto']
    emb, B = load_embedder('random'), S['batch']
    x = torch.randint(0, 256, (B, 3, S['tile'], S['tile']), dtype=torch.uint8, device=dev)
    nets = {'eager': TileEmbedder(emb, dev, B)}
    if dev.type == 'cuda':                     # compiling on a CPU takes a minute: not in the --tiny run of CI
        try: nets['compiled'] = TileEmbedder(emb, dev, B, compile=True); nets['compiled'](x)      # compiled once, outside the timing
        except Exception as e: nets.pop('compiled', None); print(f"torch.compile unavailable: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
    steps = max(3, 20 * 256 // B)
    model = {k: rate(lambda net=net: [net(x) for _ in range(steps)], steps * B, dev) for k, net in nets.items() if net(x) is not None}
    pipe = rate(lambda: extract_files(tiles, emb, d/'bags', batch_size=B, workers=W, device=dev), n, dev)
    bound = min(reader, model['eager'])
    extra = ''
    if 'compiled' in model:                    # the compiled pipeline, its compilation done on one slide first
        extract_files(tiles[:1], emb, d/'bags_w', batch_size=B, workers=W, device=dev, compile=True)
        pipe_c = rate(lambda: extract_files(tiles, emb, d/'bags_c', batch_size=B, workers=W, device=dev, compile=True), n, dev)
        extra = f"; compiled pipeline {pipe_c:,.0f} tiles/s = {pipe_c / min(reader, model['compiled']):.2f} of the slower of readers and compiled network"
    if 'cucim' in reads:                       # the optional reader (`--reader cucim`), where installed
        net = 'compiled' if 'compiled' in model else 'eager'
        pipe_u = rate(lambda: extract_files(tiles, emb, d/'bags_u', batch_size=B, workers=W, device=dev, compile=net == 'compiled', reader='cucim'), n, dev)
        extra += (f"; reading with cuCIM: readers alone {reads['cucim']:,.0f} tiles/s, {net} pipeline {pipe_u:,.0f} tiles/s = "
                  f"{pipe_u / min(reads['cucim'], model[net]):.2f} of the slower of its readers and the {net} network")
    return [f"feature extraction: {S['slides']} slides, {n:,} tiles of {S['tile']} px, {W} reader processes, batch {B}: "
            f"readers alone {reader:,.0f} tiles/s; network alone " + ", ".join(f"{k} {v:,.0f} tiles/s" for k, v in model.items()) +
            f"; whole pipeline {pipe:,.0f} tiles/s = {pipe / bound:.2f} of the slower of readers and network" + extra,
            f"projection to Camelyon16 (400 slides, {CAMELYON16_TILES / 1e6:.1f} million tiles): features {CAMELYON16_TILES / pipe / 3600:.2f} h"]

def dsmil_epoch(S, dev) -> list[str]:
    g = torch.Generator().manual_seed(0); pool = torch.randn(int(S['inst'] * 1.5), S['dim'], generator=g)
    sizes = (S['inst'] * (0.5 + torch.rand(S['bags'], generator=g))).long().tolist()
    bags = [pool[:n] for n in sizes]; y = np.arange(S['bags']) % 2
    m = DSMIL(S['dim'], scale=True); fit(m, ListBags(bags, y), None, 'dsmil', epochs=1, device=dev, progress=False)   # warm-up
    t = time.perf_counter(); fit(m, ListBags(bags, y), None, 'dsmil', epochs=1, device=dev, progress=False); sync(dev); s = time.perf_counter() - t
    return [f"DSMIL epoch (learner.fit): {S['bags']} bags of about {S['inst']} x {S['dim']} in {s:.1f} s, {sum(sizes) / s:,.0f} instances/s"]

class RandomTiles(torch.utils.data.Dataset):
    def __init__(self, n, size): self.x = torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return self.x[i]

def _simclr_rates(S, dev, d:Path, compiled:bool) -> dict:
    "Images/s of `train_simclr` (loader, views, checkpoints) and of bare steps, steps with batched views and with per-image views."
    ds, b, T = RandomTiles(S['sim_batch'] * (S['sim_steps'] + 2), S['sim_tile']), S['sim_batch'], S['sim_tile']
    kw = dict(epochs=1, batch_size=b, lr=1e-4, workers=8 if dev.type == 'cuda' else 0, device=dev, progress=False, aug_kw=dict(compiled=compiled))
    tag = 'c' if compiled else ''
    train_simclr(ds, d/f'warm{tag}.pt', max_steps=2, **kw)                               # warm-up (and the compilation)
    full = rate(lambda: train_simclr(ds, d/f'sim{tag}.pt', max_steps=S['sim_steps'], **kw), S['sim_steps'] * b, dev)
    amp = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if dev.type == 'cuda' else None
    model = SimCLR().to(dev); opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    scaler = torch.amp.GradScaler('cuda') if amp == torch.float16 else None
    x = ds.x[:b].to(dev); fixed, views = BatchViews(T)(x), BatchViews(T, compiled=compiled)
    steps = max(2, S['sim_steps'] // 3)
    def steps_with(v): return rate(lambda: [simclr_step(model, v, x, opt, scaler, 0.5, amp) for _ in range(steps)], steps * b, dev)
    steps_with(views)                                                                  # warm-up
    r = dict(amp=amp, batch=b, tile=T, full=full, bare=steps_with(lambda x: fixed), batched=steps_with(views))
    if not compiled: r['per_image'] = steps_with(SimCLRViews(T))
    return r

def simclr(S, dev, d:Path) -> list[str]:
    r = _simclr_rates(S, dev, d, compiled=False); bare = r['bare']
    return [f"SimCLR ({r['amp'] or 'float32'}): batch {r['batch']} of {r['tile']} px, train_simclr {r['full']:,.0f} images/s over {S['sim_steps']} steps with "
            f"checkpoints = {r['full'] / bare:.2f} of the bare forward and backward ({bare:,.0f} images/s on views made beforehand); "
            f"steps with batched views and no loader {r['batched']:,.0f} images/s = {r['batched'] / bare:.2f} of the bare; with per-image views {r['per_image']:,.0f} images/s",
            f"projection to Camelyon16 ({CAMELYON16_TILES / 1e6:.1f} million tiles): one SimCLR epoch {CAMELYON16_TILES / r['full'] / 3600:.2f} h"]

def simclr_compiled(S, dev, d:Path) -> list[str]:
    "The same, with the views' pixel work `torch.compile`d (`BatchViews(compiled=True)`); on a GPU only (compiling on a CPU takes minutes)."
    if dev.type != 'cuda': return ["SimCLR with compiled views: not measured on the CPU"]
    r = _simclr_rates(S, dev, d, compiled=True); bare = r['bare']
    return [f"SimCLR with compiled views: train_simclr {r['full']:,.0f} images/s = {r['full'] / bare:.2f} of the bare forward and backward "
            f"({bare:,.0f} images/s); steps with compiled views and no loader {r['batched']:,.0f} images/s = {r['batched'] / bare:.2f} of the bare"]

def mnist(S, dev) -> list[str]:
    from dsmil_sa.mnist_grid import mnist_bags_run, mnist_train_bags, mnist_net, RunStack, fit_runs
    n, R = S['mnist_bags'], S['mnist_runs']
    r = mnist_bags_run('standard', n, 0, 'sa_dot', n_test=50, epochs=2, device=dev)
    data = [mnist_train_bags('standard', n, i) for i in range(R)]
    stack = RunStack([mnist_net('sa_dot', 1.) for _ in range(R)]).to(dev)
    sync(dev); t = time.perf_counter(); fit_runs(stack, data, list(range(R)), progress=False, epochs=2); sync(dev)
    s = time.perf_counter() - t
    return [f"MNIST-bags (LeNet + SA-AbMILP, one bag per step): one run alone {2 * n / r['seconds']:,.0f} bag steps/s; "
            f"{R} runs in lockstep {2 * n * R / s:,.0f} bag steps/s, over 2 epochs of {n} bags"]

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--tiny', action='store_true', help='toy sizes (seconds on a CPU)')
    p.add_argument('--out', default=None, help='folder for the results file (default benchmarks/results)')
    p.add_argument('--parts', nargs='+', default=list(PARTS), choices=PARTS, help='which parts to run, in this order (default: all)')
    a = p.parse_args()
    dev, S = get_device(), SIZES['tiny' if a.tiny else 'full']
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'cpu ({platform.machine()}, {torch.get_num_threads()} threads)'
    lines = [f"device: {name}; torch {torch.__version__}; sizes: {'tiny' if a.tiny else 'full'}"]
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        parts = dict(features=('features', lambda: features(S, dev, d)), dsmil=('DSMIL epoch', lambda: dsmil_epoch(S, dev)),
                     simclr=('SimCLR', lambda: simclr(S, dev, d)), simclr_compiled=('SimCLR compiled views', lambda: simclr_compiled(S, dev, d)),
                     mnist=('MNIST-bags', lambda: mnist(S, dev)))
        for name_, part in (parts[k] for k in a.parts):
            try: lines += part()                     # one failed part is reported and the others still run
            except DataError as e: lines.append(f"{name_}: not measured ({e})")     # a data package the machine lacks
            except Exception as e: lines.append(f"{name_}: FAILED ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})")
            print(lines[-1], flush=True)
    lines.append(f"total {time.time() - t0:.0f} s; measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%MZ}")
    out = Path(a.out) if a.out else Path(__file__).parent/'results'
    out.mkdir(parents=True, exist_ok=True)
    f = out/f"gpu_check_{re.sub(r'[^A-Za-z0-9]+', '_', name.split(' (')[0]).strip('_').lower()}{'_tiny' if a.tiny else ''}.txt"
    f.write_text('\n'.join(lines) + '\n'); print(lines[-1]); print('->', f)

if __name__ == '__main__': main()
