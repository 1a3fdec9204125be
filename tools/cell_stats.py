"""The notebooks' cell figures that the nbdev exemplars are measured by (fastcore `01_basics`, nbdev `api/*`, execnb
`00_shell`): median exported cell, share of exported cells over 30 lines, exported cells with prose just before,
exported cells with a test within two cells after, and the uses of `@patch`, `@delegates` and `store_attr`.

    .venv/bin/python tools/cell_stats.py              # every notebook of nbs/, then the total
    .venv/bin/python tools/cell_stats.py --total      # the total only
"""
from __future__ import annotations
import json, re, statistics, sys
from pathlib import Path

NBS = Path(__file__).resolve().parents[1]/'nbs'
TEST = re.compile(r'\btest_(eq|ne|close|fail|is|warns|stdout|eq_type|shuffled)\b|^\s*assert\b', re.M)

def stats(cells:list) -> dict:
    "Figures of one notebook's cells (dicts with `cell_type` and `source`)."
    src = [''.join(c['source']) for c in cells]
    exp = [i for i, (c, s) in enumerate(zip(cells, src)) if c['cell_type'] == 'code' and re.match(r'#\|\s*export', s)]
    lines = [len(src[i].splitlines()) - 1 for i in exp]                      # without the `#| export` line
    prose = [i for i in exp if i and cells[i - 1]['cell_type'] == 'markdown']
    tested = [i for i in exp if any(cells[j]['cell_type'] == 'code' and TEST.search(src[j]) for j in range(i + 1, min(i + 3, len(cells))))]
    code = '\n'.join(src[i] for i in exp)
    return dict(exported=len(exp), lines=lines, prose=len(prose), tested=len(tested),
                patch=code.count('@patch'), delegates=code.count('@delegates') + code.count('@typed_delegates'), store_attr=code.count('store_attr('))

def row(name:str, s:dict) -> str:
    n = max(s['exported'], 1); L = s['lines'] or [0]
    return (f"{name:24s} {s['exported']:4d} cells  median {statistics.median(L):4.0f} lines  over 30: {sum(l > 30 for l in L):3d} "
            f"({sum(l > 30 for l in L) / n:4.0%})  prose before {s['prose'] / n:4.0%}  test after {s['tested'] / n:4.0%}  "
            f"@patch {s['patch']}  delegates {s['delegates']}  store_attr {s['store_attr']}")

if __name__ == '__main__':
    tot = dict(exported=0, lines=[], prose=0, tested=0, patch=0, delegates=0, store_attr=0)
    for p in sorted(NBS.glob('[0-9]*.ipynb')):
        s = stats(json.loads(p.read_text())['cells'])
        for k in tot: tot[k] = tot[k] + s[k]
        if '--total' not in sys.argv and s['exported']: print(row(p.stem, s))
    print(row('all notebooks', tot))
