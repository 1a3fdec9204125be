"""Speed of MNIST-bags training at the paper's settings (one bag of about ten digits per step), on the CPU.

1. One run, one thread: `learner.fit` as the package trains (fused Adam, channels-last LeNet) against the reference,
   the same `fit` with `torch.optim.Adam`'s loop implementation and a LeNet in the default (NCHW) layout.
2. A grid of runs (`study.mnist_bags_grid`) in one process and in `--workers` processes: the study's throughput.

Same data and seeds in both arms of each comparison, same process; prints bags per second and their ratios.

    python benchmarks/mnist_training.py [--bags 100] [--epochs 2] [--workers 2] [--repeats 4]

A small grid pays the start-up of each process (torch, MNIST) once per process; the committed output uses --epochs 5.
"""
import argparse, time
import torch
from torch import nn
import dsmil_sa.learner as learner
from dsmil_sa.bags import MNISTBags
from dsmil_sa.study import mnist_net, mnist_bags_grid

def reference_optimizer(model, cfg):
    "The reference: `torch.optim.Adam` with its per-parameter loop (no fused or foreach kernel)."
    opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'], betas=tuple(cfg['betas']), weight_decay=cfg['weight_decay'], foreach=False)
    return opt, None

def nchw(net):
    "The same network with its LeNet in the default memory layout."
    net.extractor.to(memory_format=torch.contiguous_format)
    net.extractor.forward = lambda x: net.extractor.body(x.contiguous())
    return net

def bags_per_second(ds, epochs, reference):
    torch.manual_seed(0); net = mnist_net('SA-AbMILP (dot)')
    make = learner.make_optimizer
    if reference: nchw(net); learner.make_optimizer = reference_optimizer
    try:
        t = time.perf_counter(); learner.fit(net, ds, None, 'sa_mnist', epochs=epochs, progress=False)
        return len(ds) * epochs / (time.perf_counter() - t)
    finally: learner.make_optimizer = make

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--bags', type=int, default=100); ap.add_argument('--epochs', type=int, default=2); ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=4)
    a = ap.parse_args(); torch.set_num_threads(1)
    ds = MNISTBags(a.bags, 'presence', train=True, seed=0)
    bags_per_second(ds, 1, False)                                  # warm-up
    ref, ours = bags_per_second(ds, a.epochs, True), bags_per_second(ds, a.epochs, False)
    print(f"one run, one thread, SA-AbMILP (dot), {a.bags} bags x {a.epochs} epochs, one bag per step")
    print(f"  reference (loop Adam, NCHW LeNet): {ref:6.1f} bags/s")
    print(f"  package (fused Adam, channels-last): {ours:6.1f} bags/s   {ours / ref:.2f}x")
    grid = dict(hypotheses=['presence'], sizes=[a.bags], repeats=a.repeats, models=['AbMILP', 'SA-AbMILP (dot)'], n_test=20, epochs=a.epochs, progress=False)
    steps = 2 * a.repeats * a.bags * a.epochs
    t = time.perf_counter(); mnist_bags_grid(workers=1, **grid); one = steps / (time.perf_counter() - t)
    t = time.perf_counter(); mnist_bags_grid(workers=a.workers, **grid); many = steps / (time.perf_counter() - t)
    print(f"grid of {2 * a.repeats} runs (2 models x {a.repeats} repetitions), with process start-up and test bags")
    print(f"  1 process: {one:6.1f} bags/s;  {a.workers} processes: {many:6.1f} bags/s   {many / one:.2f}x")
