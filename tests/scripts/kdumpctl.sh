# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154,SC2016 # tmp, top, check...: set by tests/scripts/run
# The kdump-utils series (scripts/kdumpctl/).  Its tree is not in Debian's
# archive, so CI cannot apply it; its own ShellSpec suite is run by hand
# (README).  Here: the functions the series adds, cut out of the patches and
# run with stand-ins for the kdump-utils functions they call, and the form
# of its ShellSpec examples (no Parameters block spills into other examples).
# Sourced by tests/scripts/run.

echo "scripts: kdumpctl series" >&2
kc=$tmp/kdumpctl
rm -rf "$kc"
mkdir -p "$kc/bin" "$kc/dt"

# added_function PATCH FUNC: the body of FUNC as the patch adds it to a file.
added_function() {
	awk -v f="$2" '
		/^\+\+\+ / { next }
		$0 == "+" f "()" { on = 1 }
		on && /^\+/ { print substr($0, 2) }
		on && $0 == "+}" { exit }
	' "$1"
}
p2=$(find "$top/scripts/kdumpctl" -name '0002-*.patch' | head -n 1)
lib=$kc/functions.sh
{
	for f in fadump_phypdump_unsupported fadump_capture_mode; do added_function "$p2" "$f"; done
	for f in check_fadump_capture_config fadump_phypdump_dir fadump_do_action fadump_phypdump_save \
		fadump_dump_boot_save fadump_report_held_dump; do added_function "$p2" "$f"; done
} >"$lib"
for f in fadump_phypdump_unsupported fadump_capture_mode check_fadump_capture_config fadump_phypdump_dir \
	fadump_phypdump_save fadump_dump_boot_save fadump_report_held_dump; do
	check grep -qx "$f()" "$lib"
done
check bash -n "$lib"

# Stand-ins for what kdump-utils provides (kdump-lib*.sh, kdump-logger.sh),
# recorders for phypdump and systemctl.
cat >"$kc/harness.sh" <<'EOF'
declare -A OPT
dinfo() { echo "INFO: $*" >&2; }
dwarn() { echo "WARN: $*" >&2; }
derror() { echo "ERROR: $*" >&2; }
kdump_read_conf() { grep -Ev -e '^\s*#' -e '^\s*$' "$KDUMP_CONFIG_FILE"; }
kdump_get_conf_val() { kdump_read_conf | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); v = $0 } END { print v }'; }
parse_config() {
	OPT=()
	while read -r k v; do
		case $k in
		ext[234] | xfs | btrfs | minix | nfs | virtiofs | ssh | raw) OPT[_fstype]=$k; OPT[_target]=$v ;;
		*) OPT[$k]=$v ;;
		esac
	done <<<"$(kdump_read_conf)"
	[[ -n ${OPT[path]} ]] || OPT[path]=/var/crash
	check_fadump_capture_config
}
is_fs_type_nfs() { [[ $1 == nfs || $1 == nfs4 ]]; }
get_remote_host() { local v=${1#*@}; v=${v%:/*}; echo "$v"; }
kdump_get_ip_route() { [[ $1 == nfs.example ]] || return 1; echo "192.0.2.1 via 198.51.100.1 dev eth0 src 198.51.100.7 uid 0"; }
kdump_get_ip_route_field() { echo "$1" | sed -n -e "s/^.*\<$2\>\s\+\(\S\+\).*$/\1/p"; }
is_fadump_dump_boot() { [[ -f $FADUMP_DT_RTAS/ibm,kernel-dump || -f $FADUMP_DT_OPAL_MPIPL ]]; }
findmnt() { case "$*" in *"--source nfs.example:/export"*) echo /mnt/nfs ;; *"--source UUID=mounted"*) echo /srv/dumps ;; *) return 1 ;; esac; }
hostname() { echo node1; }
date() { echo 2026-11-22-19:00:00; }
systemctl() { echo "systemctl $*" >>"$ACTIONS_K"; }
phypdump() { echo "phypdump $*" >>"$ACTIONS_K"; return "${PHYPDUMP_RC:-0}"; }
PHYPDUMP=phypdump
DEFAULT_DUMP_MODE=fadump
FADUMP_VMCORE=$FADUMP_DT_RTAS/vmcore
FADUMP_DT_OPAL_MPIPL=$FADUMP_DT_RTAS/mpipl-boot
. "$LIB"
EOF
# kc_run CONF SNIPPET: the functions in bash; stdout, stderr, status, actions.
kc_run() {
	printf '%b' "$1" >"$kc/kdump.conf"
	: >"$kc/actions"
	KDUMP_CONFIG_FILE=$kc/kdump.conf FADUMP_DT_RTAS=$kc/dt LIB=$lib ACTIONS_K=$kc/actions \
		bash -c '. "$0"; '"$2" "$kc/harness.sh" >"$kc/out" 2>"$kc/err"
	rc=$?
}
kc_err() { grep -qF -- "$1" "$kc/err" || { echo "stderr lacks '$1': $(cat "$kc/err")" >&2; false; }; }

# Validated on the normal boot: what phypdump cannot save keeps the stock path.
kc_run 'path /var/crash\n' 'fadump_capture_mode'
check test "$(cat "$kc/out")" = phypdump
for c in 'raw /dev/sdb1|the dump target is raw' \
	'xfs UUID=unmounted|UUID=unmounted is not mounted' "core_collector cp --sparse=always|core_collector 'cp' is not makedumpfile"; do
	kc_run "${c%%|*}\n" 'fadump_capture_mode'
	check test "$(cat "$kc/out")" = kdump
	check kc_err "${c#*|}"
	check kc_err "the dump will be saved by the capture initramfs"
done
kc_run 'xfs UUID=mounted\n' 'fadump_capture_mode'
check test "$(cat "$kc/out")" = phypdump
# ssh: phypdump save --target (phypdump receive on that host)
kc_run 'ssh user@host.example\n' 'fadump_capture_mode'
check test "$(cat "$kc/out")" = phypdump
kc_run 'ssh user@host.example\nsshkey /root/.ssh/key\npath /crash\n' 'parse_config && fadump_phypdump_save'
check test "$rc" -eq 0
check grep -qx "phypdump save --core-collector makedumpfile -l --message-level 7 -d 31 --target ssh://user@host.example/crash --sshkey /root/.ssh/key /var/crash/node1-2026-11-22-19:00:00" "$kc/actions"
kc_run 'fadump_capture phypdump\nraw /dev/sdb1\n' 'parse_config'
check test "$rc" -ne 0
check kc_err "fadump_capture phypdump, but the dump target is raw"
kc_run 'fadump_capture phypdump\n' 'PHYPDUMP=/nonexistent/phypdump; parse_config'
check test "$rc" -ne 0
check kc_err "is not installed"
kc_run 'path /var/crash\n' 'PHYPDUMP=/nonexistent/phypdump; fadump_capture_mode'
check test "$(cat "$kc/out")" = kdump

# The dump directory: HOST-DATE, this system's address for a network target.
kc_run 'path /var/crash\n' 'parse_config && fadump_phypdump_dir'
check test "$(cat "$kc/out")" = /var/crash/node1-2026-11-22-19:00:00
kc_run 'nfs nfs.example:/export\npath /crash\n' 'parse_config && fadump_phypdump_dir'
check test "$(cat "$kc/out")" = /mnt/nfs/crash/198.51.100.7-2026-11-22-19:00:00

# phypdump's exit codes: 4 no dump (success), 5 cannot save (a failure,
# not "no dump"), 6 another capture holds it (left to it), others failures.
touch "$kc/dt/ibm,kernel-dump"
for c in '0|0|dump saved in' '4|0|holds no dump any more' '5|1|phypdump cannot save this dump' \
	'6|2|another capture' '1|1|stays reserved'; do
	code=${c%%|*}
	want=${c#*|}
	kc_run 'path /var/crash\nfailure_action halt\n' "parse_config && PHYPDUMP_RC=$code fadump_dump_boot_save"
	check test "$rc" -eq "${want%%|*}"
	check kc_err "${want#*|}"
	check grep -qx "phypdump save --core-collector makedumpfile -l --message-level 7 -d 31 /var/crash/node1-2026-11-22-19:00:00" "$kc/actions"
	if [ "${want%%|*}" -eq 1 ]; then check grep -qx "systemctl halt" "$kc/actions"; else check test "$(wc -l <"$kc/actions")" -eq 1; fi
done
# OPAL: left to the capture initramfs; phypdump is not run.
touch "$kc/dt/mpipl-boot"
kc_run 'path /var/crash\n' 'parse_config && fadump_dump_boot_save'
check test "$rc" -eq 0
check kc_err "OPAL MPIPL dump boot is saved by the capture initramfs"
check test ! -s "$kc/actions"
rm -f "$kc/dt/mpipl-boot"
# kdumpctl status: a held, unsaved dump is reported.
: >"$kc/dt/vmcore"
kc_run 'path /var/crash\n' 'fadump_report_held_dump'
check test "$rc" -ne 0
check kc_err "holds a firmware-assisted dump that is not saved yet"
rm -f "$kc/dt/vmcore"
kc_run 'path /var/crash\n' 'fadump_report_held_dump'
check test "$rc" -eq 0
rm -f "$kc/dt/ibm,kernel-dump"

# The modified-files check and mkfadumprd track the mode.
check grep -q '^+		_phypdump=$(type -P "$PHYPDUMP")' "$p2"
check grep -q '^+			modified_files="$modified_files fadump_capture:$_mode"' "$p2"
check grep -q 'FADUMP_CAPTURE_MODE_FILE' "$(find "$top/scripts/kdumpctl" -name '0003-*.patch')"

# ShellSpec: a Parameters block feeds every example after it in its block,
# so each one must sit alone with its example (Context ... End).
spill() {
	awk '
		/^\+\+\+ b\/spec\// { on = 1; next }
		/^\+\+\+ / || /^diff / { on = 0 }
		!on || !/^[+ ]/ { next }
		{
			line = substr($0, 2)
			match(line, /^\t*/); d = RLENGTH; w = line; sub(/^\t*/, "", w); split(w, t, /[ \t]/); k = t[1]
			if (k == "Parameters") { pdepth = d; examples = 0; inparams = 1; next }
			if (inparams && k == "End" && d == pdepth) { inparams = 0; open = 1; next }
			if (open && (k == "It" || k == "Example" || k == "Specify") && d == pdepth) examples++
			if (open && k == "End" && d == pdepth - 1) {
				if (examples != 1) { print "Parameters before " examples " examples, line " NR; bad = 1 }
				open = 0
			}
		}
		END { exit bad }
	' "$@"
}
check spill "$top"/scripts/kdumpctl/*.patch
# ... and the check finds a spill (the series' first version had them).
printf '+++ b/spec/x_spec.sh\n+\tDescribe "x"\n+\t\tParameters\n+\t\t\t"#1" a\n+\t\tEnd\n+\t\tIt "one"\n+\t\tEnd\n+\t\tIt "two"\n+\t\tEnd\n+\tEnd\n' >"$kc/spill.patch"
if spill "$kc/spill.patch" >/dev/null; then bad "the Parameters check misses a spill"; else ok; fi
