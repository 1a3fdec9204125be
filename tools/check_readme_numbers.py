"""Every number in the README's Results and Speed sections comes from a run, or is marked as the paper's.

A number (a decimal such as 0.907, -0.004, 3.03x or 1,286, or a whole number of 100 or more) passes when it is written as it is in
the summary files under `results/` and `benchmarks/results/` (Markdown, JSON, text, the CSV tables and the executed notebooks' printed outputs; not the per-run,
per-fold or per-slide rows, where almost any figure has a neighbour), or a value written there with more decimals
rounds to it (signs ignored: a gap may be quoted either way round). Exempt: the
paper's figures (a table row or column named "paper", or a sentence that says "paper"/"the paper's" right before the
number), and numbers in code spans, links, LaTeX and the table header. Exits 1 and lists what it cannot find.
"""
import re, sys, json
from pathlib import Path
import numpy as np

root = Path(__file__).resolve().parents[1]
NUM = re.compile(r'(?<![\w.])[+\-−]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w.]*\d)')
FILES = ('.csv', '.md', '.json', '.txt', '.ipynb')
BULK = ('runs', 'folds', 'scores', 'ucsb_folds')     # one row per run, fold or slide: left out

def text_of(f:Path) -> str:
    "A file's text; of an executed notebook, its printed outputs only (not its code, not its images)."
    if f.suffix != '.ipynb': return f.read_text(errors='ignore')
    outs = [o for c in json.loads(f.read_text())['cells'] for o in c.get('outputs', [])]
    return '\n'.join(''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', '')) + ''.join(o.get('data', {}).get('text/markdown', '')) for o in outs)

def known_values() -> tuple[set, dict]:
    "Every number written in the committed summaries: as written (signs and commas dropped), and by decimals written."
    toks = []
    for d in (root/'results', root/'benchmarks'/'results'):
        for f in d.rglob('*'):
            if f.suffix in FILES and f.is_file() and f.stem not in BULK and 'runs' not in f.parent.name:
                toks += [t.replace(',', '') for t in re.findall(r'\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+', text_of(f))]
    by_dec = {}
    for t in set(toks): by_dec.setdefault(len(t.split('.')[1]) if '.' in t else 0, []).append(float(t))
    return set(toks), {k: np.sort(v) for k, v in by_dec.items()}

def sections(readme:str) -> str:
    "The Results and Speed sections of the README."
    a = readme.index('\n## Results'); b = readme.index('\n## ', readme.index('\n## Speed') + 5)
    return readme[a:b]

def clean(line:str) -> str:
    "A line without what is not a claim of a run: code spans, links' targets, LaTeX, and the paper's own figures."
    line = re.sub(r'`[^`]*`', ' ', line); line = re.sub(r'\]\([^)]*\)', ']', line); line = re.sub(r'\$[^$]*\$', ' ', line)
    return re.sub(r"(the paper's|paper:|paper reports?|the paper has|DSMIL paper)[^;.)]*", ' ', line)

def numbers(text:str) -> list:
    "(line, token, value, decimals) of every number to check."
    out, header = [], None
    for line in text.splitlines():
        if line.startswith('|'):
            cells = [c.strip() for c in line.strip('|').split('|')]
            if header is None: header = cells; continue
            if set(''.join(cells)) <= set(':- '): continue
            if 'paper' in cells[0].lower(): continue
            line = '|'.join(c for h, c in zip(header, cells) if 'paper' not in h.lower())
        else: header = None
        for m in NUM.finditer(clean(line)):
            whole, dec = m.group(1), m.group(2) or ''
            v = float(whole.replace(',', '') + dec)
            if not dec and ',' not in whole and v < 100: continue
            out.append((line.strip()[:90], m.group(0), v, len(dec) - 1 if dec else 0))
    return out

def found(tok:str, v:float, d:int, known) -> bool:
    "Written as it is somewhere, or a value written with more decimals rounds to it."
    literal, by_dec = known
    if tok.lstrip('+-−').replace(',', '') in literal: return True
    h = 0.5 * 10.0 ** -d + 1e-12
    for k, a in by_dec.items():
        if k <= d: continue
        i = np.searchsorted(a, v - h)
        if i < len(a) and a[i] <= v + h: return True
    return False

def missing(readme:str, known) -> list:
    return [(tok, line) for line, tok, v, d in numbers(sections(readme)) if not found(tok, v, d, known)]

def selftest(known):
    "The check can fail: a figure no run wrote is caught, the same figure marked as the paper's is not, nor a table's paper column."
    fake = lambda body: f"# x\n\n## Results\n\n{body}\n\n## Speed\n\nnone\n\n## Data\n"
    assert [t for t, _ in missing(fake("AUC 0.98761 on the slides."), known)] == ['0.98761'], "a made-up figure must be caught"
    assert not missing(fake("the paper's AUC 0.98761, here"), known), "the paper's figure is exempt"
    assert not missing(fake("| model | AUC | paper AUC |\n|:--|:--|:--|\n| A | 1,155 | 0.98761 |"), known), "a paper column is exempt"
    assert [t for t, _ in missing(fake("| model | AUC |\n|:--|:--|\n| A | 0.98761 |"), known)] == ['0.98761']

if __name__ == '__main__':
    selftest(known_values())
    bad = missing((root/'README.md').read_text(), known_values())
    for tok, line in bad: print(f"README.md: {tok} is in no results file: {line}")
    n = len(numbers(sections((root/'README.md').read_text())))
    if bad: sys.exit(f"{len(bad)} of {n} numbers in the README's Results and Speed sections are in no file under results/ or benchmarks/results/")
    print(f"all {n} numbers in the README's Results and Speed sections are found in results/ or benchmarks/results/")
