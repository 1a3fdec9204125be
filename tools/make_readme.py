"""Render README.md from nbs/index.ipynb without Quarto (which cannot be installed here).

Markdown cells are copied; code cells are shown unless they carry `#| hide` or `#| echo: false`; their Markdown or
text outputs follow. `--check` exits 1 when the committed README.md differs from the rendering; `--chain` prints the README's documented
command chain (the bash block starting with `# dsmil chain`) as a script, which CI runs in an empty folder.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]

def directives(src):
    return {l[3:].strip().split(':')[0].strip(): l for l in src.splitlines() if l.startswith('#|')}

def render(nb_path=root/'nbs'/'index.ipynb'):
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        d = directives(src)
        if 'hide' in d: continue
        if c['cell_type'] == 'markdown': parts.append(src.strip().replace('](../', '](')); continue   # paths from nbs/ to the repository root
        if c['cell_type'] != 'code': continue
        code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
        if code and 'echo: false' not in ' '.join(d.values()): parts.append(f"```python\n{code}\n```")
        for o in c.get('outputs', []):
            data = o.get('data', {})
            if 'text/markdown' in data: parts.append(''.join(data['text/markdown']).strip())
            elif 'text/plain' in data: parts.append("```\n" + ''.join(data['text/plain']).rstrip() + "\n```")
            elif o.get('output_type') == 'stream': parts.append("```\n" + ''.join(o['text']).rstrip() + "\n```")
    return '\n\n'.join(p for p in parts if p) + '\n'

def chain(readme=root/'README.md') -> str:
    "The bash block of the README that starts with `# dsmil chain`: the documented pipeline on one's own slides."
    for b in readme.read_text().split('```bash\n')[1:]:
        b = b.split('```')[0]
        if b.startswith('# dsmil chain'): return 'set -euo pipefail\n' + b
    sys.exit("README.md has no bash block starting with '# dsmil chain'")

if __name__ == '__main__':
    out, readme = render(), root/'README.md'
    if '--chain' in sys.argv: print(chain(), end=''); sys.exit(0)
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != out:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`")
        readme.touch()  # keep it newer than index.ipynb, so docs steps never try to render it
    else:
        readme.write_text(out); print(f"wrote {readme}")
