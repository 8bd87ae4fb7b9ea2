#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""stall.py — the stall watchdog (phypdump save --stall-timeout) against a
dump target that stops answering: stallfs (tests/save/stallfs.c), a FUSE
file system whose fsync or write blocks on command until the caller is
killed, over the simulator in poison mode with the 512 MiB fixture.

Cases:
  - fsync blocks mid-save (inline syncs), and write blocks mid-save (the
    durability worker syncs beside the stream): the save ends within the
    timeout plus a few seconds, exit status 1 (PD_EXIT_FAILED) and the
    message naming the operation and the file; the simulator freed only
    what the journal lists; check-safe: every released page is in the
    partial file with the reference's bytes; once the target answers again,
    a rerun resumes and the dump is cmp-equal to makedumpfile's reference.
  - --stall-timeout 0: the same blocked fsync blocks the save (the target
    really blocks; nothing else ends it) until it is released, and the save
    then finishes.
  - a collector that scans for 3 s before its first byte (no target
    operation in progress) with --stall-timeout 1: no misfire.
Prints 'stall: N passed, M failed'.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from campaign import Campaign, parser  # noqa: E402

TIMEOUT = 3
MARGIN = 6  # seconds beyond the timeout: noisy 2-core machines


class Stall(Campaign):
    def __init__(self, a):
        a.safe_share = 1.0  # check-safe after every interruption
        a.seed = 1
        super().__init__(a)

    def stallfs(self, name):
        back = os.path.join(self.tmp, name + "-back")
        mnt = os.path.join(self.tmp, name)
        ctl = os.path.join(self.tmp, name + ".ctl")
        os.makedirs(back)
        os.makedirs(mnt)
        log = open(os.path.join(self.tmp, name + ".log"), "a")
        p = subprocess.Popen([self.a.stallfs, back, mnt, ctl], stderr=log)
        for _ in range(200):
            if os.path.ismount(mnt):
                break
            time.sleep(0.05)
        self.fs.append((mnt, p))
        return mnt, ctl

    def umount_fs(self):
        for mnt, p in self.fs:
            subprocess.run(["fusermount3", "-u", mnt], stderr=subprocess.DEVNULL)
            p.wait()
        self.fs = []

    def cmd(self, journal, dumpdir, *extra):
        return [self.a.phypdump, "save", "--root", self.mnt, "--journal", journal,
                "--no-dmesg"] + list(extra) + [dumpdir]

    def finished(self, label, journal, dumpdir, ref, extra=()):
        """A rerun, the target answering again: it resumes and ends."""
        r = subprocess.run(self.cmd(journal, dumpdir, *extra), capture_output=True, text=True)
        if not self.check(r.returncode == 0, f"{label}: the rerun exited {r.returncode}: "
                          + r.stderr[-600:]):
            return
        self.check("resuming" in r.stderr, f"{label}: the rerun did not resume: " + r.stderr[-400:])
        self.check(subprocess.run(["cmp", "-s", ref, os.path.join(dumpdir, "vmcore")]).returncode == 0,
                   f"{label}: the finished dump differs from makedumpfile's")
        left = [p for p in os.listdir(dumpdir) if p.startswith("vmcore-incomplete")]
        self.check(not left, f"{label}: partial files left behind: {left}")
        self.check(not os.path.exists(os.path.join(self.mnt, "proc/vmcore")),
                   f"{label}: the dump did not end (memory still reserved)")

    def setup(self, label, block):
        """The simulator, a stallfs target told to block @block; the
        reference, the control file, the journal, the dump directory."""
        ref = self.ref("seed", "-l -d 31")
        self.check(self.mount("seed"), f"{label}: the simulator came up")
        tgt, ctl = self.stallfs(label)
        with open(ctl, "w") as f:
            f.write(block + "\n")
        return ref, ctl, os.path.join(self.tmp, label + ".journal"), os.path.join(tgt, "dump")

    def blocked(self, label, block, op, extra):
        """The target blocks @block ("fsync 4 vmcore-incomplete"): the watchdog ends the save."""
        ref, ctl, journal, dumpdir = self.setup(label, block)
        t0 = time.monotonic()
        p = subprocess.Popen(self.cmd(journal, dumpdir, "--stall-timeout", str(TIMEOUT), *extra),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _, err = p.communicate(timeout=TIMEOUT + MARGIN + 30)
        except subprocess.TimeoutExpired:
            p.kill()  # the watchdog did not fire: the kill is answered with EINTR
            _, err = p.communicate()
        took = time.monotonic() - t0
        print(f"stall: {label}: ended after {took:.1f}s (timeout {TIMEOUT}s), exit {p.returncode}")
        self.check(p.returncode == 1, f"{label}: exit {p.returncode}, want 1: " + err[-600:])
        self.check(TIMEOUT <= took <= TIMEOUT + MARGIN, f"{label}: ended after {took:.1f}s")
        want = f"the dump target made no progress for {TIMEOUT} s in {op} of {dumpdir}/vmcore-incomplete"
        self.check(want in err, f"{label}: no '{want}' in: " + err[-600:])
        self.check("Nothing unsaved was released" in err and "run phypdump save again" in err,
                   f"{label}: the message says neither what is safe nor what to do")
        # the case means something only if memory went back before the stall
        self.check(self.journal_released(journal), f"{label}: nothing was released before the stall")
        os.unlink(ctl)  # the target answers again
        self.after_interruption(label, journal, dumpdir, ref)
        self.finished(label, journal, dumpdir, ref, extra)
        self.umount()
        self.umount_fs()

    def off(self):
        """--stall-timeout 0: a blocked fsync blocks the save until released."""
        label = "off"
        ref, ctl, journal, dumpdir = self.setup(label, "fsync 4 vmcore-incomplete")
        p = subprocess.Popen(self.cmd(journal, dumpdir, "--stall-timeout", "0"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(TIMEOUT + 3)
        self.check(p.poll() is None, f"{label}: the save ended ({p.returncode}) while the target blocked")
        os.unlink(ctl)
        try:
            _, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
        self.check(p.returncode == 0, f"{label}: exit {p.returncode} once released: " + err[-600:])
        self.check(subprocess.run(["cmp", "-s", ref, os.path.join(dumpdir, "vmcore")]).returncode == 0,
                   f"{label}: the dump differs from makedumpfile's")
        self.umount()
        self.umount_fs()

    def long_scan(self):
        """No target operation while the collector scans: no misfire."""
        label = "long-scan"
        ref = self.ref("seed", "-l -d 31")
        self.check(self.mount("seed"), f"{label}: the simulator came up")
        bindir = os.path.join(self.tmp, "slowbin")
        os.makedirs(bindir)
        wrapper = os.path.join(bindir, "makedumpfile")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\n# a scan of 3 s: nothing comes out, nothing is written\n"
                    "sleep 3\nexec makedumpfile \"$@\"\n")
        os.chmod(wrapper, 0o755)
        journal = os.path.join(self.tmp, label + ".journal")
        dumpdir = os.path.join(self.tmp, label)
        t0 = time.monotonic()
        r = subprocess.run(self.cmd(journal, dumpdir, "--stall-timeout", "1",
                                    "--core-collector", wrapper + " -l -d 31"),
                           capture_output=True, text=True, timeout=120)
        took = time.monotonic() - t0
        print(f"stall: {label}: --stall-timeout 1, a 3 s scan: exit {r.returncode} after {took:.1f}s")
        self.check(r.returncode == 0 and "made no progress" not in r.stderr,
                   f"{label}: exit {r.returncode}: " + r.stderr[-600:])
        self.check(took >= 3, f"{label}: the scan did not take 3 s ({took:.1f}s)")
        self.check(subprocess.run(["cmp", "-s", ref, os.path.join(dumpdir, "vmcore")]).returncode == 0,
                   f"{label}: the dump differs from makedumpfile's")
        self.umount()

    def run(self):
        self.fs = []
        try:
            self.blocked("fsync", "fsync 4 vmcore-incomplete", "fdatasync", [])
            self.blocked("write-worker", "write 40 vmcore-incomplete", "write", ["--sync-worker"])
            self.off()
            self.long_scan()
        finally:
            if self.sim:
                self.umount()
            self.umount_fs()
            subprocess.run(["rm", "-rf", self.tmp])
        print(f"stall: {self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 else 1


def main():
    p = parser()
    p.add_argument("--stallfs", required=True)
    sys.exit(Stall(p.parse_args()).run())


if __name__ == "__main__":
    main()
