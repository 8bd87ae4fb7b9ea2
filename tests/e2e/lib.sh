# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers shared by the tests/e2e scripts (sourced, not run).
# Everything downloaded or built lives under $E2E_CACHE; nothing here touches the host's
# dpkg state, and no archive host name is written down: it is read from APT's sources.

E2E_CACHE=${PHYPDUMP_CACHE:-$HOME/.cache/phypdump}/e2e
export E2E_DIR
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

e2e_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
e2e_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# The Debian archive URL of this machine: the first `URIs:` of a deb822 source in
# /etc/apt/sources.list.d/*.sources (else the first `deb` line of /etc/apt/sources.list) that is
# not the security archive. Override with E2E_MIRROR=URL.
e2e_mirror() {
	if [ -n "${E2E_MIRROR:-}" ]; then
		printf '%s\n' "${E2E_MIRROR%/}"
		return
	fi
	local f url=''
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		url=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f" |
			grep -v -- '-security' | head -n 1 || true)
		[ -z "$url" ] || break
	done
	if [ -z "$url" ] && [ -r /etc/apt/sources.list ]; then
		url=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
			/etc/apt/sources.list | grep -v -- '-security' | head -n 1 || true)
	fi
	[ -n "$url" ] ||
		e2e_die "no Debian archive URL in /etc/apt/sources.list.d/*.sources ('URIs:') or /etc/apt/sources.list; set E2E_MIRROR=URL"
	printf '%s\n' "${url%/}"
}

# Serialize concurrent users of one cached artefact: e2e_lock NAME
e2e_lock() {
	mkdir -p "$E2E_CACHE"
	exec {E2E_LOCK_FD}>"$E2E_CACHE/.$1.lock"
	flock "$E2E_LOCK_FD" || e2e_die "cannot lock $E2E_CACHE/.$1.lock"
}

# The command prefix that runs a command inside the chroot, with /proc and /dev mounted in a
# private mount namespace so that nothing stays mounted when it ends (an array, usable under
# timeout): e2e_chroot_argv CHROOT; "${E2E_CHROOT_ARGV[@]}" CMD...
e2e_chroot_argv() {
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	E2E_CHROOT_ARGV=(unshare --mount --propagation private -- sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" &&
		mount --rbind /dev "$root/dev" &&
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' sh "$1")
}

# Run a command inside the chroot: e2e_in_chroot CHROOT CMD...
e2e_in_chroot() {
	e2e_chroot_argv "$1"
	shift
	"${E2E_CHROOT_ARGV[@]}" "$@"
}
