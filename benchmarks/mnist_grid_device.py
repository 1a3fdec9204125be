"""Finish the MNIST-bags grid of `results/mnist_bags` in the background or on a lent GPU: one process per group of runs.

    python benchmarks/mnist_grid_device.py --workers 9            # on a GPU machine: every missing group at once
    python benchmarks/mnist_grid_device.py --workers 2 --threads 1 # on this 2-core CPU (hours; resumable)

It calls `mnist_grid` with the experiment's settings (the `cpu` profile of `mnist_bags`: 3 hypotheses x 7 sizes x
5 repetitions x 6 models, both starts of gamma) and its attention-figure runs, so that the group files it writes are
the ones `dsmil-reproduce mnist_bags --profile cpu` reads instead of training. Each row records the device it ran on.
"""
import argparse, time
from dsmil_sa.core import terminate_as_interrupt
from dsmil_sa.mnist_grid import mnist_grid, MNIST_MODELS

SIZES = (50, 100, 150, 200, 300, 400, 500)
KEEP = [('presence', n, 0, m, g) for n in SIZES for m, g in (('AbMILP', None), ('SA-AbMILP (dot)', 0.), ('SA-AbMILP (dot)', 1.))]

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--out', default='results/mnist_bags/runs', help='folder of the group files')
    p.add_argument('--workers', type=int, default=2, help='processes, one group each at a time')
    p.add_argument('--threads', type=int, default=None, help='torch threads per process')
    p.add_argument('--device', default=None, help='cuda, cpu... (default: a GPU when there is one)')
    p.add_argument('--sizes', default=','.join(map(str, SIZES)), help='training-set sizes, comma-separated')
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--epochs', type=int, default=20)
    p.add_argument('--n-test', type=int, default=500)
    a = p.parse_args()
    terminate_as_interrupt(); t = time.time()
    res = mnist_grid(a.out, sizes=[int(s) for s in a.sizes.split(',')], repeats=a.repeats, models=tuple(MNIST_MODELS), epochs=a.epochs,
                     n_test=a.n_test, workers=a.workers, threads=a.threads, device=a.device, keep=KEEP, progress=False)
    print(f"{len(res)} runs under {a.out}; {time.time() - t:.0f} s; devices: {res.device.value_counts().to_dict() if len(res) else {}}")

if __name__ == '__main__': main()
