"""The package's layering: every module imports only from modules of lower-numbered notebooks (lazy imports inside
functions included), and `nbs/sidebar.yml` lists every notebook once, in the notebooks' order (the tutorial, `index`
and the demo, first), and that no exported cell holds two public top-level definitions, more than two definitions of
any kind, or more than 40 lines of code (signatures' parameter lines aside) -- one short definition per cell, as the
nbdev exemplars write them.

    .venv/bin/python tools/check_layers.py        # prints each violation; exit 1 if any
"""
from __future__ import annotations
import ast, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG, NBS = ROOT/'dsmil_sa', ROOT/'nbs'
FIRST = ('index.ipynb', '10_demo.ipynb')       # the tutorial opens the site

def module_notebooks() -> dict[str, str]:
    "Module name -> the notebook it is exported from (`default_exp`)."
    out = {}
    for nb in NBS.glob('*.ipynb'):
        m = re.search(r'#\|\s*default_exp\s+(\w+)', nb.read_text())
        if m: out[m.group(1)] = nb.name
    return out

def imported_modules(py:Path) -> set[str]:
    "The package modules a module imports, anywhere in it."
    out = set()
    for node in ast.walk(ast.parse(py.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1: out.add(mod.split('.')[0] if mod else '')
            elif mod.startswith('dsmil_sa.'): out.add(mod.split('.')[1])
            elif mod == 'dsmil_sa': out.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name.split('.')[1] for a in node.names if a.name.startswith('dsmil_sa.'))
    return out - {'', '_modidx', 'experiments'}

def layer_violations() -> list[str]:
    nbs = module_notebooks(); bad = []
    for mod, nb in sorted(nbs.items(), key=lambda kv: kv[1]):
        for dep in sorted(imported_modules(PKG/f'{mod}.py')):
            if dep not in nbs: bad.append(f"{mod} ({nb}) imports {dep}, which no notebook exports")
            elif nbs[dep] >= nb: bad.append(f"{mod} ({nb}) imports {dep} ({nbs[dep]}), which is not lower")
    return bad

def sidebar_violations() -> list[str]:
    listed = re.findall(r'^\s*-\s*([\w.]+\.ipynb)\s*$', (NBS/'sidebar.yml').read_text(), re.M)
    have = sorted(p.name for p in NBS.glob('*.ipynb'))
    bad = [f"sidebar.yml lists {n}, which is not in nbs/" for n in listed if n not in have]
    bad += [f"sidebar.yml does not list {n}" for n in have if n not in listed]
    bad += [f"sidebar.yml lists {n} {listed.count(n)} times" for n in set(listed) if listed.count(n) > 1]
    rest = [n for n in listed if n not in FIRST]
    if listed[:len(FIRST)] != list(FIRST): bad.append(f"sidebar.yml should open with {', '.join(FIRST)}")
    if rest != sorted(rest): bad.append(f"sidebar.yml is not in the notebooks' order: {', '.join(rest)}")
    return bad

MAX_LINES = 40

def code_lines(src:str) -> int:
    "Lines of an exported cell without its directives and without the parameter lines of its signatures (docments document, they are not code)."
    import ast
    body = '\n'.join(l for l in src.splitlines() if not l.startswith('#|'))
    n = len(body.strip().splitlines())
    try: tree = ast.parse(body)
    except SyntaxError: return n
    for d in ast.walk(tree):
        if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) and d.body: n -= max(d.body[0].lineno - d.lineno - 1, 0)
    return n

def cell_violations() -> list[str]:
    "Exported cells that define two public functions or classes at top level, more than two definitions of any kind, or over `MAX_LINES` lines."
    import json
    bad = []
    for nb in sorted(NBS.glob('[0-9]*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            s = ''.join(c['source'])
            if c['cell_type'] != 'code' or not re.match(r'#\|\s*export', s): continue
            every = re.findall(r'^(?:async def|def|class) (\w+)', s, re.M); names = [n for n in every if not n.startswith('_')]
            if len(names) > 1: bad.append(f"{nb.name}: one exported cell defines {', '.join(names)}: one definition per cell")
            elif len(every) > 2: bad.append(f"{nb.name}: one exported cell defines {', '.join(every)}: at most two top-level definitions, private ones included")
            if (n := code_lines(s)) > MAX_LINES: bad.append(f"{nb.name}: an exported cell of {n} lines ({', '.join(every) or 'no definition'}): at most {MAX_LINES}, signatures aside; grow it with @patch or helpers")
    return bad

if __name__ == '__main__':
    bad = layer_violations() + sidebar_violations() + cell_violations()
    print('\n'.join(bad) or f"layers, sidebar and one definition per cell in order: {len(module_notebooks())} modules")
    sys.exit(1 if bad else 0)
