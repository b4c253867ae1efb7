#!/usr/bin/python3
"""Extracts the EXAMPLES of a man page as a reader sees them: from the RENDERED page
(`man -l PAGE` or `mandoc -Tutf8 PAGE`, plain text on stdin), not from its scdoc source,
so that escapes the formatter eats (scdoc drops the backslash of `\\n`, `\\(`, a line
continuation) show up as failing examples.

usage: man_examples.py SOURCE.scd OUTDIR < rendered.txt

The source only says WHICH blocks are meant to run: the N-th ``` block of its
EXAMPLES section is the N-th indented block of the rendered section, and a block
preceded by a "; run" comment line is written to OUTDIR/NN.run.sh, the others to
OUTDIR/NN.show.sh. Exits 1 (with a message) when the rendered section does not have
as many blocks as the source, when a block shows a character a shell would not take
for the ASCII one the source meant (typographic quotes, dashes), or when a rendered
block shows an option line that no continuation backslash or pipe joins to the
command before it.
"""
import os
import re
import sys


def source_blocks(path):
    """[(runnable, first_line)] for the ``` blocks of the EXAMPLES section."""
    out, section, armed, fence = [], "", False, None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if fence is not None:
            if line.startswith("```"):
                out.append((fence, armed))
                fence, armed = None, False
            continue
        if line.startswith("# "):
            section = line[2:].strip()
        if section != "EXAMPLES":
            continue
        if re.match(r"^; run\s*$", line):
            armed = True
        elif line.startswith("```"):
            fence = line
        elif not line.startswith(";"):
            armed = False
    return [runnable for _, runnable in out]


def rendered_blocks(text):
    """The indented (literal) blocks of the rendered EXAMPLES section, dedented."""
    lines = text.split("\n")
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == "EXAMPLES" and not l.startswith(" "))
    except StopIteration:
        return []
    body = []
    for l in lines[start + 1:]:
        if l and not l.startswith(" "):
            break  # next section heading
        body.append(l)
    indent = lambda l: len(l) - len(l.lstrip(" "))
    text_indent = min((indent(l) for l in body if l.strip()), default=0)
    blocks, cur = [], None
    for l in body:
        if l.strip() and indent(l) <= text_indent:
            if cur:
                blocks.append(cur)
            cur = None
        elif l.strip():
            cur = (cur or []) + [l]
        elif cur is not None:
            cur.append(l)
    if cur:
        blocks.append(cur)
    out = []
    for b in blocks:
        while b and not b[-1].strip():
            b.pop()
        cut = min(indent(l) for l in b if l.strip())
        out.append("\n".join(l[cut:] for l in b) + "\n")
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, outdir = sys.argv[1], sys.argv[2]
    want = source_blocks(src)
    got = rendered_blocks(sys.stdin.read())
    name = os.path.basename(src)
    if len(want) != len(got):
        print(f"{name}: the source has {len(want)} example blocks, the rendered page shows {len(got)}")
        sys.exit(1)
    bad = False
    os.makedirs(outdir, exist_ok=True)
    for n, (runnable, block) in enumerate(zip(want, got), 1):
        lines = block.rstrip("\n").split("\n")
        for prev, line in zip(lines, lines[1:]):
            # "cmd ... <newline>  --opt": as pasted, the second line runs alone.
            if re.match(r"^\s+--?[A-Za-z]", line) and not re.search(r"(\\|\||&&|\|\|)\s*$", prev):
                print(f"{name}: example {n}: line {line.strip()!r} is not joined to the command above it")
                bad = True
        for line in lines:
            odd = [c for c in line if ord(c) > 126]
            if odd:
                print(f"{name}: example {n}: {''.join(odd)!r} in {line.strip()!r} (a shell wants ASCII quotes and dashes)")
                bad = True
        with open(os.path.join(outdir, f"{n:02d}.{'run' if runnable else 'show'}.sh"), "w") as f:
            f.write(block)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
