"""FROC evaluation speed: `dsmil_sa.froc` (`official=True`) against the official Camelyon16 algorithm transcribed plainly.

    .venv/bin/python benchmarks/froc.py                      # 130 slides, 50 with tumour, level-5 masks 3000 x 6000
    .venv/bin/python benchmarks/froc.py --tumour 10 --normal 10

The case of issue 15: Camelyon16-like slides, each tumour slide with a level-5 tumour mask (7.776 um/px, values
0/255) holding a mix of macro-metastases, micro-metastases and isolated tumour cells; 100 detections per slide with
probabilities rounded to two decimals (so that ties, and the official script's float32 lesion list, matter).

- reference: the official algorithm as its script runs it: per slide a distance transform of the whole mask,
  thresholded at 75 / (2 * 7.776) px, holes filled and 8-connected labels over the whole mask, ITCs by regionprops;
  matching, then the FROC curve with lesion probabilities in float32 and the lowest threshold dropped;
- ours: `evaluation_mask_from_tumour(official=True)` (block by block), `match_detections` and `froc_curve(official=True)`.

Both get the same in-memory masks and detections (making the masks is not timed); the scores must be equal.
Prints the seconds of each and their ratio, from one run in one process.
"""
from __future__ import annotations
import argparse, time, platform
import numpy as np
from scipy import ndimage as ndi
from skimage import measure
from dsmil_sa.froc import evaluation_mask_from_tumour, match_detections, froc_curve

MPP, DS = 7.776, 32      # level 5 of a 0.243 um/px slide

def make_mask(rng, shape):
    "A 0/255 level-5 tumour mask: 1-2 macro-metastases (2-5 mm), 0-4 micro (0.2-2 mm), 0-4 ITCs (< 0.2 mm)."
    H, W = shape; m = np.zeros(shape, np.uint8); yy, xx = np.ogrid[:H, :W]
    sizes = ([rng.uniform(2000, 5000) for _ in range(rng.integers(0, 3))] + [rng.uniform(200, 2000) for _ in range(rng.integers(0, 5))] +
             [rng.uniform(20, 200) for _ in range(rng.integers(0, 5))]) or [rng.uniform(200, 2000)]
    for d_um in sizes:
        r = d_um / MPP / 2; cy, cx = rng.uniform(r, H - r), rng.uniform(r, W - r)
        ry, rx = r * rng.uniform(0.6, 1.0), r * rng.uniform(0.6, 1.0)
        m[((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1] = 255
    return m

def detections(rng, mask, k=100):
    "k detections (p, x, y level-0): a third near tumour pixels when there are any, the rest anywhere."
    H, W = mask.shape; tum = np.argwhere(mask == 255); n_in = k // 3 if len(tum) else 0
    rc = np.r_[tum[rng.integers(0, len(tum), n_in)] if n_in else np.zeros((0, 2), int), np.c_[rng.integers(0, H, k - n_in), rng.integers(0, W, k - n_in)]]
    return np.c_[np.round(rng.random(k), 2), rc[:, 1] * DS + DS // 2, rc[:, 0] * DS + DS // 2].astype(float)

def reference_mask(mask):
    "The official evaluation mask and ITC list: whole-image distance transform, fill, label, regionprops."
    dist = ndi.distance_transform_edt(255 - mask)
    lab = measure.label(ndi.binary_fill_holes(dist < 75 / (2 * MPP)), connectivity=2)
    itc = [p.label for p in measure.regionprops(lab) if p.axis_major_length < 275 / MPP]
    return lab, itc

def reference_match(dets, ev):
    "The official matching of one slide: its FP probabilities (float64) and its lesion list (float32), lesions counted."
    if ev is None: return [float(p) for p in dets[:, 0]], np.zeros(0, np.float32), 0
    lab, itc = ev; fp, t = [], np.zeros(int(lab.max()), np.float32)
    for p, x, y in dets:
        hit = int(lab[int(y) // DS, int(x) // DS])
        if hit == 0: fp.append(float(p))
        elif hit not in itc and p > t[hit - 1]: t[hit - 1] = p
    return fp, t, len(t) - len(itc)

def reference_froc(per_slide):
    "The official curve: lesion list in float32, FP list in float64, the lowest threshold dropped; mean sensitivity."
    fp = [p for f, _, _ in per_slide for p in f]; tp = np.concatenate([t for _, t, _ in per_slide]); n_les = sum(n for *_, n in per_slide)
    A_fp = np.asarray(fp, np.float64)
    th = sorted(set(fp) | {float(v) for v in tp})[1:]
    n_fp = [int((A_fp >= v).sum()) for v in th] + [0]; n_tp = [int((tp >= np.float32(v)).sum()) for v in th] + [0]
    fr, se = np.array(n_fp) / len(per_slide), np.array(n_tp) / n_les
    return float(np.mean(np.interp([0.25, 0.5, 1, 2, 4, 8], fr[::-1], se[::-1])))

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--tumour', type=int, default=50); ap.add_argument('--normal', type=int, default=80)
    ap.add_argument('--height', type=int, default=6000); ap.add_argument('--width', type=int, default=3000)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args(); rng = np.random.default_rng(a.seed)
    t_ref = t_ours = 0.; ref, ours = [], {}                  # only per-slide matches are kept, not the masks
    evaluation_mask_from_tumour(np.zeros((8, 8), np.uint8), mpp=MPP)      # imports and first-call costs out of the timing
    for i in range(a.tumour + a.normal):
        tum = i < a.tumour
        mask = make_mask(rng, (a.height, a.width)) if tum else None
        dets = detections(rng, mask if tum else np.zeros((a.height, a.width), np.uint8))
        t = time.perf_counter(); ref.append(reference_match(dets, reference_mask(mask) if tum else None)); t_ref += time.perf_counter() - t
        t = time.perf_counter()
        em = evaluation_mask_from_tumour(mask, mpp=MPP, downsample=DS, official=True) if tum else None
        ours[f"{'Tumor' if tum else 'Normal'}_{i:03d}"] = match_detections(dets, em, is_tumour=tum); t_ours += time.perf_counter() - t
    t = time.perf_counter(); s_ref = reference_froc(ref); t_ref += time.perf_counter() - t
    t = time.perf_counter(); s_ours = froc_curve(ours, official=True).score; t_ours += time.perf_counter() - t
    print(f"{a.tumour + a.normal} slides ({a.tumour} with tumour), level-5 masks {a.width} x {a.height}, 100 detections each; {platform.processor() or platform.machine()}, one process")
    print(f"  reference (official algorithm)   {t_ref:8.2f} s   FROC {s_ref:.4f}")
    print(f"  dsmil_sa.froc, official=True      {t_ours:8.2f} s   FROC {s_ours:.4f}")
    print(f"  ratio reference / ours            {t_ref / t_ours:8.1f}x   scores equal: {np.isclose(s_ref, s_ours, rtol=0, atol=1e-12)}")
