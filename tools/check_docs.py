"""Check the documentation pages without Quarto (which cannot be installed here).

Renders every notebook that `nbdev-proc-nbs` processed (`_proc/*.ipynb`) and the executed experiment notebooks that
the site shows (`results/*/*.ipynb`) to HTML with nbconvert, and fails when a page shows an error (an `error` output, a traceback in any output), refers to a
local image that does not exist, carries a figure wider than `--max-px`, or weighs more than `--max-mb`. Prints one
line per page and ends with `N passed, M failed`.

`--shrink NOTEBOOK...` instead rewrites the PNG outputs of source notebooks wider than `--max-px` to that width
(run it after executing notebooks with `--save`, before committing).
"""
import argparse, base64, io, json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def _pngs(nb):
    "(cell index, output, PNG bytes) of every PNG output of a notebook dict."
    for i, c in enumerate(nb['cells']):
        for o in c.get('outputs', []):
            png = o.get('data', {}).get('image/png')
            if png: yield i, o, base64.b64decode(png if isinstance(png, str) else ''.join(png))

def shrink(paths, max_px):
    "Downscale PNG outputs wider than `max_px` in place (`dsmil_sa.reproduce.shrink_figures`); return how many changed."
    from dsmil_sa.reproduce import shrink_figures
    return sum(shrink_figures(p, max_px) for p in paths)

def problems(path:Path, max_px:int, max_mb:float) -> tuple[list, int]:
    "The problems of one processed notebook's page, and the page's size in bytes."
    from PIL import Image
    from nbconvert import HTMLExporter
    nb = json.loads(path.read_text())
    out = []
    for i, c in enumerate(nb['cells']):
        for o in c.get('outputs', []):
            if o.get('output_type') == 'error': out.append(f"cell {i}: error output {o.get('ename')}: {o.get('evalue')}")
            text = ''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', ''))
            if 'Traceback (most recent call last)' in text: out.append(f"cell {i}: a traceback in the output")
        if c['cell_type'] == 'markdown':
            for ref in re.findall(r'!\[[^\]]*\]\(([^)\s]+)', ''.join(c['source'])):
                if not re.match(r'https?://|data:', ref) and not (path.parent/ref).exists(): out.append(f"cell {i}: missing image {ref}")
    for i, _, b in _pngs(nb):
        w = Image.open(io.BytesIO(b)).width
        if w > max_px: out.append(f"cell {i}: a figure {w} px wide (limit {max_px}; tools/check_docs.py --shrink)")
    import nbformat
    keep = ('cell_type', 'id', 'source', 'outputs', 'execution_count', 'attachments')
    clean = dict(nb, cells=[dict({k: v for k, v in c.items() if k in keep}, metadata={})
                            for c in nb['cells']])          # nbdev's processing adds keys and metadata nbformat rejects
    html, _ = HTMLExporter(template_name='basic').from_notebook_node(nbformat.reads(json.dumps(clean), as_version=4))
    size = len(html.encode())
    if size > max_mb * 1e6: out.append(f"page is {size/1e6:.1f} MB (limit {max_mb} MB)")
    return out, size

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--max-px', type=int, default=1400); ap.add_argument('--max-mb', type=float, default=3.0)
    ap.add_argument('--shrink', nargs='*')
    a = ap.parse_args()
    if a.shrink is not None: print(f"{shrink(a.shrink, a.max_px)} figure(s) shrunk"); sys.exit(0)
    pages = sorted((root/'_proc').glob('*.ipynb')) + sorted(p for p in root.glob('results/*/*.ipynb') if not p.name.startswith('.') and '.failed.' not in p.name)    # the experiment pages: executed copies
    if not pages: sys.exit("no processed notebooks in _proc/: run nbdev-proc-nbs first")
    bad = 0
    for p in pages:
        probs, size = problems(p, a.max_px, a.max_mb)
        print(f"{'FAIL' if probs else 'ok  '}  {p.relative_to(root)}  {size/1e3:.0f} kB" + ''.join(f"\n      {q}" for q in probs))
        bad += bool(probs)
    print(f"{len(pages) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)
