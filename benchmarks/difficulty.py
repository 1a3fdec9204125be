"""Calibrate the synthetic slides' `difficulty`: the best MIL model's slide AUC on a pilot set at each difficulty.

    .venv/bin/python benchmarks/difficulty.py                       # the demo's set: 90 slides of 2048 px, 31 test
    .venv/bin/python benchmarks/difficulty.py --levels 0 0.5 1 --seeds 2

Each difficulty: `make_synthetic_set` (H&E quilts), `tile_folder` at 20x and 5x, bag files of a random ResNet18
encoder (48-px input; on these textures its tile probe equals SimCLR's, see the camelyon16 experiment), the demo's
stratified split (34% test), then DSMIL (20x, lr 1e-3, 80 epochs) and ABMIL (20x, lr 1e-3, 40 epochs) over seeds.
Written per difficulty to `benchmarks/results/difficulty.csv` (a rerun skips the difficulties already there), shown
by `nbs/01a_synthetic.ipynb`. Slides and bags go to a temporary folder unless `--work` names one.
"""
from __future__ import annotations
import argparse, os, tempfile, time, warnings
from pathlib import Path
import numpy as np, pandas as pd, torch

MODELS = {'DSMIL': ('dsmil', 80), 'ABMIL': ('abmilp', 40)}

def pilot(work:Path, difficulty:float, n:int, size:int, seeds:int, seed:int=0) -> list[dict]:
    "Slide AUC of each model and seed on one pilot set at `difficulty`."
    from dsmil_sa.synthetic import make_synthetic_set
    from dsmil_sa.tiling import tile_folder
    from dsmil_sa.features import load_embedder, extract_folder
    from dsmil_sa.bags import bag_files, labels_from_xml, load_bag_folder
    from dsmil_sa.learner import fit_bags, bag_metrics, train_val_split
    from dsmil_sa.predict import predict_bag_file
    from dsmil_sa.evidence import slide_bootstrap
    d = work/f'd{difficulty:.2f}'; t0 = time.time()
    make_synthetic_set(d/'slides', n // 2, n - n // 2, size, seed, False, texture='he', difficulty=difficulty)
    tile_folder(d/'slides', d/'tiles', mags=(20, 5), tile_size=128, progress=False)
    emb = load_embedder('random', norm='batch', seed=seed); emb.input_size = 48
    files = extract_folder(d/'tiles', emb, d/'bags', progress=False, batch_size=64, workers=0)
    files = bag_files(d/'bags'); y = labels_from_xml(files)
    tr, te = train_val_split(np.arange(len(y)), y, 0.34, seed)
    _, xs, _ = load_bag_folder(files, '20x'); t_data = time.time() - t0
    rows = []
    for label, (model, epochs) in MODELS.items():
        for s in range(seed, seed + seeds):
            rec = fit_bags([xs[i] for i in tr], y[tr], model, None, 0.25, s, fusion='20x', epochs=epochs, lr=1e-3, progress=False)
            p = np.array([predict_bag_file(files[i], rec).prob for i in te])
            tab, _ = slide_bootstrap(y[te], {label: [dict(prob=p, threshold=rec.threshold)]}, seed=s)
            a = tab[tab.metric == 'auc'].iloc[0]
            rows.append(dict(difficulty=difficulty, model=label, seed=s, auc=bag_metrics(y[te], p, rec.threshold)['auc'],
                             auc_lo=a.lo, auc_hi=a.hi, n_train=len(tr), n_test=len(te), slide_size=size, data_s=round(t_data)))
    return rows

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--levels', type=float, nargs='+', default=[0.0, 0.25, 0.5, 0.75, 1.0])
    ap.add_argument('--n', type=int, default=90); ap.add_argument('--size', type=int, default=2048)
    ap.add_argument('--seeds', type=int, default=3); ap.add_argument('--work', default=None)
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'difficulty.csv'))
    a = ap.parse_args()
    torch.set_num_threads(1); warnings.filterwarnings('ignore')
    out = Path(a.out); old = pd.read_csv(out) if out.exists() else None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(a.work or tmp)
        for lv in a.levels:
            if old is not None and np.isclose(old.difficulty, lv).any(): print(f"difficulty {lv}: already in {out}"); continue
            rows = pd.DataFrame(pilot(work, lv, a.n, a.size, a.seeds))
            old = rows if old is None else pd.concat([old, rows]); tmp_out = out.with_suffix('.tmp')
            old.to_csv(tmp_out, index=False); os.replace(tmp_out, out)
            print(f"difficulty {lv}: " + ', '.join(f"{m} AUC {g.auc.mean():.3f} ± {g.auc.std():.3f}" for m, g in rows.groupby('model')), flush=True)
