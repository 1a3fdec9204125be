"""The demo's DSMIL settings, measured: slide AUC over training seeds for each fusion and number of epochs, on the
bags and the split of a finished demo folder.

    .venv/bin/dsmil-demo --out demo_out                    # once
    .venv/bin/python benchmarks/demo_settings.py demo_out   # then: 20x / tree x 40 / 80 epochs, scaled or not, seeds 0-2

These figures chose the demo's defaults (`fusion='20x'`, 80 epochs, `scale=True`: the reference code's attention): they are measured on the demo's own test slides,
so they say which setting learns best here, not how well it would do on new slides.
"""
from __future__ import annotations
import argparse, time, warnings
import numpy as np, torch

def measure(demo, fusion:str, epochs:int, seeds, lr:float=1e-3, scale:bool=True, test_frac:float=0.34, split_seed:int=0) -> list[float]:
    "Slide AUC of DSMIL trained as the demo trains it, once per seed."
    from dsmil_sa.bags import bag_files, labels_from_xml, load_bag_folder
    from dsmil_sa.learner import fit_bags, bag_metrics, train_val_split
    from dsmil_sa.predict import predict_bag_file
    fs = bag_files(f'{demo}/bags'); y = labels_from_xml(fs)
    tr, te = train_val_split(np.arange(len(y)), y, test_frac, split_seed)
    _, xs, _ = load_bag_folder(fs, fusion); out = []
    for s in seeds:
        rec = fit_bags([xs[i] for i in tr], y[tr], 'dsmil', None, 0.25, s, fusion=fusion, epochs=epochs, lr=lr, progress=False,
                       model_kw=dict(scale=scale))
        p = np.array([predict_bag_file(fs[i], rec).prob for i in te]); out.append(bag_metrics(y[te], p, rec.threshold)['auc'])
    return out

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('demo'); ap.add_argument('--seeds', type=int, default=3)
    a = ap.parse_args(); torch.set_num_threads(1); warnings.filterwarnings('ignore')
    for fusion, ep, sc in (('tree', 40, True), ('20x', 40, True), ('20x', 80, True), ('tree', 80, True), ('20x', 80, False)):
        t0 = time.time(); auc = measure(a.demo, fusion, ep, range(a.seeds), scale=sc)
        print(f"{fusion:5s} {ep:3d} epochs {'scaled  ' if sc else 'unscaled'}: slide AUC " + ', '.join(f"{v:.3f}" for v in auc) + f"  (mean {np.mean(auc):.3f}; {(time.time()-t0)/len(auc):.0f} s per run)", flush=True)
