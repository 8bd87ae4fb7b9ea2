#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rearm.py — crash protection during the save (issue 19), on the simulator
in poison mode with the 512 MiB fixture (fadump layout, 64 MiB boot memory).

  - a save re-arms (the JSON report has the time), its dump equals the
    reference, and nothing unsaved was released (check-safe.py);
  - second crashes at random moments after re-arming (seeded): the save is
    killed at a random point after "re-armed", then `echo c >
    proc/sysrq-trigger` makes the simulator write dump 2; after each, the
    simulator's timeline is covered by the journal and check-safe.py passes
    on the partial files; then dump boot 2 (the simulator on dump 2's file)
    runs `phypdump save`: dump 1 finished equal to its reference (cmp with
    makedumpfile's dump of the original vmcore) and dump 2 equal to its own
    (makedumpfile's dump of the crash file);
  - a crash before re-arming (--no-rearm) captures nothing, and the save
    resumes as today;
  - a dump 2 whose memory disagrees (one held page changed in the crash
    file) leaves dump 1 incomplete with the address named, and dump 2 is
    saved.

Usage: rearm.py --phypdump PD --sim SIM --fixture VMCORE --refs DIR
                [--crashes 4] [--seed 20261206]
"""
import json
import os
import random
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from campaign import Campaign, HERE, parser  # noqa: E402

COLLECTOR = "makedumpfile -l -d 31"
OPTS = "-l -d 31"
# The durability worker's cases: a stream that lasts seconds (16 MiB/s),
# which keeps the file unsynced long after the boot-memory copy is written;
# unpaced, the save ends within a sync or two of it and the worker's own
# path to re-arming goes untested (it once ended every such save unarmed).
# Run as makedumpfile (phypdump drives nothing else): a link of that name.


def file_offset(vmcore, paddr):
    """The file offset of crashed physical address @paddr in an ELF64 LE core."""
    with open(vmcore, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, _, off, _, pa, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        if p_type == 1 and pa <= paddr < pa + filesz:
            return off + paddr - pa
    return None


def journal_records(journal, kind):
    out = []
    with open(journal) as f:
        for line in f:
            if line.startswith(kind + " ") and " *" in line:
                out.append(line.rsplit(" *", 1)[0].split()[1:])
    return out


class Rearm(Campaign):
    outcomes = {"finished from dump 2": 0, "whole already": 0, "saved before the crash": 0,
                "unfinishable": 0}

    def same(self, ref, path):
        return subprocess.run(["cmp", "-s", ref, path]).returncode == 0

    def fresh(self, name):
        """A work directory: (dir, journal, log, dump1, crash file)."""
        work = os.path.join(self.tmp, name)
        os.makedirs(work)
        return (work, os.path.join(work, "journal"), os.path.join(work, "log"),
                os.path.join(work, "dump1"), os.path.join(work, "crash.vmcore"))

    def status(self, journal):
        r = subprocess.run([self.a.phypdump, "status", "--root", self.mnt, "--journal", journal, "--json"],
                           capture_output=True, text=True)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return {}

    def makedumpfile_ref(self, vmcore, out):
        """makedumpfile's dump of a pristine simulated dump boot of @vmcore."""
        if not self.mount("fadump", vmcore):
            return False
        r = subprocess.run(["makedumpfile"] + OPTS.split() + [os.path.join(self.mnt, "proc/vmcore"), out],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.umount()
        return r.returncode == 0

    def save_until_rearmed(self, journal, dumpdir, log, delay, extra=()):
        """A save killed @delay seconds after it says it re-armed (or, with
        --no-rearm, after it started).  Returns (exit code, re-armed?, hit)."""
        cmd = [self.a.phypdump, "save", "--root", self.mnt, "--journal", journal, "--no-dmesg",
               "--sync-interval", "4M", "--core-collector", COLLECTOR] + list(extra) + [dumpdir]
        with open(log, "w") as err:
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        t0 = time.monotonic()
        armed = False
        while p.poll() is None and time.monotonic() - t0 < 60:
            with open(log) as f:
                armed = "re-armed: a crash from now on is captured" in f.read()
            if armed or "--no-rearm" in extra:
                break
            time.sleep(0.01)
        try:
            p.wait(timeout=delay)
            return p.returncode, armed, False
        except subprocess.TimeoutExpired:
            pass
        self.blow(p, "kill-phypdump")
        return p.returncode, armed, p.returncode != 0

    def crash(self):
        """echo c > proc/sysrq-trigger; the simulator then exits."""
        try:
            with open(os.path.join(self.mnt, "proc/sysrq-trigger"), "w") as f:
                f.write("c\n")
        except OSError:
            pass
        try:
            self.sim.wait(timeout=120)
        except subprocess.TimeoutExpired:
            pass
        self.umount()

    def second_crash(self, i, delay, corrupt=False, extra=()):
        ref1 = self.ref("fadump", OPTS)
        work, journal, log, dump1, crashfile = self.fresh(f"c{i}")
        dump2, given = os.path.join(work, "dump2"), None
        label = f"crash #{i} {delay:.2f}s after re-arming" + (" (dump 2 disagrees)" if corrupt else "") + \
            (" with --sync-worker" if "--sync-worker" in extra else "")
        if not self.mount("fadump", extra=["--crash-out", crashfile], log=os.path.join(work, "sim.log")):
            return self.check(False, f"{label}: the simulator did not come up")
        rc, armed, hit = self.save_until_rearmed(journal, dump1, log, delay, extra)
        if not self.check(armed, f"{label}: the save did not re-arm: " + open(log).read()[-600:]):
            self.umount()
            return
        if hit:
            self.after_interruption(label, journal, dump1, ref1)
        samples = [(int(a, 16), int(n, 16)) for a, n, _ in journal_records(journal, "sample")]
        if i == 1 and rc != 0:
            # dump boot 2's save is given dump 1's directory (a service that
            # took it for an interrupted save of its own): dump 2 goes beside
            dump2, given = dump1 + "-2", dump1
        self.crash()
        if not self.check(os.path.exists(crashfile), f"{label}: no dump 2 was written: "
                          + open(os.path.join(work, "sim.log")).read()[-400:]):
            return
        if rc == 0:
            # the save ended before the blow: dump 1 is whole, nothing to finish
            self.check(self.same(ref1, os.path.join(dump1, "vmcore")),
                       f"{label}: dump 1 differs from its reference")
        if corrupt:
            released = [(int(a, 16), int(n, 16)) for a, n in journal_records(journal, "release")]
            held = [s for s in samples if not any(a <= s[0] < a + n for a, n in released)]
            if not self.check(held and rc != 0, f"{label}: no sample still held to corrupt"):
                return
            bad = held[len(held) // 2][0]
            off = file_offset(crashfile, bad + 100)
            with open(crashfile, "r+b") as f:
                f.seek(off)
                b = f.read(1)
                f.seek(off)
                f.write(bytes([b[0] ^ 0x5a]))
        ref2 = os.path.join(work, "ref2")
        if not self.check(self.makedumpfile_ref(crashfile, ref2), f"{label}: no reference for dump 2"):
            return
        # dump boot 2
        if not self.mount("fadump", crashfile):
            return self.check(False, f"{label}: the simulator did not come up on dump 2")
        st = self.status(journal)
        if rc != 0:
            self.check(st.get("earlier_dump", {}).get("pending") is True,
                       f"{label}: status does not say an earlier dump waits: {st}")
        log2 = os.path.join(work, "log2")
        with open(log2, "w") as err, open(os.path.join(work, "out.json"), "w") as out:
            r = subprocess.run([self.a.phypdump, "save", "--root", self.mnt, "--journal", journal,
                                "--no-dmesg", "--json", "--core-collector", COLLECTOR, given or dump2],
                               stdout=out, stderr=err)
        text = open(log2).read()
        if self.check(r.returncode == 0, f"{label}: dump boot 2's save exited {r.returncode}: {text[-800:]}"):
            self.check(self.same(ref2, os.path.join(dump2, "vmcore")),
                       f"{label}: dump 2 differs from its reference")
            self.check(not os.path.exists(os.path.join(self.mnt, "proc/vmcore")),
                       f"{label}: dump 2 did not end")
            if given:
                self.check(f"{given} holds the earlier dump; this boot's dump goes to {dump2}" in text,
                           f"{label}: dump 2 did not go beside dump 1: {text[-600:]}")
            rep = json.load(open(os.path.join(work, "out.json")))
            self.check(rep.get("rearm") == "armed", f"{label}: dump 2's save did not re-arm: {rep.get('rearm')}")
        if rc == 0:
            self.outcomes["saved before the crash"] += 1
        elif corrupt:
            self.outcomes["unfinishable"] += 1
            self.check("cannot be finished" in text and f"0x{bad:x}" in text,
                       f"{label}: no message naming 0x{bad:x}: {text[-800:]}")
            self.check(not os.path.exists(os.path.join(dump1, "vmcore")), f"{label}: dump 1 was 'finished'")
            self.check(any(p.startswith("vmcore-incomplete") for p in os.listdir(dump1)),
                       f"{label}: dump 1's partial file is gone")
            note = os.path.join(dump1, "vmcore-unfinishable.txt")
            self.check(os.path.exists(note) and f"0x{bad:x}" in open(note).read(),
                       f"{label}: no vmcore-unfinishable.txt naming the address")
        else:
            # killed after its rename, dump 1 was whole already: only its journal ends
            self.outcomes["finished from dump 2" if "finishing the first dump" in text else "whole already"] += 1
            self.check("finishing the first dump" in text or "the first dump was complete already" in text,
                       f"{label}: dump 1 was not finished first")
            self.check(self.same(ref1, os.path.join(dump1, "vmcore")),
                       f"{label}: the finished dump 1 differs from its reference")
            left = [p for p in os.listdir(dump1) if p.startswith("vmcore-incomplete") or p == "vmcore-headers"]
            self.check(not left, f"{label}: dump 1's partial files left: {left}")
        if rc != 0:
            self.umount()
            self.mount("fadump", crashfile)
            st = self.status(journal)
            res = (st.get("earlier_dump") or {}).get("result") or ""
            want = "unfinishable" if corrupt else "finished"
            self.check(res.startswith(want), f"{label}: status says of the earlier dump: {res!r}")
        self.umount()
        subprocess.run(["rm", "-rf", work])

    def before_rearm(self):
        """A crash before re-arming: no dump is captured; the save resumes."""
        ref1 = self.ref("fadump", OPTS)
        work, journal, log, dump1, crashfile = self.fresh("before")
        if not self.mount("fadump", extra=["--crash-out", crashfile]):
            return self.check(False, "before re-arm: the simulator did not come up")
        rc, armed, hit = self.save_until_rearmed(journal, dump1, log, 0.4, extra=["--no-rearm"])
        self.check(not armed and "re-armed" not in open(log).read(), "before re-arm: --no-rearm re-armed")
        self.check(not journal_records(journal, "rearm"), "before re-arm: a rearm record")
        with open(os.path.join(self.mnt, "sys/kernel/fadump/rearm")) as f:
            state = f.read().strip()
        self.check(state != "armed", f"before re-arm: the kernel says {state}")
        # the save goes on (resumes) as today; then a crash finds nothing registered
        r = subprocess.run([self.a.phypdump, "save", "--root", self.mnt, "--journal", journal, "--no-dmesg",
                            "--no-rearm", "--core-collector", COLLECTOR, dump1],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if self.check(r.returncode == 0, f"before re-arm: the resumed save exited {r.returncode}: {r.stderr[-600:]}"):
            self.check(self.same(ref1, os.path.join(dump1, "vmcore")),
                       "before re-arm: the dump differs from its reference")
        self.crash()
        self.check(not os.path.exists(crashfile), "before re-arm: a dump was captured without registration")
        subprocess.run(["rm", "-rf", work])

    def plain(self, extra=()):
        """A save that runs to its end: re-armed, equal, nothing unsaved released."""
        ref1 = self.ref("fadump", OPTS)
        name = "plain" + (" with --sync-worker" if "--sync-worker" in extra else "")
        work, journal, _, dump1, _ = self.fresh(name.replace(" ", "_"))
        if not self.mount("fadump"):
            return self.check(False, f"{name}: the simulator did not come up")
        r = subprocess.run([self.a.phypdump, "save", "--root", self.mnt, "--journal", journal, "--json",
                            "--core-collector", COLLECTOR] + list(extra) + [dump1],
                           capture_output=True, text=True)
        if self.check(r.returncode == 0, f"{name}: save exited {r.returncode}: {r.stderr[-600:]}"):
            rep = json.loads(r.stdout)
            self.check(rep["rearm"] == "armed" and 0 < rep["rearmed_at"] < rep["seconds"],
                       f"{name}: re-arm not reported: {rep.get('rearm')} {rep.get('rearmed_at')}")
            print(f"rearm: {name}: re-armed at {rep.get('rearmed_at')} s of {rep.get('seconds')} s")
            self.check("re-armed: a crash from now on is captured" in r.stderr, f"{name}: no re-armed line")
            self.check(self.same(ref1, os.path.join(dump1, "vmcore")),
                       f"{name}: the dump differs from its reference")
            c = subprocess.run([sys.executable, os.path.join(HERE, "check-safe.py"), journal,
                                os.path.join(dump1, "vmcore"), ref1, "--final"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.check(c.returncode == 0, f"{name}: check-safe: {c.stderr[-400:]}")
            rec = journal_records(journal, "rearm")
            self.check(len(rec) == 1 and journal_records(journal, "headers"), f"{name}: no headers/rearm records")
            self.check(not os.path.exists(os.path.join(dump1, "vmcore-headers")),
                       f"{name}: the header copy outlived the dump")
            self.check(open(os.path.join(self.mnt, "sys/kernel/fadump/registered")).read().strip() == "1",
                       f"{name}: registered does not read 1 after re-arming")
        self.umount()
        subprocess.run(["rm", "-rf", work])

    def refused(self, fails):
        """The registration fails after the invalidation (EIO) @fails times:
        the save retries (3 writes at most) and never fails for it."""
        ref1 = self.ref("fadump", OPTS)
        work, journal, _, dump1, _ = self.fresh(f"refused{fails}")
        label = f"re-arm failing {fails}x"
        if not self.mount("fadump", extra=["--rearm-fail", str(fails)]):
            return self.check(False, f"{label}: the simulator did not come up")
        r = subprocess.run([self.a.phypdump, "save", "--root", self.mnt, "--journal", journal, "--json",
                            "--no-dmesg", "--core-collector", COLLECTOR, dump1], capture_output=True, text=True)
        if self.check(r.returncode == 0, f"{label}: save exited {r.returncode}: {r.stderr[-600:]}"):
            rep = json.loads(r.stdout)
            tries = min(fails + 1, 3)
            self.check(r.stderr.count("re-arming failed") == min(fails, 3),
                       f"{label}: {r.stderr.count('re-arming failed')} failures logged")
            self.check(len(journal_records(journal, "rearm")) == tries, f"{label}: rearm records")
            armed = fails < 3
            self.check(rep["rearm"] == ("armed" if armed else "failed"), f"{label}: rearm {rep['rearm']}")
            self.check(self.same(ref1, os.path.join(dump1, "vmcore")), f"{label}: the dump differs")
            self.check(open(os.path.join(self.mnt, "sys/kernel/fadump/registered")).read().strip() ==
                       ("1" if armed else "0"), f"{label}: registered")
        self.umount()
        subprocess.run(["rm", "-rf", work])

    def run(self):
        try:
            self.plain()
            # the durability worker (opt-in) re-arms from pd_capture_async_kick()
            slowbin = os.path.join(self.tmp, "slowbin")
            os.makedirs(slowbin)
            os.symlink(os.path.join(HERE, "slow-collector"), os.path.join(slowbin, "makedumpfile"))
            worker = ["--sync-worker", "--core-collector", os.path.join(slowbin, "makedumpfile") + " " + OPTS]
            self.plain(worker)
            self.refused(1)
            self.refused(5)
            self.before_rearm()
            for i in range(self.a.crashes):
                self.second_crash(i, self.rng.uniform(0.0, 0.2))
            self.second_crash(self.a.crashes, self.rng.uniform(0.0, 0.3), corrupt=True)
            # a crash after a re-armed save ended: dump 1 is whole, dump 2 saved as usual
            self.second_crash(self.a.crashes + 1, 60.0)
            self.second_crash(self.a.crashes + 2, self.rng.uniform(0.0, 0.2), extra=worker)
        finally:
            if self.sim:
                self.umount()
            subprocess.run(["rm", "-rf", self.tmp])
        self.check(self.outcomes["finished from dump 2"] > 0 and self.outcomes["unfinishable"] == 1 and
                   self.outcomes["saved before the crash"] > 0,
                   f"rearm: the seeded crashes missed a case: {self.outcomes}")
        print("rearm: dump 1 after the second crash: " + ", ".join(f"{k} {v}" for k, v in self.outcomes.items()))
        print(f"rearm: {self.passed} passed, {self.failed} failed (seed {self.a.seed}, "
              f"{self.a.crashes} second crashes + 1 that disagrees + 1 after the end + 1 with --sync-worker)")
        return 0 if self.failed == 0 else 1


def main():
    p = parser()
    p.add_argument("--crashes", type=int, default=4)
    p.add_argument("--seed", type=int, default=20261206)
    p.add_argument("--safe-share", type=float, default=1.0)
    sys.exit(Rearm(p.parse_args()).run())


if __name__ == "__main__":
    main()
