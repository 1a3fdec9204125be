"""One short check of the CUDA paths and their speed, for the minutes when a GPU is lent; `--tiny` runs it on the CPU in seconds (CI does, so that it cannot rot).

    python benchmarks/gpu_check.py                      # on a GPU: well under 10 minutes; writes benchmarks/results/gpu_<device>.txt
    python benchmarks/gpu_check.py --tiny --out /tmp/x  # the same code at toy sizes, on whatever device there is

Four figures, each through the package's public functions on the device `core.get_device` picks:

1. feature extraction (`features.embed_tiles`: slide reading, transforms, float16 autocast and channels-last on a
   GPU) on a synthetic slide, as tiles/s and as a fraction of the bare ResNet18 forward on tensors already there;
2. one epoch of `learner.fit` with DSMIL at Camelyon16's scale: 270 bags of about 8,000 x 512 (views of one pool);
3. SimCLR (`simclr.train_simclr`, mixed precision and pinned memory on a GPU): images per second;
4. the MNIST-bags trainers at the paper's settings (LeNet + SA-AbMILP, one bag per step): one run alone
   (`mnist_grid.mnist_bags_run`) and 30 runs in lockstep (`mnist_grid.fit_runs`), bag steps per second.
"""
from __future__ import annotations
import argparse, time, tempfile, platform, datetime, re
from pathlib import Path
import numpy as np
import torch
from dsmil_sa.core import get_device
from dsmil_sa.synthetic import make_synthetic_slide
from dsmil_sa.tiling import tile_slide
from dsmil_sa.encoders import SlideTiles, resnet18_encoder
from dsmil_sa.simclr import train_simclr
from dsmil_sa.features import load_embedder, embed_tiles
from dsmil_sa.bags import ListBags
from dsmil_sa.learner import fit
from dsmil_sa.dsmil import DSMIL

SIZES = dict(full=dict(slide=8192, tile=224, bags=270, inst=8000, dim=512, sim_tile=224, sim_batch=256, sim_steps=30, mnist_bags=200, mnist_runs=30),
             tiny=dict(slide=1024, tile=64, bags=6, inst=200, dim=32, sim_tile=64, sim_batch=4, sim_steps=2, mnist_bags=10, mnist_runs=3))

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def bare_forward(tile:int, batch:int, dev, steps:int=10) -> float:
    "Tiles/s of the ResNet18 forward alone on random tensors already on the device (float16 autocast on CUDA)."
    net = resnet18_encoder('instance').to(dev, memory_format=torch.channels_last if dev.type == 'cuda' else torch.preserve_format).eval()
    x = torch.randn(batch, 3, tile, tile, device=dev)
    with torch.inference_mode(), torch.autocast(dev.type, dtype=torch.float16, enabled=dev.type == 'cuda'):
        net(x); sync(dev); t = time.perf_counter()
        for _ in range(steps): net(x)
        sync(dev)
    return steps * batch / (time.perf_counter() - t)

def features(S, dev, d:Path) -> list[str]:
    make_synthetic_slide(d/'s.tif', size=S['slide'], tumor=True, seed=0)
    ts = tile_slide(d/'s.tif', d/'tiles', mags=(20,), tile_size=S['tile'])
    ds, batch = SlideTiles(ts), 128 if dev.type == 'cuda' else 16
    emb = load_embedder('random')
    embed_tiles(emb, torch.utils.data.Subset(ds, range(min(len(ds), batch))), batch, device=dev)   # warm-up
    t = time.perf_counter(); f, parts = embed_tiles(emb, ds, batch, workers=4 if dev.type == 'cuda' else 0, device=dev, timing=True)
    rate, bare = len(f) / (time.perf_counter() - t), bare_forward(S['tile'], batch, dev)
    return [f"feature extraction: {len(f)} tiles of {S['tile']} px, {rate:,.0f} tiles/s = {rate / bare:.2f} of the bare ResNet18 forward "
            f"({bare:,.0f} tiles/s); seconds reading {parts['read']:.1f}, transforms {parts['transform']:.1f}, model {parts['model']:.1f}"]

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

def simclr(S, dev, d:Path) -> list[str]:
    ds, b = RandomTiles(S['sim_batch'] * (S['sim_steps'] + 2), S['sim_tile']), S['sim_batch']
    train_simclr(ds, d/'warm.pt', epochs=1, batch_size=b, lr=1e-4, workers=0, max_steps=2, device=dev, progress=False)
    t = time.perf_counter()
    train_simclr(ds, d/'sim.pt', epochs=1, batch_size=b, lr=1e-4, workers=2 if dev.type == 'cuda' else 0, max_steps=S['sim_steps'], device=dev, progress=False)
    sync(dev); s = time.perf_counter() - t
    return [f"SimCLR ({'float16 autocast' if dev.type == 'cuda' else 'float32'}): batch {b} of {S['sim_tile']} px, "
            f"{S['sim_steps'] * b / s:,.0f} images/s ({2 * S['sim_steps'] * b / s:,.0f} views/s) over {S['sim_steps']} steps with checkpoints"]

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
    a = p.parse_args()
    dev, S = get_device(), SIZES['tiny' if a.tiny else 'full']
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'cpu ({platform.machine()}, {torch.get_num_threads()} threads)'
    lines = [f"device: {name}; torch {torch.__version__}; sizes: {'tiny' if a.tiny else 'full'}"]
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        for name_, part in (('features', lambda: features(S, dev, d)), ('DSMIL epoch', lambda: dsmil_epoch(S, dev)),
                            ('SimCLR', lambda: simclr(S, dev, d)), ('MNIST-bags', lambda: mnist(S, dev))):
            try: lines += part()                     # one failed part is reported and the others still run
            except Exception as e: lines.append(f"{name_}: FAILED ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})")
            print(lines[-1], flush=True)
    lines.append(f"total {time.time() - t0:.0f} s; measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%MZ}")
    out = Path(a.out) if a.out else Path(__file__).parent/'results'
    out.mkdir(parents=True, exist_ok=True)
    f = out/f"gpu_check_{re.sub(r'[^A-Za-z0-9]+', '_', name.split(' (')[0]).strip('_').lower()}{'_tiny' if a.tiny else ''}.txt"
    f.write_text('\n'.join(lines) + '\n'); print(lines[-1]); print('->', f)

if __name__ == '__main__': main()
