# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154,SC2016 # tmp, top, CAP, ...: set by tests/scripts/run
# phypdump-capture's functions one by one, through its source guard
# (__SOURCED__=1: sourcing defines the functions and runs nothing).
# Sourced by tests/scripts/run (uses its helpers and recorders).

echo "scripts: phypdump-capture functions" >&2
u=$tmp/units
rm -rf "$u"
mkdir -p "$u/bin"

# fn SNIPPET: source phypdump-capture in a subshell (sh, as at boot), run
# SNIPPET; stdout in $u/out, stderr in $u/err, status in $rc.
fn() {
	__SOURCED__=1 sh -c '. "$0"; root=${ROOT:-/}; R=${root%/}; conf=$u/conf; pd=${PHYPDUMP:-phypdump}; mounts=$PHYPDUMP_MOUNTS; config_defaults; log_init; '"$1" "$CAP" >"$u/out" 2>"$u/err"
	rc=$?
}
export u

# The source guard: nothing runs, nothing is printed, the functions exist.
__SOURCED__=1 sh -c '. "$0" --bogus; echo "sourced $?"; command -v read_config register dump_name resume_dir wait_capture >/dev/null && echo functions' "$CAP" >"$u/out" 2>"$u/err"
check test "$(cat "$u/out")" = "$(printf 'sourced 0\nfunctions')"
check test ! -s "$u/err"
# Without it the script runs (and refuses the bogus argument).
sh "$CAP" --bogus >/dev/null 2>&1
check test "$?" -eq 2

# log and logerr: stderr, and the kernel log when there is no journal.
rm -f "$u/kmsg"
PHYPDUMP_KMSG=$u/kmsg fn 'log "hello early boot"; logerr "it broke"'
check test "$rc" -eq 0
check grep -qx 'phypdump-capture: hello early boot' "$u/err"
check grep -qE '^<6>phypdump-capture\[[0-9]+\]: hello early boot$' "$u/kmsg"
check grep -qE '^<3>phypdump-capture\[[0-9]+\]: it broke$' "$u/kmsg"
rm -f "$u/kmsg"
JOURNAL_STREAM=8:1234 PHYPDUMP_KMSG=$u/kmsg fn 'log "under systemd"'
check grep -qx 'phypdump-capture: under systemd' "$u/err"
check test ! -e "$u/kmsg"
# An unwritable kernel log is not an error.
PHYPDUMP_KMSG=/proc/no-such-dir/kmsg fn 'log "still logged"'
check test "$rc" -eq 0
check grep -qx 'phypdump-capture: still logged' "$u/err"

# dump_name: HOST-DATE locally; IP-DATE for an nfs target (ip route get).
fn 'dump_name'
case $(cat "$u/out") in "$host-"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]:[0-9][0-9]:[0-9][0-9]) ok ;; *) bad "dump_name local: $(cat "$u/out")" ;; esac
cat >"$u/bin/ip" <<'EOF'
#!/bin/sh
[ "$*" = "route get 192.0.2.1" ] || exit 2
echo "192.0.2.1 via 198.51.100.1 dev eth0 src 198.51.100.7 uid 0"
echo "    cache"
EOF
chmod +x "$u/bin/ip"
PATH=$u/bin:$PATH fn 'cfg_nfs=192.0.2.1:/export; dump_name'
case $(cat "$u/out") in 198.51.100.7-[0-9][0-9][0-9][0-9]-*) ok ;; *) bad "dump_name nfs: $(cat "$u/out")" ;; esac
PATH=$u/bin:$PATH fn 'cfg_nfs=nfs.example:/export; dump_name'
case $(cat "$u/out") in "$host-"*) ok ;; *) bad "dump_name nfs without a route: $(cat "$u/out")" ;; esac
check grep -qF "cannot tell this system's address towards nfs.example" "$u/err"

# resume_dir: the last target of this boot's journal, when not complete.
ur=$u/root
rm -rf "$ur"
make_qemu_root "$ur"
mkdir -p "$u/crash/old" "$u/crash/new"
{
	journal_record "phypdump-journal 1 boot_id=$BOOT_ID page_size=4096"
	journal_record "layout ${QEMU_LINE}"
	journal_record "target $u/crash/old/vmcore"
	journal_record "release 0x14001000 0x100000"
	journal_record "target $u/crash/new/vmcore"
} >"$u/journal"
PHYPDUMP_JOURNAL=$u/journal ROOT=$ur fn 'resume_dir'
check test "$rc" -eq 0
check test "$(cat "$u/out")" = "$u/crash/new"
: >"$u/crash/new/vmcore"
PHYPDUMP_JOURNAL=$u/journal ROOT=$ur fn 'resume_dir'
check test "$rc" -ne 0
rm -f "$u/crash/new/vmcore"
# Another boot's journal is not resumed.
put "$ur" proc/sys/kernel/random/boot_id 'ffffffff-aaaa-4bbb-8ccc-123456789abc\n'
PHYPDUMP_JOURNAL=$u/journal ROOT=$ur fn 'resume_dir'
check test "$rc" -ne 0
put "$ur" proc/sys/kernel/random/boot_id "$BOOT_ID\n"
PHYPDUMP_JOURNAL=$u/none ROOT=$ur fn 'resume_dir'
check test "$rc" -ne 0

# detect_boot: pseries nodes and OPAL's mpipl-boot.
ROOT=$ur fn 'detect_boot; echo "$dump_boot $opal_boot"'
check test "$(cat "$u/out")" = "ibm,kernel-dump 0"
put "$ur" proc/device-tree/ibm,opal/dump/mpipl-boot '\0\0\0\1'
ROOT=$ur fn 'detect_boot; echo "$dump_boot $opal_boot"'
check test "$(cat "$u/out")" = "ibm,kernel-dump 1"

# register: verified; a refused write and a write that does not stick fail.
rm -rf "$ur"
make_normal_root "$ur"
put "$ur" sys/kernel/fadump/registered '0\n'
ROOT=$ur fn 'detect_boot; register'
check test "$rc" -eq 0
check test "$(cat "$ur/sys/kernel/fadump/registered")" = 1
rm -f "$ur/sys/kernel/fadump/registered"
mkdir "$ur/sys/kernel/fadump/registered"
ROOT=$ur fn 'detect_boot; register'
check test "$rc" -eq 1
check grep -qF "registering firmware-assisted dump failed (writing 1 to $ur/sys/kernel/fadump/registered" "$u/err"
rmdir "$ur/sys/kernel/fadump/registered"
ln -s /dev/null "$ur/sys/kernel/fadump/registered"
ROOT=$ur fn 'detect_boot; register'
check test "$rc" -eq 1
check grep -qF "reads '' after writing 1" "$u/err"

# stock_path: exit 5 when a stock kdump service exists, else a failure.
printf '#!/bin/sh\nexit 0\n' >"$u/bin/kdump-config"
chmod +x "$u/bin/kdump-config"
PATH=$u/bin:$PATH fn 'stock_path "OPAL"'
check test "$rc" -eq 5
check grep -qF "left untouched to the stock fadump path" "$u/err"
rm -f "$u/bin/kdump-config"
fn 'cfg_failure=halt; stock_path "OPAL"'
check test "$rc" -eq 1
check grep -qF "no stock kdump service (kdumpctl or kdump-config) is installed" "$u/err"
check grep -qx halt "$actions"
: >"$actions"

# wait_capture: waits while phypdump.service is active, then exits 0.
rm -rf "$ur"
make_qemu_root "$ur"
cat >"$u/bin/fake-systemctl" <<'EOF'
#!/bin/sh
n=$(cat "$u/polls" 2>/dev/null || echo 0)
echo $((n + 1)) >"$u/polls"
[ "$*" = "show -P ActiveState phypdump.service" ] || exit 2
if [ "$n" -lt 2 ]; then echo active; else echo inactive; fi
EOF
chmod +x "$u/bin/fake-systemctl"
rm -f "$u/polls"
PHYPDUMP_SYSTEMCTL=$u/bin/fake-systemctl ROOT=$ur fn 'wait_capture'
check test "$rc" -eq 0
check test "$(cat "$u/polls")" -ge 3
check grep -qF "phypdump.service is saving this boot's dump; waiting" "$u/err"
check grep -qF "the dump is still held after phypdump.service" "$u/err"
# A normal boot: nothing to wait for.
rm -rf "$ur" "$u/polls"
make_normal_root "$ur"
PHYPDUMP_SYSTEMCTL=$u/bin/fake-systemctl ROOT=$ur fn 'wait_capture'
check test "$rc" -eq 0
check test ! -e "$u/polls"
