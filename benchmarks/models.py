"""Forward+backward throughput of the MIL aggregators on Camelyon16-sized bags, and self-attention memory.

    .venv/bin/python benchmarks/models.py                 # CPU (and CUDA when available), a few iterations
    .venv/bin/python benchmarks/models.py --iters 10 --batch 4 --devices cuda

A Camelyon16 bag has about 8000 instances at 20x; with SimCLR ResNet18 features of both scales concatenated the
width is 1024. Batches are padded: bag sizes are N, 0.75 N, 0.875 N, ... so the padding path is exercised.
Instances per second count real (unpadded) instances.

    .venv/bin/python benchmarks/models.py --epoch          # one training epoch through `learner.fit`

`--epoch` times one epoch of `learner.fit` at Camelyon16 scale: 270 bags of 4000-12000 instances (mean 8000) x 1024,
synthetic features (every bag a view of one random pool, so memory stays small), at each batch size of `--batches`;
batches of several bags are padded, and `fit` draws them with bags of similar size (`SizeBatchSampler`).
"""
from __future__ import annotations
import argparse, time, platform
import torch
import torch.nn.functional as F
from dsmil_sa.mil import MaxPoolMIL, MeanPoolMIL
from dsmil_sa.abmilp import AbMILP, SAAbMILP
from dsmil_sa.dsmil import DSMIL

def make_models(d, chunk):
    "The benchmarked models, by name."
    return {
        'MaxPool': lambda: MaxPoolMIL(d),
        'MeanPool': lambda: MeanPoolMIL(d),
        'AbMILP': lambda: AbMILP(d),
        'AbMILP gated': lambda: AbMILP(d, gated=True),
        'SA-AbMILP dot': lambda: SAAbMILP(d, kernel='dot', chunk_size=chunk, gamma_init=1.0),
        'SA-AbMILP rbf': lambda: SAAbMILP(d, kernel='rbf', chunk_size=chunk, gamma_init=1.0),
        'DSMIL': lambda: DSMIL(d),
    }

def make_batch(B, N, d, device):
    "A padded batch of B bags, sizes N, 0.75N, 0.875N, ..."
    sizes = [N] + [int(N*(0.75 + 0.125*(i % 2))) for i in range(B - 1)]
    x = torch.randn(B, N, d, device=device)
    mask = torch.arange(N, device=device)[None] < torch.tensor(sizes, device=device)[:, None]
    return x, mask, sum(sizes)

def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()

def step(model, x, mask, y):
    out = model(x, mask)
    loss = model.mil_loss(out, y) if hasattr(model, 'mil_loss') else F.binary_cross_entropy_with_logits(out.logits, y)
    loss.backward()

def bench(model, x, mask, n_real, iters, device):
    "Real instances per second of forward+backward, and seconds per batch."
    model = model.to(device).train()
    y = torch.ones(x.shape[0], 1, device=device)
    step(model, x, mask, y); model.zero_grad(set_to_none=True); sync(device)   # warm-up
    t = time.perf_counter()
    for _ in range(iters): step(model, x, mask, y); model.zero_grad(set_to_none=True)
    sync(device)
    dt = (time.perf_counter() - t)/iters
    return n_real/dt, dt

def sa_memory_analytic(N, B, chunk, bytes_per=4):
    "Bytes of one N x N (or chunk x N) score matrix per batch: full and chunked."
    return B*N*N*bytes_per, B*min(chunk, N)*N*bytes_per

def sa_memory_cuda(d, N, B, chunk, device):
    "Peak CUDA memory (bytes) of forward+backward of one SA layer beyond its inputs."
    from dsmil_sa.abmilp import SelfAttention
    sa = SelfAttention(d, 'dot', chunk_size=chunk, gamma_init=1.0).to(device)
    x = torch.randn(B, N, d, device=device, requires_grad=True)
    torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    sa(x).square().mean().backward(); torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated(device) - base

def epoch_bench(names, d, n_bags, n_mean, batches, chunk, device):
    "Seconds per epoch and real instances/s of `learner.fit` over synthetic bags, per model and batch size."
    import numpy as np
    from dsmil_sa.bags import ListBags
    from dsmil_sa.learner import fit, SizeBatchSampler, padding_fraction
    rng = np.random.default_rng(0)
    sizes = rng.integers(n_mean // 2, 3 * n_mean // 2 + 1, n_bags)
    pool = torch.randn(int(sizes.max()) + 64, d)
    ds = ListBags([pool[o:o + n] for o, n in zip(rng.integers(0, 64, n_bags), sizes)], np.arange(n_bags) % 2)
    print(f"\n{device}: one epoch of learner.fit, {n_bags} bags of {sizes.min()}-{sizes.max()} (mean {sizes.mean():.0f}) x {d}")
    for b in batches:
        if b > 1: print(f"  padding at batch {b}: {padding_fraction(list(SizeBatchSampler(sizes, b)), sizes):.1%}")
    print(f"{'model':<16}{'batch':>6}{'s/epoch':>10}{'inst/s':>12}")
    for name, make in make_models(d, chunk).items():
        if name not in names: continue
        for b in batches:
            model = make(); sync(device); t = time.perf_counter()
            fit(model, ds, preset='dsmil', epochs=1, batch_size=b, device=device, progress=False); sync(device)
            dt = time.perf_counter() - t
            print(f"{name:<16}{b:>6}{dt:>10.1f}{sizes.sum() / dt:>12,.0f}", flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--n', type=int, default=8000, help='instances of the largest bag')
    p.add_argument('--dim', type=int, default=1024, help='feature width')
    p.add_argument('--batch', type=int, default=2, help='bags per batch')
    p.add_argument('--iters', type=int, default=1, help='timed iterations per model (after one warm-up)')
    p.add_argument('--chunk', type=int, default=1024, help='self-attention queries per block')
    p.add_argument('--devices', default='auto', help='"cpu", "cuda", or "auto" (CPU, plus CUDA when available)')
    p.add_argument('--models', default='', help='comma-separated subset of model names')
    p.add_argument('--epoch', action='store_true', help='time one epoch of learner.fit at Camelyon16 scale instead')
    p.add_argument('--bags', type=int, default=270, help='bags per epoch (--epoch)')
    p.add_argument('--batches', default='1,8', help='comma-separated batch sizes (--epoch)')
    a = p.parse_args()
    devs = ['cpu'] + (['cuda'] if torch.cuda.is_available() else []) if a.devices == 'auto' else a.devices.split(',')
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, threads {torch.get_num_threads()}; "
          f"bags of {a.n} x {a.dim}, batch {a.batch} (padded), SA chunk {a.chunk}")
    if a.epoch:
        names = a.models.split(',') if a.models else ['MaxPool', 'AbMILP', 'DSMIL']
        for dev in devs: epoch_bench(names, a.dim, a.bags, a.n, [int(b) for b in a.batches.split(',')], a.chunk, torch.device(dev))
        return
    full, chunked = sa_memory_analytic(a.n, a.batch, a.chunk)
    print(f"self-attention scores, analytic, fp32: full {full/2**20:.0f} MiB per batch ({full/a.batch/2**20:.0f} MiB per bag), "
          f"one chunk {chunked/2**20:.0f} MiB per batch")
    for dev in devs:
        device = torch.device(dev)
        x, mask, n_real = make_batch(a.batch, a.n, a.dim, device)
        print(f"\n{dev}: {n_real} real instances per batch{' (' + torch.cuda.get_device_name(0) + ')' if dev == 'cuda' else ''}")
        print(f"{'model':<16}{'inst/s':>12}{'s/batch':>10}")
        for name, make in make_models(a.dim, a.chunk).items():
            if a.models and name not in a.models.split(','): continue
            ips, dt = bench(make(), x, mask, n_real, a.iters, device)
            print(f"{name:<16}{ips:>12,.0f}{dt:>10.3f}", flush=True)
        if dev == 'cuda':
            for ch in (None, a.chunk):
                m = sa_memory_cuda(a.dim, a.n, a.batch, ch, device)
                print(f"SA layer peak CUDA memory (fwd+bwd), chunk {ch}: {m/2**20:,.0f} MiB")

if __name__ == '__main__': main()
