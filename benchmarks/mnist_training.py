"""Speed of MNIST-bags training at the paper's settings (one bag of about ten digits per step, Adam lr 1e-5), on the CPU.

The reference is one run alone, as `learner.fit` trains it (one thread, the way the grid ran before: one run per
process, a process per core). Against it, in the same script and on the same bags:

1. `mnist_grid.fit_runs`: R runs of one architecture in lockstep in one process, on one thread and on all threads;
2. two such groups in two processes of one thread each (`mnist_grid.mnist_grid(workers=2)` does this).

Prints bag steps per second (a bag step: one run takes one step on one bag) and the ratio to the reference, and the
hours that the paper's grid with both gamma arms (5.6 M bag steps) takes at that rate.

    python benchmarks/mnist_training.py [--bags 60] [--epochs 2] [--runs 30]
"""
import argparse, os, time
import concurrent.futures as cf, multiprocessing as mp
import torch
from dsmil_sa.core import seed_everything
from dsmil_sa.learner import fit
from dsmil_sa.mnist_grid import mnist_net, mnist_train_bags, RunStack, fit_runs, grid_runs

MODEL = 'SA-AbMILP (dot)'
GRID_STEPS = sum(r['n_train'] for r in grid_runs(['standard', 'presence', 'threshold'], [50, 100, 150, 200, 300, 400, 500], 5,
                                                 ['AbMILP', 'SA-AbMILP (dot)', 'GSA (rbf)', 'IQSA (iq)', 'LSA (laplace)', 'MSA (module)'])) * 20

def alone(bags, epochs, threads=1):
    "Bag steps per second of one run trained by `learner.fit`."
    torch.set_num_threads(threads)
    ds = mnist_train_bags('presence', bags, 0); seed_everything(0); net = mnist_net(MODEL, 1.)
    t = time.perf_counter(); fit(net, ds, None, 'sa_mnist', progress=False, epochs=epochs)
    return bags * epochs / (time.perf_counter() - t)

def lockstep(bags, epochs, runs, threads, offset=0):
    "Bag steps per second of `runs` runs trained together by `fit_runs`."
    torch.set_num_threads(threads)
    data = [mnist_train_bags(('standard', 'presence', 'threshold')[r % 3], bags, offset + r // 3) for r in range(runs)]
    nets = [mnist_net(MODEL, float(r % 2)) for r in range(runs)]
    stack = RunStack(nets)
    t = time.perf_counter(); fit_runs(stack, data, list(range(runs)), progress=False, epochs=epochs)
    return bags * epochs * runs / (time.perf_counter() - t)

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--bags', type=int, default=60); ap.add_argument('--epochs', type=int, default=2); ap.add_argument('--runs', type=int, default=30)
    a = ap.parse_args(); cores = os.cpu_count()
    alone(10, 1); lockstep(10, 1, 4, 1)                                   # warm-up
    ref = alone(a.bags, a.epochs)
    print(f"{MODEL}, {a.bags} bags x {a.epochs} epochs per run, one bag per step, {cores} cores")
    print(f"  one run alone (learner.fit, 1 thread):         {ref:7.1f} bag steps/s   1.00x   grid: {GRID_STEPS/ref/3600:5.1f} h")
    if cores > 1:
        with cf.ProcessPoolExecutor(cores, mp_context=mp.get_context('spawn')) as ex:
            list(ex.map(alone, [10]*cores, [1]*cores))                               # start-up and warm-up
            t = time.perf_counter(); list(ex.map(alone, [a.bags]*cores, [a.epochs]*cores))
            r = a.bags * a.epochs * cores / (time.perf_counter() - t)
        print(f"  {cores} runs alone in {cores} processes of 1 thread:     {r:7.1f} bag steps/s   {r/ref:.2f}x   grid: {GRID_STEPS/r/3600:5.1f} h")
    for th in sorted({1, cores}):
        r = lockstep(a.bags, a.epochs, a.runs, th)
        print(f"  {a.runs} runs in lockstep, 1 process, {th} thread(s):  {r:7.1f} bag steps/s   {r/ref:.2f}x   grid: {GRID_STEPS/r/3600:5.1f} h")
    if cores > 1:
        with cf.ProcessPoolExecutor(cores, mp_context=mp.get_context('spawn')) as ex:
            list(ex.map(lockstep, [10]*cores, [1]*cores, [4]*cores, [1]*cores))      # start-up and warm-up
            t = time.perf_counter()
            list(ex.map(lockstep, [a.bags]*cores, [a.epochs]*cores, [a.runs]*cores, [1]*cores, [10*i for i in range(cores)]))
            r = a.bags * a.epochs * a.runs * cores / (time.perf_counter() - t)
        print(f"  {cores} x {a.runs} runs in lockstep, {cores} processes of 1 thread: {r:7.1f} bag steps/s   {r/ref:.2f}x   grid: {GRID_STEPS/r/3600:5.1f} h")
