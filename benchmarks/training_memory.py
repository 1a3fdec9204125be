"""Peak memory of training on a cohort of whole-slide bags: `dsmil-train` against the reference's one-bag-per-step reading.

    .venv/bin/python benchmarks/training_memory.py                       # 100 bags of 12,000 x 1,024 (2.5 GB as float16)
    .venv/bin/python benchmarks/training_memory.py --bags 400            # Camelyon16's shape: about 10 GB as float16

A synthetic cohort in the one-scale layout (`features` float16 + `coords`, as `dsmil-import-bags` writes the reference's
bags) is written to `--dir` (a temporary folder by default), half the bags with a few shifted instances. Three runs of
one epoch each, each in a fresh process whose peak resident memory is read from the operating system:

- `dsmil-train --keep memory`, which holds every bag once (float16, as stored) and standardises each bag when it is drawn;
- `dsmil-train --keep disk`, which reads each bag from disk when it is drawn (`bags.DiskBags`) and holds none;
- the reference's approach: a DSMIL trained on raw features, reading one bag from disk per step (the reference reads a
  CSV or `.pt` file per step); nothing is held.

The figures to compare: each peak against the size of the cohort as stored and against the reference's, and the
wall time of the two `dsmil-train` modes (one epoch, after the standardiser's pass over the training bags).
"""
from __future__ import annotations
import argparse, os, sys, time, json, shutil, subprocess, tempfile, platform, datetime
from pathlib import Path
import numpy as np
import h5py

def write_cohort(d:Path, n:int, N:int, D:int, seed:int=0) -> Path:
    "Write `n` bags of about `N` x `D` float16 features and `labels.csv` into `d`; return the labels file."
    d.mkdir(parents=True, exist_ok=True); rng = np.random.default_rng(seed); rows = []
    for i in range(n):
        f, y = d/f'slide_{i:03d}.h5', i % 2
        rows.append(f'slide_{i:03d},{y}')
        if f.exists(): continue
        k = int(N * rng.uniform(0.75, 1.25))
        x = rng.standard_normal((k, D), dtype=np.float32)
        if y: x[:20, :8] += 3.0                                   # a few tumour-like instances
        with h5py.File(f, 'w') as h: h['features'] = x.astype(np.float16); h['coords'] = np.zeros((k, 2), np.int64)
    (d/'labels.csv').write_text('slide,label\n' + '\n'.join(rows) + '\n')
    return d/'labels.csv'

REFERENCE_LOOP = r"""
import sys, h5py, torch, numpy as np
from pathlib import Path
from dsmil_sa.dsmil import DSMIL
d, epochs = Path(sys.argv[1]), int(sys.argv[2])
labels = dict(l.split(',') for l in (d/'labels.csv').read_text().splitlines()[1:])
files = sorted(d.glob('*.h5')); torch.manual_seed(0)
with h5py.File(files[0]) as h: D = h['features'].shape[1]
m = DSMIL(D, scale=True); opt = torch.optim.Adam(m.parameters(), 2e-4, betas=(0.5, 0.9), weight_decay=5e-3)
for ep in range(epochs):
    for f in files:                                   # one bag read from disk per step, as the reference does
        with h5py.File(f) as h: x = torch.from_numpy(h['features'][:].astype(np.float32))
        out = m(x); y = torch.tensor([[float(labels[f.stem])]])
        loss = m.mil_loss(out, y); opt.zero_grad(); loss.backward(); opt.step()
print('done')
"""

def peak_of(cmd:list, env=None) -> tuple[float, float]:
    "Run `cmd` in a fresh wrapper process; return (its peak resident memory in GB, wall seconds)."
    wrapper = ("import resource, subprocess, sys, json, time; t = time.time(); r = subprocess.run(sys.argv[1:]); "
               "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.time() - t, r.returncode]))")
    out = subprocess.run([sys.executable, '-c', wrapper, *map(str, cmd)], capture_output=True, text=True, env=env)
    kb, wall, rc = json.loads(out.stdout.strip().splitlines()[-1])
    if rc: sys.exit(f"{cmd[0]} failed ({rc}):\n{out.stderr[-3000:]}")
    return kb / 2**20, wall

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--bags', type=int, default=100); p.add_argument('--instances', type=int, default=12000)
    p.add_argument('--dim', type=int, default=1024); p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--dir', default=None, help='where the cohort is written (kept when given)')
    a = p.parse_args()
    d = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix='cohort-'))
    bindir = Path(sys.executable).parent
    env = dict(os.environ, OMP_NUM_THREADS='2')
    try:
        t0 = time.time(); labels = write_cohort(d, a.bags, a.instances, a.dim); t_write = time.time() - t0
        gb = sum(f.stat().st_size for f in d.glob('*.h5')) / 2**30
        out = Path(tempfile.mkdtemp(prefix='model-'))
        train = lambda keep: peak_of([bindir/'dsmil-train', d, '--labels', labels, '--fusion', 'single', '--epochs', a.epochs,
                                      '--out', out/keep, '--keep', keep, '--quiet'], env)
        ours, disk = train('memory'), train('disk')
        ref = peak_of([sys.executable, '-c', REFERENCE_LOOP, d, a.epochs], env)
        shutil.rmtree(out, ignore_errors=True)
    finally:
        if not a.dir: shutil.rmtree(d, ignore_errors=True)
    print(f"cohort: {a.bags} bags of about {a.instances} x {a.dim}, float16 on disk {gb:.2f} GB (written in {t_write:.0f} s); {a.epochs} epoch(s)")
    print(f"{'run':<44}{'peak GB':>9}{'wall s':>9}")
    print(f"{'dsmil-train --keep memory (held, float16)':<44}{ours[0]:>9.2f}{ours[1]:>9.0f}")
    print(f"{'dsmil-train --keep disk (read per step)':<44}{disk[0]:>9.2f}{disk[1]:>9.0f}")
    print(f"{'reference approach (one bag read per step)':<44}{ref[0]:>9.2f}{ref[1]:>9.0f}")
    print(f"peak of dsmil-train --keep memory: {ours[0] / gb:.2f}x the cohort on disk, {ours[0] / ref[0]:.1f}x the reference approach's peak")
    print(f"peak of dsmil-train --keep disk: {disk[0] / gb:.2f}x the cohort on disk, {disk[0] / ref[0]:.1f}x the reference approach's peak; "
          f"wall {disk[1] / ours[1]:.2f}x the memory mode's")
    print(f"measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%dT%H:%MZ} on {platform.machine()}, {os.cpu_count()} cores")

if __name__ == '__main__': main()
