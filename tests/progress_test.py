"""Progress lines on a shared terminal (issue 18): in `rufetch | uxform > FILE` with
both stderr on one terminal (a pty, 60 columns), only the last stage, whose stdout is
not a pipe, draws a progress line, and every line it draws fits the terminal's width
(a wrapped line cannot be redrawn in place). A stage alone on the terminal draws;
--no-progress and a stdout pipe silence it. Bounded: each run has a 60 s deadline."""
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

BIN = os.environ.get("AIRSTREAM_BIN") or os.path.join(os.path.dirname(__file__), "..", "build", "bin")
COLS = 60
failures = []


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def on_pty(shell_cmd):
    """Runs a shell command with stderr on a fresh pty of COLS columns; returns what
    the terminal received (stdin and stdout as the command line says)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLS, 0, 0))
    env = dict(os.environ, PATH=BIN + ":" + os.environ.get("PATH", ""))
    env.pop("NO_COLOR", None)
    p = subprocess.Popen(["bash", "-c", shell_cmd], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the pty
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    if p.poll() is None:
        p.kill()
    p.wait()
    os.close(master)
    return out.decode("utf-8", "replace")


def drawn(out):
    """The progress lines drawn: text after each "\\r\\e[K" up to the next control."""
    return [m for m in re.findall(r"\r\x1b\[K([^\r\n\x1b]*)", out) if m]


tmp = os.environ.get("TMPDIR", "/tmp")
sink = os.path.join(tmp, "progress_test.%d.out" % os.getpid())
try:
    out = on_pty(f"rufetch --synthetic --seed 1 --count 2000 -r 1000 | uxform --preset created_users > {sink}")
    lines = drawn(out)
    check("the last stage draws: %r" % lines[:3], any(l.startswith("uxform:") for l in lines))
    check("the stage writing into the pipe does not: %r" % [l for l in lines if not l.startswith("uxform")][:3],
          all(l.startswith("uxform:") for l in lines))
    check("every line fits %d columns: %r" % (COLS, [l for l in lines if len(l) >= COLS][:2]),
          all(len(l) < COLS for l in lines))
    tail = re.split(r"\r\x1b\[K", out)[-1]
    check("the progress line is cleared at the end: %r" % tail[-80:], tail == "" or tail.endswith("\n"))
    check("the line is plain: counts and a rate, no internal names: %r" % lines[-1:],
          all(re.fullmatch(r"uxform: in \d+, out \d+, rejected \d+, \d+/s", l) for l in lines))

    out = on_pty(f"rufetch --synthetic --seed 1 --count 1500 -r 1000 > {sink}")
    check("a stage alone on the terminal draws", any(l.startswith("rufetch:") for l in drawn(out)))
    out = on_pty(f"rufetch --synthetic --seed 1 --count 1500 -r 1000 --no-progress > {sink}")
    check("--no-progress draws nothing", drawn(out) == [])
    out = on_pty("rufetch --synthetic --seed 1 --count 1500 -r 1000 | cat > /dev/null")
    check("a stage whose stdout is a pipe draws nothing", drawn(out) == [])
finally:
    if os.path.exists(sink):
        os.unlink(sink)

if failures:
    print("%d checks failed" % len(failures))
    sys.exit(1)
print("all checks passed")
