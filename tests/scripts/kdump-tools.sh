# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154,SC2016 # tmp, top, mnt, ...: set by tests/scripts/run
# Debian's kdump-tools as POWER machines install it: sid's binary package for
# ppc64el (tests/scripts/fetch-kdump-tools: a private APT configuration; never
# installed on this machine), man pages decompressed, scripts/kdump-tools/
# applied without fuzz.  Its init script and kdump-config then run on the
# simulator: with KDUMP_FADUMP_CONTINUE=1 a dump boot is saved with phypdump,
# memory comes back incrementally, fadump is registered again, nothing
# reboots; failures fail the init script; SSH/FTP targets, OPAL and the
# default (0) keep the stock way.  Sourced by tests/scripts/run (uses its
# helpers, recorders, simulator and fixture).
#
# Only the test's copy is pointed at the simulator (sed on its path constants,
# as for the init script's KDUMP_SCRIPT and reboot): the patch has no test hook.

echo "scripts: kdump-tools (sid, ppc64el)" >&2
kt=$tmp/kdump-tools
if ! kt_deb=$(bash "$here/fetch-kdump-tools" "${KDUMP_TOOLS_VERSION:-1:1.10.9}" 2>"$tmp/kt-fetch.err"); then
	bad "kdump-tools: cannot download sid's kdump-tools for ppc64el: $(cat "$tmp/kt-fetch.err")"
elif ! dpkg-deb -x "$kt_deb" "$kt" || ! gunzip "$kt"/usr/share/man/man*/*.gz; then
	bad "kdump-tools: cannot unpack $kt_deb"
else
	echo "scripts: kdump-tools: $(basename "$kt_deb")" >&2
	check test "$(dpkg-deb -f "$kt_deb" Architecture)" = ppc64el
	for p in "$top"/scripts/kdump-tools/*.patch; do
		# -F0: the patch applies exactly, without fuzz
		if (cd "$kt" && patch -p1 -F0 --no-backup-if-mismatch -s <"$p"); then ok; else bad "kdump-tools: $(basename "$p") does not apply"; fi
	done
	check sh -n "$kt/usr/sbin/kdump-config"
	check sh -n "$kt/etc/init.d/kdump-tools"
	check grep -q '^KDUMP_FADUMP_CONTINUE=${KDUMP_FADUMP_CONTINUE:=0}$' "$kt/usr/sbin/kdump-config"
	check sh -c "! grep -q 'KDUMP_SYSROOT' '$kt/usr/sbin/kdump-config' '$kt/etc/init.d/kdump-tools'"
	for m in man5/kdump-tools.5 man8/kdump-config.8; do
		check grep -q 'KDUMP_FADUMP_CONTINUE' "$kt/usr/share/man/$m"
		if command -v groff >/dev/null; then
			check test -z "$(LC_ALL=C groff -man -Tutf8 -ww -z "$kt/usr/share/man/$m" 2>&1)"
		fi
	done
	check grep -q '^Compress the dump file with bzip2, gzip, lz4 or xz.  Not applied to a$' "$kt/usr/share/man/man5/kdump-tools.5"

	# The test's copies, pointed at the simulator.
	sim_paths() {
		sed -e "s|^vmcore_file=/proc/vmcore|vmcore_file=$1/proc/vmcore|" \
			-e "s|^sys_fadump_enabled=/sys|sys_fadump_enabled=$1/sys|" \
			-e "s|^sys_fadump_registered=/sys|sys_fadump_registered=$1/sys|" \
			-e "s|^dt_rtas=/proc|dt_rtas=$1/proc|" \
			-e "s|^dt_opal_mpipl=/proc|dt_opal_mpipl=$1/proc|" \
			-e "s|^IOMEM_ADDR=.*|IOMEM_ADDR=|" \
			"$kt/usr/sbin/kdump-config" >"$kt/kdump-config.$2"
		sed -e "s|^VMCORE_FILE=/proc/vmcore|VMCORE_FILE=$1/proc/vmcore|" \
			-e "s|^KDUMP_SCRIPT=.*|KDUMP_SCRIPT=\"sh $kt/kdump-config.$2\"|" \
			-e "s|reboot -f|$tmp/bin/record reboot -f|" \
			"$kt/etc/init.d/kdump-tools" >"$kt/init.$2"
		# phypdump on the simulator, the journal outside it.
		# shellcheck disable=SC2016 # $1, $cmd and $@ belong to the wrapper
		printf '#!/bin/sh\ncmd=$1; shift\nexec "%s" "$cmd" --root "%s" --journal "%s" "$@"\n' "$PD" "$1" "$tmp/journal" >"$tmp/bin/pd-$2"
		chmod +x "$tmp/bin/pd-$2"
	}
	check sim_paths "$mnt" sim
	check grep -q "^dt_rtas=$mnt/proc/device-tree/rtas" "$kt/kdump-config.sim"
	check grep -q "^KDUMP_SCRIPT=\"sh $kt/kdump-config.sim\"" "$kt/init.sim"
	export USE_KDUMP=1 SYSTEMCTL_SKIP_REDIRECT=1
	# kt VAR=VALUE... -- ARGS: kdump-config (or, with init, the init script).
	kt_run() {
		: >"$actions"
		env KDUMP_COREDIR="$tmp/kt-crash" PHYPDUMP="$tmp/bin/pd-sim" MAKEDUMP_ARGS="-l -d 31" "$@" >"$tmp/out" 2>"$tmp/err"
		rc=$?
	}
	kt_cfg() { kt_run "$@" sh "$kt/kdump-config.sim" fadump-continue; }
	kt_start() { kt_run KDUMP_FADUMP_CONTINUE=1 "$@" sh "$kt/init.sim" start; }
	no_reboot() { ! grep -q 'reboot\|halt\|poweroff\|GUARD' "$actions" || { echo "actions: $(cat "$actions")" >&2; false; }; }
	said() { grep -qF -- "$1" "$tmp/out" "$tmp/err" || { echo "no '$1' in: $(cat "$tmp/out" "$tmp/err")" >&2; false; }; }

	rm -rf "$tmp/kt-crash" "$tmp/journal"
	if sim_mount; then
		# fadump-continue: yes only when opted in, for local and NFS targets.
		kt_cfg
		check test "$rc" -eq 1
		kt_cfg KDUMP_FADUMP_CONTINUE=1
		check test "$rc" -eq 0
		kt_cfg KDUMP_FADUMP_CONTINUE=1 NFS=nfs.example:/export
		check test "$rc" -eq 0
		for t in SSH=kdump@host.example FTP=host.example; do
			kt_cfg KDUMP_FADUMP_CONTINUE=1 "$t"
			check test "$rc" -eq 1
			check said "not over SSH or FTP"
		done
		kt_cfg KDUMP_FADUMP_CONTINUE=1 PHYPDUMP=/nonexistent/phypdump
		check test "$rc" -eq 1
		check said "is not installed"

		# The dump boot: saved with phypdump, memory back incrementally,
		# fadump registered again, no reboot.
		kt_start KDUMP_COMPRESSION=xz
		check test "$rc" -eq 0
		check no_reboot
		kd=$(find "$tmp/kt-crash" -mindepth 1 -maxdepth 1 -type d -name '2*' | head -n 1)
		kf=$(find "$kd" -name 'dump.*' | head -n 1)
		check test -n "$kf"
		check cmp -s "$ref" "$kf"
		check grep -q "Linux version 6" "$(find "$kd" -name 'dmesg.*' | head -n 1)"
		check said "phypdump save"
		check said "KDUMP_COMPRESSION=xz is not applied"
		check test "$(grep -c '"event":"release"' "$tl")" -gt 5
		check test "$(reserved)" = 0
		check test ! -e "$mnt/proc/vmcore"
		# the simulator does not register by itself: kdump-config load did
		check test "$(cat "$mnt/sys/kernel/fadump/registered")" = 1
		check said "fadump registered successfully"
		sim_umount "kdump-tools save"
	else bad "mount"; fi

	# A failing collector: the init script fails, no reboot, no cp fallback,
	# the memory stays reserved; KDUMP_FAIL_CMD still runs when set.
	for failcmd in "" "$tmp/bin/record failcmd"; do
		rm -rf "$tmp/kt-crash" "$tmp/journal"
		sim_mount || { bad "mount"; continue; }
		kt_start MAKEDUMP_ARGS="-l -d 31 --no-such-option" KDUMP_FAIL_CMD="$failcmd"
		check test "$rc" -eq 1
		check no_reboot
		check said "phypdump save failed"
		check test -z "$(find "$tmp/kt-crash" -name 'vmcore.*')"
		check test -e "$mnt/proc/vmcore"
		check test "$(reserved)" -gt 500000000
		if [ -n "$failcmd" ]; then check grep -qx failcmd "$actions"; else check test ! -s "$actions"; fi
		sim_umount "kdump-tools failure"
	done

	# The default (KDUMP_FADUMP_CONTINUE unset, 0) and SSH targets: the
	# stock way, makedumpfile then reboot -f (the recorder shows the reboot).
	for v in "" SSH=kdump@host.example; do
		rm -rf "$tmp/kt-crash" "$tmp/journal"
		sim_mount || { bad "mount"; continue; }
		: >"$actions"
		env KDUMP_COREDIR="$tmp/kt-crash" PHYPDUMP="$tmp/bin/pd-sim" MAKEDUMP_ARGS="-l -d 31" \
			${v:+KDUMP_FADUMP_CONTINUE=1} ${v:+"$v"} SSH_KDUMP_RETRY=0 sh "$kt/init.sim" start >"$tmp/out" 2>"$tmp/err"
		check grep -qx "reboot -f" "$actions"
		check test -e "$mnt/proc/vmcore"
		check test "$(grep -c '"event":"release"' "$tl")" -eq 0
		sim_umount "kdump-tools stock way ${v:-default}"
	done
fi
