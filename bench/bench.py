#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""phypdump benchmarks and demo, on the simulator.

For each fixture size, on the same vmcore, simulator layout and disk:
  baseline  stock makedumpfile writes the dump to a file, then all dump
            memory is released at once (release_mem), as kdump does today;
  phypdump  phypdump save with incremental release.
Measured: (a) reserved GiB*s, the area under the reserved-memory curve;
(b) time until 50% and 90% of the reserved memory is back, as a fraction of
the run; (c) wall time against stock makedumpfile alone; (d) phypdump's peak
RSS; (e) the number of release writes; (f) the cost of the page check (each
written page read back and compared with the vmcore before it is released):
phypdump save against phypdump save --no-page-check, same run, fastest of
two runs each, alternated.  The page cache is dropped before
each run so that neither run reads the vmcore from memory.

  bench.py [--size 512M] [--size 8G] [--layout fadump|seed] [--level 31]
           [--svg FILE] [--demo] [--ssh] [--threads] [--patched MAKEDUMPFILE]

--ssh: also save through ssh to a private sshd on 127.0.0.1 (tests/net/sshd.sh)
and report the reserved GiB*s of the ssh save against the local one.
--threads: also time the save with makedumpfile --num-threads 1 and 2.
--repeat N: N rounds of (stock, phypdump save --sync-worker, phypdump save),
alternated; the table gives each figure's range over the rounds, for the
durability worker (--sync-worker) and the in-line syncs (the default).
--scale: the scale table instead (bench-scale): one save per size, with its
peak RSS, journal size, release writes and time.
--patched MAKEDUMPFILE: also run a makedumpfile built with the series of
makedumpfile-patches/ (by hand, see its README: this project never builds
makedumpfile) with --phyp-release, and with --num-threads 2 on the first
size: its reserved GiB*s against the ideal of its own run (the scan and
copy times it prints at --message-level 31), its time to 90%, its wall time
against stock makedumpfile alone, and whether its dump equals stock
makedumpfile's.
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GIB = float(1 << 30)


def fixture(size):
    out = subprocess.run(["bash", os.path.join(TOP, "tests/fixtures/make-vmcore"), "--size", size],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return out.strip().splitlines()[-1]


def drop_caches():
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError:
        pass


class Sim:
    def __init__(self, vmcore, layout, timeline):
        self.mnt = tempfile.mkdtemp(prefix="pdsim.")
        self.timeline = timeline
        # fadump leaves crashed memory between the boot memory and the
        # in-place range out; 64 MiB of boot memory keeps the kernel's data.
        extra = ["--boot-mem", "64M"] if layout == "fadump" else []
        self.proc = subprocess.Popen(
            [os.path.join(TOP, "phypdump-sim"), "-f", "--layout", layout, "--released", "poison",
             "--timeline", timeline] + extra + [vmcore, self.mnt], stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(os.path.join(self.mnt, "proc/vmcore")):
                return
            time.sleep(0.05)
        self.close()
        raise SystemExit("bench: the simulator did not come up")

    def close(self):
        subprocess.run(["fusermount3", "-u", self.mnt], stderr=subprocess.DEVNULL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.rmdir(self.mnt)


def curve(timeline, t0, t1):
    """[(t, reserved)] relative to t0, from the simulator's timeline."""
    pts = []
    with open(timeline) as f:
        for line in f:
            e = json.loads(line)
            if e["event"] == "start":
                pts.append((0.0, e["reserved"]))
            elif e["event"] in ("release", "end"):
                pts.append((max(0.0, e["t"] - t0), e["reserved"]))
    pts.append((t1 - t0, pts[-1][1]))
    return pts


def ideal(pd):
    """The ideal curve of the same run, as [(t, reserved)] steps.

    A filtered page goes back the moment makedumpfile's scan has classified
    it: the scan is taken as going linearly through the pfns from 0 to the
    moment the first page arrives (stock makedumpfile sends its bitmaps only
    after the whole scan).  A written page goes back the moment it is on disk:
    pages are taken as written at an even rate from then until the end of the
    stream.  Every written page holds its size of reserved memory (zero pages
    count as written: they are found only as makedumpfile writes); the rest of
    the reserved memory is filtered (the excluded pfns also count holes, which
    hold no reserved memory)."""
    s = pd["summary"]
    r0 = s["reserved_bytes_at_start"]
    w = min(r0, s["pages"]["written"] * s["page_size"])
    ts, te = s["scan_done_at"], max(s["stream_done_at"], s["scan_done_at"])
    pts, n = [], 200
    for i in range(n + 1):
        t = ts * i / n
        pts.append((t, r0 - (r0 - w) * (i / n)))
    for i in range(1, n + 1):
        t = ts + (te - ts) * i / n
        pts.append((t, w * (1 - i / n)))
    pts.append((max(te, pd["seconds"]), 0.0))
    return pts


def from_timeline(path):
    """A save's own timeline (release-timeline.jsonl in its dump directory,
    e.g. from the QEMU pseries rig): its curve, and the summary ideal()
    needs, from its start, release, stream and end events."""
    ev = [json.loads(line) for line in open(path)]
    start = [e for e in ev if e["event"] == "start"][0]
    st = [e for e in ev if e["event"] == "stream"]
    end = [e for e in ev if e["event"] == "end"]
    if not st or not end:
        raise SystemExit(f"bench: {path} has no stream or end event (a save that failed, or older)")
    st, t1 = st[0], end[0]["t"]
    pts = [(0.0, start["reserved"])] + [(e["t"], e["reserved"]) for e in ev if e["event"] in ("release", "end")]
    pts.append((t1, pts[-1][1]))
    summary = {"reserved_bytes_at_start": start["reserved"], "pages": {"written": st["written_pages"]},
               "page_size": st["page_size"], "scan_done_at": st["scan_done_at"],
               "stream_done_at": st["stream_done_at"]}
    return {"seconds": t1, "curve": pts, "area": area(pts), "summary": summary}


def timeline_figures(path):
    """One line: reserved GiB*s against the ideal, time to 90% against the ideal's."""
    pd = from_timeline(path)
    idl = ideal(pd)
    s = pd["summary"]
    return (f"reserved {pd['area']:.4f} GiB*s, ideal {area(idl):.4f} GiB*s: {pd['area'] / area(idl):.2f}x; "
            f"90% back at {when(pd['curve'], 0.9):.3f} s, ideal's {when(idl, 0.9):.3f} s: "
            f"{when(pd['curve'], 0.9) / max(when(idl, 0.9), 1e-9):.2f}x; run {pd['seconds']:.3f} s, "
            f"scan done at {s['scan_done_at']:.3f} s, stream at {s['stream_done_at']:.3f} s")


def area(pts):
    """Reserved GiB*s under a step curve."""
    a = 0.0
    for (t, r), (t2, _) in zip(pts, pts[1:]):
        a += r * (t2 - t) / GIB
    return a


def when(pts, frac):
    total = pts[0][1]
    for t, r in pts:
        if total - r >= frac * total:
            return t
    return pts[-1][0]


def run_baseline(vmcore, layout, level, work, keep=False):
    tl = os.path.join(work, "baseline.jsonl")
    sim = Sim(vmcore, layout, tl)
    out = os.path.join(work, "baseline.kdump")
    try:
        drop_caches()
        t0 = time.monotonic()
        p = subprocess.run(["makedumpfile", "-l", "-d", str(level), os.path.join(sim.mnt, "proc/vmcore"),
                            out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode:
            raise SystemExit(f"bench: stock makedumpfile failed on the simulator: {p.stderr.strip()[-300:]}")
        t_mdf = time.monotonic()
        with open(out, "rb+") as f:
            os.fdatasync(f.fileno())
        t_sync = time.monotonic()
        with open(os.path.join(sim.mnt, "sys/kernel/fadump/release_mem"), "w") as f:
            f.write("1\n")
        t1 = time.monotonic()
    finally:
        sim.close()
    if not keep:
        os.unlink(out)
    pts = curve(tl, t0, t1)
    return {"seconds": t1 - t0, "makedumpfile_seconds": t_mdf - t0, "saved_seconds": t_sync - t0,
            "curve": pts, "area": area(pts)}


def run_phypdump(vmcore, layout, level, work, show_progress=False, extra=(), collector_extra=""):
    tl = os.path.join(work, "phypdump.jsonl")
    sim = Sim(vmcore, layout, tl)
    dump = os.path.join(work, "dump")
    if show_progress:
        print("\n$ phypdump status --root SIM", flush=True)
        subprocess.run([os.path.join(TOP, "phypdump"), "status", "--root", sim.mnt])
        print("\n$ phypdump save --root SIM ...", flush=True)
    drop_caches()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    try:
        p = subprocess.run([os.path.join(TOP, "phypdump"), "save", "--root", sim.mnt,
                            "--journal", os.path.join(work, "journal"), "--no-dmesg", "--json",
                            "--core-collector", f"makedumpfile -l -d {level}{collector_extra}"] + list(extra) + [dump],
                           stdout=subprocess.PIPE, stderr=None if show_progress else subprocess.DEVNULL,
                           text=True)
        t1 = time.monotonic()
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if show_progress and not p.returncode:
            print("\n$ phypdump status --root SIM   (after the capture)", flush=True)
            subprocess.run([os.path.join(TOP, "phypdump"), "status", "--root", sim.mnt])
    finally:
        sim.close()
    if p.returncode:
        raise SystemExit(f"bench: phypdump save failed ({p.returncode})")
    summary = json.loads(p.stdout)
    summary["journal_bytes"] = os.path.getsize(os.path.join(work, "journal"))
    shutil.rmtree(dump)
    if extra:
        shutil.rmtree(os.path.join(work, "remote"), ignore_errors=True)
    os.unlink(os.path.join(work, "journal"))
    pts = curve(tl, t0, t1)
    # CPU time of phypdump and the makedumpfile it waited for (less noisy
    # than wall time on a shared machine).
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return {"seconds": t1 - t0, "curve": pts, "area": area(pts), "summary": summary, "cpu": cpu}


def run_patched(mdf, vmcore, layout, level, work, page_size, threads=0):
    """A makedumpfile with the series' --phyp-release, on the simulator: its
    curve, and the summary ideal() needs, from what it prints at message
    level 31 (STEP lines: the copy's time; the page counts: the pages
    written, zero pages included, as phypdump counts them)."""
    tl = os.path.join(work, "patched.jsonl")
    out = os.path.join(work, "patched.kdump")
    journal = os.path.join(work, "patched.journal")
    sim = Sim(vmcore, layout, tl)
    cmd = [mdf, "-l", "-d", str(level), "--message-level", "31",
           "--phyp-release=" + os.path.join(sim.mnt, "sys/kernel/fadump/release_region"),
           "--phyp-journal=" + journal]
    if threads:
        cmd += ["--num-threads", str(threads)]
    cmd += [os.path.join(sim.mnt, "proc/vmcore"), out]
    try:
        drop_caches()
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        t1 = time.monotonic()
    finally:
        sim.close()
    if p.returncode:
        raise SystemExit(f"bench: the patched makedumpfile failed: {p.stdout.strip()[-400:]}")
    copy = sum(float(x) for x in re.findall(r"STEP \[Copying data\s*\] : ([0-9.]+) seconds", p.stdout))
    pages = {k: int(v, 16) for k, v in re.findall(r"(Remaining pages|Pages filled with zero)\s*: (0x[0-9a-f]+)",
                                                   p.stdout)}
    pts = curve(tl, t0, t1)
    summary = {"reserved_bytes_at_start": pts[0][1],
               "pages": {"written": pages.get("Remaining pages", 0) + pages.get("Pages filled with zero", 0)},
               "page_size": page_size, "scan_done_at": max(0.0, t1 - t0 - copy), "stream_done_at": t1 - t0}
    os.unlink(journal)
    return {"seconds": t1 - t0, "curve": pts, "area": area(pts), "summary": summary, "out": out}


class Sshd:
    """tests/net/sshd.sh's private sshd, for the ssh target."""

    def __init__(self, work):
        d = os.path.join(work, "sshd")
        out = subprocess.run(["bash", "-c", '. "$1/tests/net/sshd.sh" && sshd_start "$2" "$3" >&2 && '
                              'echo "$SSHD_PORT $SSHD_PID"', "sshd", TOP, d, os.path.join(TOP, "phypdump")],
                             stdout=subprocess.PIPE, text=True, check=True).stdout.split()
        self.port, self.pid = out[0], int(out[1])
        self.args = ["--sshkey", os.path.join(d, "id"),
                     "--ssh-option", "UserKnownHostsFile=" + os.path.join(d, "known_hosts"),
                     "--target", f"ssh://root@127.0.0.1:{self.port}{os.path.join(work, 'remote')}"]

    def close(self):
        os.kill(self.pid, 15)


def svg(path, title, series):
    """A step plot of reserved memory over time, one line per series."""
    w, h, ml, mb, mt, mr = 760, 420, 70, 50, 40, 20
    tmax = max(s[1][-1][0] for s in series) or 1.0
    rmax = max(p[1] for s in series for p in s[1]) or 1
    colors = ["#1f77b4", "#d62728", "#2ca02c"]

    def x(t):
        return ml + (w - ml - mr) * t / tmax

    def y(r):
        return h - mb - (h - mb - mt) * r / rmax

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="22" text-anchor="middle" font-size="15">{title}</text>',
           f'<line x1="{ml}" y1="{h - mb}" x2="{w - mr}" y2="{h - mb}" stroke="black"/>',
           f'<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{h - mb}" stroke="black"/>',
           f'<text x="{(w + ml) / 2}" y="{h - 12}" text-anchor="middle">seconds since the capture started</text>',
           f'<text x="16" y="{(h - mb + mt) / 2}" transform="rotate(-90 16 {(h - mb + mt) / 2})" text-anchor="middle">dump memory still reserved (MiB)</text>']
    for i in range(6):
        t = tmax * i / 5
        r = rmax * i / 5
        out.append(f'<text x="{x(t)}" y="{h - mb + 16}" text-anchor="middle">{t:.1f}</text>')
        out.append(f'<text x="{ml - 6}" y="{y(r) + 4}" text-anchor="end">{r / (1 << 20):.0f}</text>')
        out.append(f'<line x1="{ml}" y1="{y(r)}" x2="{w - mr}" y2="{y(r)}" stroke="#ddd"/>')
    for i, (name, pts) in enumerate(series):
        d = f"M {x(pts[0][0]):.1f} {y(pts[0][1]):.1f}"
        prev = pts[0][1]
        for t, r in pts[1:]:
            d += f" L {x(t):.1f} {y(prev):.1f} L {x(t):.1f} {y(r):.1f}"
            prev = r
        out.append(f'<path d="{d}" fill="none" stroke="{colors[i % 3]}" stroke-width="2.5"/>')
        out.append(f'<line x1="{w - 330}" y1="{mt + 20 + 18 * i}" x2="{w - 305}" y2="{mt + 20 + 18 * i}" stroke="{colors[i % 3]}" stroke-width="2.5"/>')
        out.append(f'<text x="{w - 300}" y="{mt + 24 + 18 * i}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def figures(base, pd):
    """(GiB*s / ideal, time to 90% / ideal's, time / stock alone) of one run."""
    idl = ideal(pd)
    return (pd["area"] / area(idl), when(pd["curve"], 0.9) / max(when(idl, 0.9), 1e-9),
            pd["seconds"] / base["makedumpfile_seconds"])


def per_size(sizes, one):
    """[(size, one(vmcore, work))] for each size, in a scratch directory."""
    work = tempfile.mkdtemp(prefix="pdbench.", dir="/var/tmp")
    try:
        return [(size, one(fixture(size), work)) for size in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def repeat(sizes, a):
    def one(vm, work):
        got = {"worker": [], "inline": []}
        for _ in range(a.repeat):
            base = run_baseline(vm, a.layout, a.level, work)
            for name, extra in (("worker", ["--sync-worker"]), ("inline", [])):
                pd = run_phypdump(vm, a.layout, a.level, work, extra=extra)
                got[name].append(figures(base, pd) + (pd["area"] / base["area"], pd["area"], pd["seconds"],
                                                      base["makedumpfile_seconds"], pd["cpu"]))
        return got
    rows = per_size(sizes, one)

    def rng(v, fmt="{:.2f}"):
        return (fmt + "-" + fmt).format(min(v), max(v)) if min(v) != max(v) else fmt.format(v[0])
    hdr = ("fixture", "syncs and checks", "GiB*s / ideal", "90% back / ideal's", "time / stock alone",
           "GiB*s / baseline", "GiB*s", "time (s)", "stock alone (s)", "CPU s (phypdump+makedumpfile)")
    print(f"{a.repeat} rounds each, alternated; ranges are min-max")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for size, got in rows:
        for name, label in (("worker", "worker thread"), ("inline", "in the read loop (default)")):
            cols = list(zip(*got[name]))
            print(f"| {size} | {label} | " + " | ".join(rng(list(c)) for c in cols) + " |")


def scale(sizes, a):
    """Cost that grows with the work: one save per size."""
    rows = per_size(sizes, lambda vm, work: run_phypdump(vm, a.layout, a.level, work))
    hdr = ("fixture", "reserved at start", "released early (before the end)", "peak RSS", "journal",
           "release writes", "pages written", "time (s)", "s per GiB reserved")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for size, pd in rows:
        s = pd["summary"]
        r0 = s["reserved_bytes_at_start"]
        early = r0 - min(r for t, r in pd["curve"] if t < s["stream_done_at"])
        print(f"| {size} | {r0 / GIB:.1f} GiB | {early / GIB:.1f} GiB | {s.get('peak_rss_kib', 0) / 1024:.1f} MiB "
              f"| {s['journal_bytes'] / 1024:.0f} KiB | {s['release_writes']} | {s['pages']['written']} "
              f"| {pd['seconds']:.2f} | {pd['seconds'] / (r0 / GIB):.3f} |")

def rearmed(s):
    """Time from the start of the save to re-armed, and its share of the save."""
    at = s.get("rearmed_at")
    if at is None:
        return f"not ({s.get('rearm', '?')})"
    return f"{at:.2f} s ({at / s['seconds']:.0%})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", action="append")
    ap.add_argument("--layout", default="fadump")
    ap.add_argument("--level", type=int, default=31)
    ap.add_argument("--svg")
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--ssh", action="store_true")
    ap.add_argument("--threads", action="store_true",
                    help="also time phypdump save with makedumpfile --num-threads 1 and 2 "
                         "on the smallest size")
    ap.add_argument("--repeat", type=int, default=0)
    ap.add_argument("--scale", action="store_true")
    ap.add_argument("--timeline", help="only print the figures of this release-timeline.jsonl")
    ap.add_argument("--patched", metavar="MAKEDUMPFILE",
                    help="also run this makedumpfile, built with makedumpfile-patches/, with --phyp-release")
    a = ap.parse_args()
    if a.timeline:
        return print(timeline_figures(a.timeline))
    sizes = a.size or ["512M"]
    if a.scale:
        return scale(sizes, a)
    if a.repeat:
        return repeat(sizes, a)
    rows = []
    checks = []
    patched = []
    work = tempfile.mkdtemp(prefix="pdbench.", dir="/var/tmp")
    try:
        for size in sizes:
            vm = fixture(size)
            base = run_baseline(vm, a.layout, a.level, work, keep=bool(a.patched))
            pd = run_phypdump(vm, a.layout, a.level, work, show_progress=a.demo)
            s = pd["summary"]
            pd["ideal"] = ideal(pd)
            if a.patched:
                ref = os.path.join(work, "baseline.kdump")
                # threads on the smallest size only: on a busy 2-core machine
                # makedumpfile's spinning workers took 15 s for 0.5 s of work
                for n in (0, 2) if size == sizes[0] else (0,):
                    r = run_patched(a.patched, vm, a.layout, a.level, work, s["page_size"], threads=n)
                    r["same"] = subprocess.run(["cmp", "-s", ref, r["out"]]).returncode == 0
                    os.unlink(r["out"])
                    patched.append((size, n, base, r))
                os.unlink(ref)
            if a.ssh:
                sshd = Sshd(work)
                try:
                    pd["ssh"] = run_phypdump(vm, a.layout, a.level, work, extra=sshd.args)
                finally:
                    sshd.close()
            rows.append((size, base, pd, s))
            if not a.demo:
                on = [pd, run_phypdump(vm, a.layout, a.level, work)]
                off = []
                for i in range(2):
                    off.append(run_phypdump(vm, a.layout, a.level, work, extra=["--no-page-check"]))
                    if i == 0:
                        on.append(run_phypdump(vm, a.layout, a.level, work))
                checks.append((size, min(on, key=lambda r: r["seconds"]),
                               min(off, key=lambda r: r["seconds"])))
            if a.svg:
                svg(a.svg, f"Dump memory still reserved, {size} guest, -d {a.level}",
                    [("stock: makedumpfile, then release_mem", base["curve"]),
                     ("phypdump save (incremental)", pd["curve"]),
                     ("ideal (same run's scan and write times)", pd["ideal"])])
        if a.threads:
            vm = fixture(sizes[0])
            thr = {n: run_phypdump(vm, a.layout, a.level, work, collector_extra=f" --num-threads {n}")
                   for n in (1, 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    hdr = ("fixture", "reserved GiB*s (pd/base)", "pd / ideal", "50% back", "90% back (ideal)",
           "time pd / stock+fdatasync (s)", "pd / stock alone", "peak RSS", "release writes", "journal",
           "re-armed (of the save)")
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for size, base, pd, s in rows:
        total = pd["seconds"]
        ia, i90 = area(pd["ideal"]), when(pd["ideal"], 0.9)
        print(f"| {size} | {pd['area']:.2f} / {base['area']:.2f} = {pd['area'] / base['area']:.2f}x "
              f"| {pd['area']:.2f} / {ia:.2f} = {pd['area'] / ia:.2f}x "
              f"| {when(pd['curve'], 0.5) / total:.0%} (base {when(base['curve'], 0.5) / base['seconds']:.0%}) "
              f"| {when(pd['curve'], 0.9) / total:.0%} ({i90 / total:.0%}; "
              f"{when(pd['curve'], 0.9) / max(i90, 1e-9):.2f}x ideal) "
              f"| {total:.2f} / {base['saved_seconds']:.2f} = {total / base['saved_seconds']:.2f}x "
              f"| {total / base['makedumpfile_seconds']:.2f}x "
              f"| {s.get('peak_rss_kib', 0) / 1024:.1f} MiB | {s['release_writes']} "
              f"| {s['journal_bytes'] / 1024:.0f} KiB | {rearmed(s)} |")
    if a.ssh:
        print("\n| fixture | reserved GiB*s ssh / local (loopback) | time ssh / local (s) |\n|---|---|---|")
        for size, base, pd, s in rows:
            n = pd["ssh"]
            print(f"| {size} | {n['area']:.2f} / {pd['area']:.2f} = {n['area'] / pd['area']:.2f}x "
                  f"| {n['seconds']:.2f} / {pd['seconds']:.2f} = {n['seconds'] / pd['seconds']:.2f}x |")
    if a.threads:
        t1, t2 = thr[1]["seconds"], thr[2]["seconds"]
        print(f"\nmakedumpfile --num-threads, {sizes[0]}: N=1 {t1:.2f} s, N=2 {t2:.2f} s, "
              f"speed-up {t1 / t2:.2f}x (reserved GiB*s {thr[1]['area']:.2f} / {thr[2]['area']:.2f})")
    if patched:
        hdr = ("fixture", "--num-threads", "reserved GiB*s (patched / ideal)", "90% back / ideal's",
               "time / stock alone", "dump = stock's")
        print("\nmakedumpfile with --phyp-release (makedumpfile-patches/):")
        print("| " + " | ".join(hdr) + " |")
        print("|" + "---|" * len(hdr))
        for size, n, base, r in patched:
            g = figures(base, r)
            print(f"| {size} | {n or 'no'} | {r['area']:.2f} / {area(ideal(r)):.2f} = {g[0]:.2f}x | {g[1]:.2f}x "
                  f"| {r['seconds']:.2f} / {base['makedumpfile_seconds']:.2f} = {g[2]:.2f}x "
                  f"| {'yes' if r['same'] else 'NO'} |")
    if checks:
        hdr = ("fixture", "save with page check (s)", "without (s)", "ratio", "pages checked",
               "the check itself (s)")
        print("\n| " + " | ".join(hdr) + " |")
        print("|" + "---|" * len(hdr))
        for size, on, off in checks:
            pc = on["summary"]["page_check"]
            print(f"| {size} | {on['seconds']:.2f} | {off['seconds']:.2f} "
                  f"| {on['seconds'] / off['seconds']:.2f}x | {pc['pages']} | {pc['seconds']:.2f} |")
    if a.svg:
        print(f"plot: {a.svg}")


if __name__ == "__main__":
    main()
