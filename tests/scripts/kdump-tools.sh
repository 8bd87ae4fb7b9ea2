# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154 # tmp, top, mnt, ...: set by tests/scripts/run
# Debian's kdump-tools (bookworm's binary package) with scripts/kdump-tools/
# applied: the init script's start on a simulated dump boot saves with
# phypdump, memory comes back incrementally, nothing reboots.  Sourced by
# tests/scripts/run (uses its helpers, recorders, simulator and fixture).

echo "scripts: kdump-tools" >&2
kt_cache=$PHYPDUMP_CACHE/kdump-tools
mkdir -p "$kt_cache"
# The archive's current bookworm version, downloaded once per version; the
# newest cached one when the archive cannot be asked.
kt_ver=$(apt-cache madison kdump-tools 2>/dev/null | awk -F'|' '$3 ~ /bookworm/ { gsub(/ /, "", $2); print $2; exit }')
kt_deb=
if [ -n "$kt_ver" ]; then
	kt_deb=$(find "$kt_cache" -maxdepth 1 -name "kdump-tools_$(printf '%s' "$kt_ver" | sed 's/:/%3a/')_*.deb" | head -n 1)
	if [ -z "$kt_deb" ]; then
		(cd "$kt_cache" && apt-get download "kdump-tools=$kt_ver" >/dev/null 2>&1)
		kt_deb=$(find "$kt_cache" -maxdepth 1 -name "kdump-tools_$(printf '%s' "$kt_ver" | sed 's/:/%3a/')_*.deb" | head -n 1)
	fi
fi
[ -n "$kt_deb" ] || kt_deb=$(find "$kt_cache" -maxdepth 1 -name 'kdump-tools_*.deb' | sort | tail -n 1)
kt=$tmp/kdump-tools
if [ -z "$kt_deb" ]; then
	bad "kdump-tools: cannot download the kdump-tools package (apt-get update; apt-get download kdump-tools)"
elif ! dpkg-deb -x "$kt_deb" "$kt"; then
	bad "kdump-tools: dpkg-deb -x $kt_deb"
else
	echo "scripts: kdump-tools: $(basename "$kt_deb")" >&2
	for p in "$top"/scripts/kdump-tools/*.patch; do
		# -F0: the patch applies exactly, without fuzz
		if (cd "$kt" && patch -p1 -F0 --no-backup-if-mismatch -s <"$p"); then ok; else bad "kdump-tools: $(basename "$p") does not apply"; fi
	done
	check sh -n "$kt/usr/sbin/kdump-config"
	check sh -n "$kt/etc/init.d/kdump-tools"
	# The init script, run from here: its kdump-config is the patched one;
	# `reboot` becomes a recorder (the PATH guards would catch it anyway).
	sed -e "s|^KDUMP_SCRIPT=.*|KDUMP_SCRIPT=$kt/usr/sbin/kdump-config|" \
		-e "s|reboot -f|$tmp/bin/record reboot -f|" \
		"$kt/etc/init.d/kdump-tools" >"$kt/init"
	check grep -q "^KDUMP_SCRIPT=$kt/usr/sbin/kdump-config" "$kt/init"
	# phypdump with the journal outside the (read-only) simulated root.
	# shellcheck disable=SC2016 # $1, $cmd and $@ belong to the wrapper
	printf '#!/bin/sh\ncmd=$1; shift\nexec "%s" "$cmd" --journal "%s" "$@"\n' "$PD" "$tmp/journal" >"$tmp/bin/pd-journal"
	chmod +x "$tmp/bin/pd-journal"
	export USE_KDUMP=1 SYSTEMCTL_SKIP_REDIRECT=1
	# kt_start [VAR=VALUE...]: the init script's start on the simulator.
	kt_start() {
		: >"$actions"
		env KDUMP_SYSROOT="$mnt" KDUMP_COREDIR="$tmp/kt-crash" PHYPDUMP="$tmp/bin/pd-journal" \
			MAKEDUMP_ARGS="-l -d 31" "$@" sh "$kt/init" start >"$tmp/out" 2>"$tmp/err"
		rc=$?
	}
	no_reboot() { ! grep -q 'reboot\|halt\|poweroff\|GUARD' "$actions" || { echo "actions: $(cat "$actions")" >&2; false; }; }

	# Normal boot: fadump-continue says no.
	rm -rf "$fr"
	make_normal_root "$fr"
	check test "$(KDUMP_SYSROOT=$fr PHYPDUMP=$tmp/bin/pd-journal sh "$kt/usr/sbin/kdump-config" fadump-continue >/dev/null 2>&1; echo $?)" = 1

	# The dump boot: saved with phypdump, memory back incrementally, no reboot.
	rm -rf "$tmp/kt-crash" "$tmp/journal"
	if sim_mount; then
		check test "$(KDUMP_SYSROOT=$mnt PHYPDUMP=$tmp/bin/pd-journal sh "$kt/usr/sbin/kdump-config" fadump-continue >/dev/null 2>&1; echo $?)" = 0
		check test "$(KDUMP_FADUMP_CONTINUE=0 KDUMP_SYSROOT=$mnt PHYPDUMP=$tmp/bin/pd-journal sh "$kt/usr/sbin/kdump-config" fadump-continue >/dev/null 2>&1; echo $?)" = 1
		kt_start
		check test "$rc" -eq 0
		check no_reboot
		kd=$(find "$tmp/kt-crash" -mindepth 1 -maxdepth 1 -type d -name '2*' | head -n 1)
		kf=$(find "$kd" -name 'dump.*' | head -n 1)
		check test -n "$kf"
		check cmp -s "$ref" "$kf"
		check grep -q "Linux version 6" "$(find "$kd" -name 'dmesg.*' | head -n 1)"
		check grep -q "phypdump save" "$tmp/out" "$tmp/err"
		check test "$(grep -c '"event":"release"' "$tl")" -gt 5
		check test "$(reserved)" = 0
		check test ! -e "$mnt/proc/vmcore"
		check test "$(cat "$mnt/sys/kernel/fadump/registered")" = 1
		check grep -q "fadump registered successfully" "$tmp/out" "$tmp/err"
		sim_umount "kdump-tools save"
	else bad "mount"; fi

	# A failing collector: no reboot, no cp fallback, the memory stays reserved;
	# KDUMP_FAIL_CMD still runs when set.
	for failcmd in "" "$tmp/bin/record failcmd"; do
		rm -rf "$tmp/kt-crash" "$tmp/journal"
		sim_mount || { bad "mount"; continue; }
		kt_start MAKEDUMP_ARGS="-l -d 31 --no-such-option" KDUMP_FAIL_CMD="$failcmd"
		check test "$rc" -eq 0
		check no_reboot
		check grep -q "phypdump save failed" "$tmp/out" "$tmp/err"
		check test -z "$(find "$tmp/kt-crash" -name 'vmcore.*')"
		check test -e "$mnt/proc/vmcore"
		check test "$(reserved)" -gt 500000000
		if [ -n "$failcmd" ]; then check grep -qx failcmd "$actions"; else check test ! -s "$actions"; fi
		sim_umount "kdump-tools failure"
	done

	# KDUMP_FADUMP_CONTINUE=0: the old way, makedumpfile then reboot -f (the
	# recorder shows the reboot the patch avoids).
	rm -rf "$tmp/kt-crash" "$tmp/journal"
	if sim_mount; then
		kt_start KDUMP_FADUMP_CONTINUE=0
		check grep -qx "reboot -f" "$actions"
		check test -e "$mnt/proc/vmcore"
		sim_umount "kdump-tools old way"
	else bad "mount"; fi
fi
