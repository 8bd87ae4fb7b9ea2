#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""campaign.py — a randomized interruption campaign against phypdump save,
on the simulator in poison mode, with a fixed seed.

Each scenario saves the 512 MiB fixture and interrupts it at a random moment
(SIGKILL of phypdump, SIGKILL of makedumpfile, SIGTERM of phypdump, or a full
disk that is then given room), sometimes interrupts the resumed save again,
and then runs `phypdump save` once more, which must finish the dump.  After
every interruption, independently of phypdump:
  - the simulator's own timeline of what the kernel freed is covered by the
    journal's release records (nothing was released unjournaled);
  - check-safe.py (after a seeded share of them, --safe-share; 1 for all):
    every released page was filtered out in the reference, or is in a
    partial dump file with exactly the reference's bytes;
and at the end:
  - the dump is cmp-equal to stock makedumpfile's dump of the pristine vmcore
    (poison mode: a single read of released memory would differ);
  - all memory came back, and no partial file is left.

Usage: campaign.py --phypdump PD --sim SIM --fixture VMCORE --refs DIR
                   [--interruptions 100] [--seed 20261204] [--safe-share 0.35]
Prints 'campaign: N passed, M failed' and the interruption counts by kind.
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTORS = [
    ("-l -d 31", False), ("-c -d 31", False), ("-l -d 31", True),
    ("-c -d 1", False), ("-l -d 1", True),
]
KINDS = ["kill-phypdump", "kill-makedumpfile", "sigterm", "disk-full"]


class Campaign:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.tmp = tempfile.mkdtemp(prefix="phypdump-campaign.")
        self.mnt = os.path.join(self.tmp, "mnt")
        os.makedirs(self.mnt)
        self.sim = None
        self.passed = self.failed = 0
        self.kinds = {k: 0 for k in KINDS}
        self.kinds["kill-during-resume"] = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", file=sys.stderr)
        return cond

    # --- the simulator ---
    def mount(self, layout, vmcore=None, extra=(), log=None):
        """The simulator on @vmcore (default: the fixture), in poison mode."""
        opts = ["--boot-mem", "64M"] if layout == "fadump" else []
        self.timeline = os.path.join(self.tmp, "sim-timeline.jsonl")
        if os.path.exists(self.timeline):
            os.unlink(self.timeline)
        with open(log or os.devnull, "a") as err:
            self.sim = subprocess.Popen(
                [self.a.sim, "-f", "--layout", layout, "--released", "poison",
                 "--timeline", self.timeline] + opts + list(extra) +
                [vmcore or self.a.fixture, self.mnt], stderr=err)
        for _ in range(200):
            if os.path.exists(os.path.join(self.mnt, "proc/vmcore")):
                return True
            time.sleep(0.05)
        return False

    def umount(self):
        subprocess.run(["fusermount3", "-u", self.mnt], stderr=subprocess.DEVNULL)
        if self.sim:
            self.sim.wait()
        self.sim = None

    # --- references ---
    def ref(self, layout, opts):
        name = re.sub(r"[^a-z0-9]", "_", opts)
        if layout == "fadump":
            name = "fadump64M_" + name
        out = os.path.join(self.a.refs, name)
        if not (os.path.exists(out) and os.path.getsize(out)):
            src = self.a.fixture
            if layout == "fadump":
                self.mount("fadump")
                src = os.path.join(self.mnt, "proc/vmcore")
            subprocess.run(["makedumpfile"] + opts.split() + [src, out + ".tmp"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.replace(out + ".tmp", out)
            if layout == "fadump":
                self.umount()
        return out

    def blow(self, p, kind):
        """Interrupt the save @p: kill-phypdump, kill-makedumpfile, sigterm."""
        # only this save's collector: other tests may run their own
        kids = subprocess.run(["pgrep", "-P", str(p.pid), "-x", "makedumpfile"],
                              capture_output=True, text=True).stdout.split()
        if kind == "kill-phypdump":
            p.kill()
        elif kind == "sigterm":
            p.send_signal(signal.SIGTERM)
        for k in kids:
            if kind != "sigterm":
                try:
                    os.kill(int(k), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        p.wait()
        time.sleep(0.1)

    # --- one save, interrupted or not ---
    def save(self, journal, dumpdir, collector, kind=None, delay=0.0, log=None):
        cmd = [self.a.phypdump, "save", "--root", self.mnt, "--journal", journal,
               "--no-dmesg", "--sync-interval", "4M"]
        if collector:
            cmd += ["--core-collector", collector]
        cmd.append(dumpdir)
        with open(log or os.devnull, "a") as err:
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
            if kind in ("kill-phypdump", "kill-makedumpfile", "sigterm"):
                try:
                    p.wait(timeout=delay)
                    return p.returncode, False  # finished before the blow
                except subprocess.TimeoutExpired:
                    pass
                self.blow(p, kind)
                # A save that ended on its own just before the blow landed
                # (exit 0) was not interrupted; nor was one whose blow came
                # after the dump had ended (the journal's final record: the
                # dump is complete and all its memory back), while it was
                # still exiting.  A fast save meets that window.
                if p.returncode != 0 and self.journal_final(journal):
                    return 0, False
                return p.returncode, p.returncode != 0
            p.wait()
            return p.returncode, kind == "disk-full" and p.returncode != 0

    # --- independent checks after an interruption ---
    def journal_final(self, journal):
        try:
            with open(journal) as f:
                return any(line.startswith("final ") and " *" in line for line in f)
        except FileNotFoundError:
            return False

    def journal_released(self, journal):
        """The journal's committed release ranges.  A save blown before it
        created its journal (seen in CI: a kill 0.05 s in, on a loaded
        machine) has released nothing: no journal lists no range, and the
        timeline check then demands that the simulator freed nothing."""
        rel = []
        try:
            f = open(journal)
        except FileNotFoundError:
            return rel
        with f:
            for line in f:
                if line.startswith("release ") and " *" in line:
                    _, a, l = line.rsplit(" *", 1)[0].split()
                    rel.append((int(a, 16), int(a, 16) + int(l, 16)))
        return rel

    def timeline_covered(self, journal):
        rel = self.journal_released(journal)
        ok = True
        with open(self.timeline) as f:
            for line in f:
                e = json.loads(line)
                if e.get("event") != "release":
                    continue
                a, l = int(e["addr"], 16), int(e["len"], 16)
                if not any(s <= a and a + l <= t for s, t in rel):
                    ok = False
        return ok

    def after_interruption(self, label, journal, dumpdir, ref):
        self.check(self.timeline_covered(journal),
                   f"{label}: the simulator freed memory the journal does not list")
        parts = sorted(p for p in os.listdir(dumpdir) if p.startswith("vmcore-incomplete")) \
            if os.path.isdir(dumpdir) else []
        if not parts or not os.path.exists(journal):
            return
        newest = os.path.join(dumpdir, parts[-1])
        if os.path.getsize(newest) < 4096:
            return
        # check-safe reads back every released page (about 1.5 s): a seeded
        # third of the interruptions, so that 100 of them fit in CI's time;
        # the timeline check above runs after every one.
        if self.rng.random() >= self.a.safe_share:
            return
        # every release so far, against the partial files that hold the pages
        files = ",".join(os.path.join(dumpdir, p) for p in parts)
        r = subprocess.run([sys.executable, os.path.join(HERE, "check-safe.py"), journal,
                            files, ref, "--no-final"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.check(r.returncode == 0, f"{label}: check-safe: {r.stderr[-400:]}")

    def scenario(self, i):
        layout = "fadump" if self.rng.random() < 0.3 else "seed"
        opts, several = self.rng.choice(COLLECTORS)
        collector = "makedumpfile " + opts + (" --cyclic-buffer 4" if several else "")
        ref = self.ref(layout, opts)
        kind = self.rng.choice(KINDS)
        delay = self.rng.uniform(0.05, 1.2)  # a -d 31 save of the fixture takes about 1.5 s
        label = f"#{i} {layout} '{collector}' {kind}@{delay:.2f}s"
        work = os.path.join(self.tmp, f"s{i}")
        os.makedirs(work)
        journal = os.path.join(work, "journal")
        small = os.path.join(work, "small")
        dumpdir = os.path.join(work, "dump")
        log = os.path.join(work, "log")
        if not self.mount(layout):
            return self.check(False, f"{label}: the simulator did not come up")
        interrupted = 0
        if kind == "disk-full":
            os.makedirs(small)
            size = self.rng.choice(["2m", "6m", "12m"])
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", small], check=True)
            dumpdir = os.path.join(small, "dump")
        rc, hit = self.save(journal, dumpdir, collector, kind, delay, log)
        done = rc == 0
        if hit:
            self.kinds[kind] += 1
            interrupted += 1
            self.after_interruption(label, journal, dumpdir, ref)
        if kind == "disk-full":
            subprocess.run(["mount", "-o", "remount,size=600m", small], check=True)
        # sometimes the resumed save is interrupted too
        if not done and self.rng.random() < 0.4:
            k2 = self.rng.choice(["kill-phypdump", "kill-makedumpfile", "sigterm"])
            rc, hit2 = self.save(journal, dumpdir, collector, k2, self.rng.uniform(0.05, 1.5), log)
            done = rc == 0
            if hit2:
                self.kinds["kill-during-resume"] += 1
                interrupted += 1
                self.after_interruption(label + f" then {k2}", journal, dumpdir, ref)
        # the same command (no new flag) finishes the dump
        if not done:
            rc, _ = self.save(journal, dumpdir, collector, None, 0, log)
        if self.check(rc == 0, f"{label}: the final save exited {rc}: " + open(log).read()[-600:]):
            final = os.path.join(dumpdir, "vmcore")
            self.check(subprocess.run(["cmp", "-s", ref, final]).returncode == 0,
                       f"{label}: the finished dump differs from makedumpfile's")
            left = [p for p in os.listdir(dumpdir) if p.startswith("vmcore-incomplete")]
            self.check(not left, f"{label}: partial files left behind: {left}")
            self.check(not os.path.exists(os.path.join(self.mnt, "proc/vmcore")),
                       f"{label}: the dump did not end (memory still reserved)")
        self.umount()
        if kind == "disk-full":
            subprocess.run(["umount", small])
        subprocess.run(["rm", "-rf", work])
        return interrupted

    def run(self):
        total = i = 0
        try:
            while total < self.a.interruptions:
                total += self.scenario(i) or 0
                i += 1
        finally:
            if self.sim:
                self.umount()
            subprocess.run(["rm", "-rf", self.tmp])
        kinds = ", ".join(f"{k} {v}" for k, v in self.kinds.items())
        print(f"campaign: {i} scenarios, {total} interruptions ({kinds}), seed {self.a.seed}")
        print(f"campaign: {self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 else 1


def parser():
    """The arguments every campaign on the simulator takes."""
    p = argparse.ArgumentParser()
    p.add_argument("--phypdump", required=True)
    p.add_argument("--sim", required=True)
    p.add_argument("--fixture", required=True)
    p.add_argument("--refs", required=True)
    return p


def main():
    p = parser()
    p.add_argument("--interruptions", type=int, default=100)
    p.add_argument("--seed", type=int, default=20261204)
    p.add_argument("--safe-share", type=float, default=0.35,
                   help="share of interruptions followed by check-safe (1: all)")
    sys.exit(Campaign(p.parse_args()).run())


if __name__ == "__main__":
    main()
