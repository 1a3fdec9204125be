"""Speed of one masked Adam step on stacked parameters: `stacked.adam_masked` (public tensor operations) against the
fused kernel behind `torch.optim.Adam(fused=True)` applied to the active models' slices (private torch API), and
against M separate `torch.optim.Adam` steps. Same parameters, same gradients, same process; prints ratios.

    python benchmarks/stacked.py [--models 60] [--steps 300] [--arch dsmil] [--dim 166]
"""
import argparse, time
import torch
from torch.func import stack_module_state
from dsmil_sa.models import make_model
from dsmil_sa.stacked import adam_state, adam_masked

def fused_masked(p, st, g, active, lr, betas, wd):
    "The reference: torch's fused Adam on the active models' slices (what the notebook used before)."
    act = active.nonzero()[:, 0].tolist()
    pick = lambda d: [d[n][i] for n in p for i in act]
    steps = [st['steps'][n][i] for n in p for i in act]; torch._foreach_add_(steps, 1)
    torch._fused_adam_(pick(p), pick(g), pick(st['m']), pick(st['v']), [], steps, lr=lr, beta1=betas[0], beta2=betas[1],
                       weight_decay=wd, eps=1e-8, amsgrad=False, maximize=False)

def timed(f, n):
    t = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter() - t) / n

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--models', type=int, default=60); ap.add_argument('--steps', type=int, default=300)
    ap.add_argument('--arch', default='dsmil'); ap.add_argument('--dim', type=int, default=166)
    a = ap.parse_args(); torch.manual_seed(0); torch.set_num_threads(1)
    models = [make_model(a.arch, a.dim) for _ in range(a.models)]
    p, _ = stack_module_state(models); p = {n: t.detach().clone() for n, t in p.items()}
    g = {n: torch.randn_like(t) * 1e-3 for n, t in p.items()}
    active = torch.rand(a.models) < 0.8                      # a training fold holds about 80% of the bags
    st = adam_state(p)
    ours = timed(lambda: adam_masked(p, st, g, active, 2e-4, (0.5, 0.9), 5e-3), a.steps)
    p2 = {n: t.clone() for n, t in p.items()}
    st2 = dict(m={n: torch.zeros_like(t) for n, t in p2.items()}, v={n: torch.zeros_like(t) for n, t in p2.items()},
               steps={n: [torch.zeros(()) for _ in range(a.models)] for n in p2})
    fused = timed(lambda: fused_masked(p2, st2, g, active, 2e-4, (0.5, 0.9), 5e-3), a.steps)
    opts = [torch.optim.Adam(m.parameters(), 2e-4, betas=(0.5, 0.9), weight_decay=5e-3) for m in models]
    for m in models:
        for q in m.parameters(): q.grad = torch.randn_like(q) * 1e-3
    loop = timed(lambda: [o.step() for o, on in zip(opts, active.tolist()) if on], max(1, a.steps // 10))
    n_par = sum(t[0].numel() for t in p.values())
    print(f"{a.models} stacked {a.arch} models of {n_par} parameters, {int(active.sum())} active, one thread")
    print(f"  adam_masked (public ops)       {ours*1e3:7.3f} ms/step")
    print(f"  fused Adam on active slices    {fused*1e3:7.3f} ms/step   ratio ours/fused {ours/fused:.2f}")
    print(f"  one torch.optim.Adam per model {loop*1e3:7.3f} ms/step   ratio ours/loop  {ours/loop:.2f}")
