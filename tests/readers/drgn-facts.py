# SPDX-License-Identifier: GPL-2.0-or-later
"""drgn-facts.py OUTDIR: run by drgn (`drgn -c DUMP -s VMLINUX drgn-facts.py OUTDIR`); writes what
drgn reads from the dump, one file a fact, in the form tests/readers compares with crash:

  tasks.txt     "PID COMM" of every task (the pid IDR walk), sorted by pid
  log.txt       the kernel log, one "[SECONDS.MICROS] text" line a record line, as crash's log
  bt.txt        function names of the stack trace of the CPU 0 task (crashed thread), one a line
  jiffies.txt   jiffies_64, decimal
  init_task.txt init_task.comm
  uts.txt       init_uts_ns.name.release, .machine
  panic.txt     with --panic: "PID COMM" of the crashed thread (the task that panicked)
  panic-bt.txt  with --panic: the function names of that task's stack trace (a fact drgn may
                fail to read without failing the run: see tests/readers/README.md, ppc64)
A fact drgn cannot read is written as "ERROR: ..." in its file and drgn-facts exits 1.
"""
import os
import sys

from drgn import FaultError
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_printk_records

out = sys.argv[1]
want_panic = "--panic" in sys.argv[2:]
prog = globals()["prog"]  # set by drgn when it runs a script
errors = 0


def fact(name, fn, required=True):
    global errors
    try:
        text = fn()
    except (FaultError, LookupError, ValueError) as e:
        text = f"ERROR: {type(e).__name__}: {e}\n"
        errors += required
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


def tasks():
    rows = sorted((t.pid.value_(), t.comm.string_().decode(errors="replace")) for t in for_each_task(prog))
    return "".join(f"{pid} {comm}\n" for pid, comm in rows)


def log():
    lines = []
    for r in get_printk_records(prog):
        sec, ns = divmod(r.timestamp, 1_000_000_000)
        prefix = f"[{sec:5d}.{ns // 1000:06d}] "
        # crash indents a record's further lines under the first one's text
        for i, line in enumerate(r.text.decode(errors="replace").split("\n")):
            lines.append((prefix if i == 0 else " " * len(prefix)) + line + "\n")
    return "".join(lines)


def frames(trace):
    return "".join(f"{f.name}\n" for f in trace if f.name)


def bt():
    return frames(prog.crashed_thread().stack_trace())


def panic():
    t = prog.crashed_thread()
    return f"{t.tid} {t.object.comm.string_().decode()}\n"


def panic_bt():
    return frames(prog.crashed_thread().stack_trace())


fact("tasks.txt", tasks)
fact("log.txt", log)
fact("bt.txt", bt, required=not want_panic)
fact("jiffies.txt", lambda: f"{prog['jiffies_64'].value_()}\n")
fact("init_task.txt", lambda: prog["init_task"].comm.string_().decode() + "\n")
fact("uts.txt", lambda: "{} {}\n".format(prog["init_uts_ns"].name.release.string_().decode(),
                                        prog["init_uts_ns"].name.machine.string_().decode()))
if want_panic:
    fact("panic.txt", panic)
    fact("panic-bt.txt", panic_bt, required=False)
sys.exit(1 if errors else 0)
