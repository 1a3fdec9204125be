"""Do the CPU SimCLR's features make better slide models than a random encoder's, on the `camelyon16` cpu slides?

    .venv/bin/python benchmarks/simclr_features.py --work W/camelyon16 --pilot W/pilot random per-scale 1200x32
    .venv/bin/python benchmarks/simclr_features.py ... 1200x32xj0.1      # weaker colour jitter (0.1, hue 0)

Issue 34 asks for the best model's slide AUC within [0.80, 0.95] on SimCLR features. On the version-5 slides the
`camelyon16` run's ABMIL reached 0.728 on its SimCLR features, while the calibration pilot's ABMIL reached 0.837 on
the random encoder's. This script puts the two side by side on the same split and seeds, with the experiment's own
protocol (ABMIL, 40 epochs, 25% validation split of the training slides, its epoch and threshold), and adds 20x
encoders trained longer or with another colour jitter:

- `random`, `per-scale`, `shared`: the bag files the `camelyon16` run left in `--work` (`bags_random`, `bags`,
  `bags_shared`);
- `STEPSxBATCH[xjJ]`: a 20x SimCLR at `simclr.CPU_SIMCLR`'s recipe on the training slides' 20x tiles, with that many
  steps, that batch and, with `xjJ`, colour jitter J and no hue; its bags in `--pilot` (a rerun resumes and reuses them).

Printed and appended to `benchmarks/results/simclr_features.txt`: per encoder, the validation AUC and the test AUC over
3 seeds. With `--cv K`, instead: K-fold cross-validation on the training slides alone (`learner.cross_validate`, ABMIL,
the same epochs, two repeats), the slide AUC over folds, which is what a choice between encoders may use honestly; the
test slides are not read. Lines go to `simclr_features_cv.txt`.
"""
from __future__ import annotations
import argparse, time, warnings
from pathlib import Path
import numpy as np, torch

def scores(files, y, tr, te, seeds) -> tuple[list, list]:
    "Validation and test slide AUC of ABMIL (the experiment's protocol) on each seed."
    from dsmil_sa.bagfile import load_bag
    from dsmil_sa.learner import fit_bags
    from dsmil_sa.metrics import bag_metrics
    from dsmil_sa.predict import predict_bag_file
    xs, val, test = [load_bag(files[i], '20x')[0] for i in tr], [], []
    for s in seeds:
        rec = fit_bags(xs, y[tr], 'abmilp', None, 0.25, s, fusion='20x', epochs=40, progress=False)
        val.append(rec.training['val_metrics']['auc'])
        test.append(bag_metrics(y[te], np.array([predict_bag_file(files[i], rec).prob for i in te]), rec.threshold)['auc'])
    return val, test

def cv_scores(files, y, tr, k:int) -> list:
    "Slide AUC of each fold of a K-fold cross-validation of ABMIL on the training slides (2 repeats)."
    from dsmil_sa.bagfile import load_bag
    from dsmil_sa.learner import cross_validate
    from dsmil_sa.models import make_model
    cv = cross_validate(lambda d: make_model('abmilp', d), [load_bag(files[i], '20x')[0] for i in tr], y[tr], k=k, repeats=2,
                        val_frac=0.25, progress=False, epochs=40, preset='dsmil')
    return cv.auc.tolist()

def encoder_bags(spec:str, tiles, tr, pilot:Path) -> tuple[list, str]:
    "The bag files of a `STEPSxBATCH[xjJ]` 20x SimCLR (trained and extracted unless already there), and its loss line."
    from dsmil_sa.simclr import simclr_on_tiles, CPU_SIMCLR
    from dsmil_sa.features import load_embedder, extract_files
    steps, bs, *rest = spec.split('x'); kw = dict(CPU_SIMCLR, steps=int(steps), batch_size=int(bs), workers=0)
    if rest: kw['aug_kw'] = dict(CPU_SIMCLR['aug_kw'], jitter=float(rest[0].lstrip('j')), hue=0.0)
    t0 = time.time()
    r = simclr_on_tiles([tiles[i] for i in tr], pilot/f'simclr_{spec}.pt', mags=[20], seed=0, progress=False, **kw)
    files = extract_files(tiles, load_embedder(r['backbone']), pilot/f'bags_{spec}', batch_size=64, workers=0)
    return files, f"loss {r['first_loss']:.3f} -> {r['last_loss']:.3f} (chance {r['chance_loss']:.3f}), {time.time() - t0:.0f} s"

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('encoders', nargs='+'); ap.add_argument('--work', required=True, help="the camelyon16 run's work folder")
    ap.add_argument('--pilot', required=True, help='folder for the extra encoders and their bags')
    ap.add_argument('--seeds', type=int, default=3)
    ap.add_argument('--cv', type=int, default=0, help='K-fold cross-validation on the training slides instead of the test slides')
    ap.add_argument('--out', default=str(Path(__file__).parent/'results'/'simclr_features.txt'))
    a = ap.parse_args(); warnings.filterwarnings('ignore')
    if a.cv: a.out = str(Path(a.out).with_name(Path(a.out).stem + '_cv.txt'))
    from dsmil_sa.study import camelyon16_folder, tile_catalogue, CAMELYON16_SLIDES, default_cache
    work, pilot = Path(a.work), Path(a.pilot); pilot.mkdir(parents=True, exist_ok=True)
    cat = camelyon16_folder(None, default_cache(), **CAMELYON16_SLIDES['cpu'], seed=0)
    tiles = tile_catalogue(cat, work/'tiles', tile_size=128)
    tr, te = np.flatnonzero(cat.split == 'train'), np.flatnonzero(cat.split == 'test'); y = cat.label.to_numpy()
    run = {'random': 'bags_random', 'per-scale': 'bags', 'shared': 'bags_shared'}
    if not Path(a.out).exists():
        Path(a.out).write_text(f"camelyon16 cpu slides {CAMELYON16_SLIDES['cpu']}: {len(tr)} training / {len(te)} test slides; ABMIL at 20x, "
                               + (f"{a.cv}-fold cross-validation on the training slides, 2 repeats, 40 epochs" if a.cv else
                                  f"40 epochs, 25% validation split, seeds 0-{a.seeds - 1}") + "; 128 px tiles seen at 48 px\n")
    for spec in a.encoders:
        if spec in run: files, extra = [work/run[spec]/Path(t).name for t in tiles], f"the camelyon16 run's {run[spec]}"
        else: files, extra = encoder_bags(spec, tiles, tr, pilot)
        if a.cv:
            auc = cv_scores(files, y, tr, a.cv)
            line = f"{spec:>12}: cross-validated AUC {np.mean(auc):.3f} ± {np.std(auc, ddof=1) / np.sqrt(len(auc)):.3f} (mean ± s.e. over {len(auc)} folds); {extra}"
        else:
            val, test = scores(files, y, tr, te, range(a.seeds))
            line = (f"{spec:>12}: validation AUC {np.mean(val):.3f} ({', '.join(f'{v:.3f}' for v in val)}); "
                    f"test AUC {np.mean(test):.3f} ({', '.join(f'{v:.3f}' for v in test)}); {extra}")
        print(line, flush=True)
        with open(a.out, 'a') as f: f.write(line + '\n')

if __name__ == '__main__': main()
