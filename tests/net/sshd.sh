# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/net/sshd.sh — a private OpenSSH server for one test run, sourced.
#   sshd_start DIR [PHYPDUMP]
#                    generates a host key and a client key in DIR, starts
#                    Debian's sshd on 127.0.0.1 at a free port with its own
#                    sshd_config (no system service is touched), and sets
#                    SSHD_PORT, SSHD_PID, SSH_KEY, SSH_OPTS (the phypdump save
#                    options that reach it: --sshkey, known_hosts)
#   sshd_stop        stops it (the listener and every session)
#   sshd_kill_sessions  kills the sessions only (a dropped connection)
#   sshd_restart     starts it again on the same port with the same keys
# The client checks the host key: DIR/known_hosts holds it, as a host that
# was set up with ssh-keyscan or a first manual login would.
[ -n "${PD_SSHD_SH:-}" ] && return 0
PD_SSHD_SH=1

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

sshd_start() {
	local dir=$1
	mkdir -p "$dir/bin"
	chmod 700 "$dir"
	[ -z "${2:-}" ] || ln -sf "$2" "$dir/bin/phypdump"
	rm -f "$dir/host_key" "$dir/host_key.pub" "$dir/id" "$dir/id.pub"
	ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$dir/id" || return 1
	cp "$dir/id.pub" "$dir/authorized_keys"
	SSHD_PORT=$(free_port)
	cat >"$dir/sshd_config" <<CONF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
SetEnv PATH=$dir/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONF
	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
	SSH_KEY=$dir/id
	SSHD_DIR=$dir
	# shellcheck disable=SC2034 # for the sourcing test
	SSH_OPTS=(--sshkey "$SSH_KEY" --ssh-option "UserKnownHostsFile=$dir/known_hosts")
	sshd_restart
}

sshd_restart() {
	local dir=$SSHD_DIR
	# sshd refuses to start without its privilege separation directory.
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd
	/usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" &
	SSHD_PID=$!
	for _ in $(seq 50); do
		if ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o "UserKnownHostsFile=$dir/known_hosts" \
			-i "$SSH_KEY" -o IdentitiesOnly=yes -p "$SSHD_PORT" root@127.0.0.1 true 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "sshd did not come up: $(tail -n 5 "$dir/sshd.log")" >&2
	return 1
}

# The session processes: children of the listener (by its pid only).
sshd_kill_sessions() {
	local p
	[ -n "${SSHD_PID:-}" ] || return 0
	for p in $(ps -o pid= --ppid "$SSHD_PID"); do
		kill -KILL "$p" 2>/dev/null
	done
}

sshd_stop() {
	sshd_kill_sessions
	if [ -n "${SSHD_PID:-}" ]; then
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	fi
	SSHD_PID=
}
