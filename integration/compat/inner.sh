#!/bin/bash
# Runs inside `fleet -n 1 -- inner.sh TOOL CASE TEND OUTDIR TIMEOUT`: guards the
# fresh host, then runs one tool (ansible or tend) on it, with TIMEOUT seconds.
# Writes OUTDIR/TOOL.run.log and OUTDIR/TOOL.run.rc (with SECOND_RUN=1, a second run
# on the same host too: OUTDIR/TOOL.run2.{log,rc}).
set -u
tool=$1 case=$2 tend=$3 out=$4 limit=$5
here=$(cd "$(dirname "$0")" && pwd)
work=${COMPAT_WORK:-/tmp/tend-compat}
casedir=$work/cases/$case
log=$out/$tool.run.log
: >"$log"

port=$(awk '$1=="host01"{for(i=2;i<=NF;i++) if($i ~ /^ansible_port=/){sub("ansible_port=","",$i); print $i}}' "$TEND_FLEET_INVENTORY")
if [ -z "$port" ]; then
	echo "harness: no host01 in $TEND_FLEET_INVENTORY" >>"$log"; echo 125 >"$out/$tool.run.rc"; exit 0
fi

# The host shares the machine's kernel and network (integration/fleet/doc.go):
# make /proc/sys read-only inside it (no sysctl reaches the real kernel) and
# point apt at a dead proxy (no package is installed, so no iptables, no
# daemon: the fleet has "no mirror"). Both tools get the same guarded host.
# With STUB_REPO (run.sh STUB_PACKAGES=1), apt installs stubrepo.sh's packages.
guard='set -e
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
if test -w /proc/sys/net/ipv4/ip_forward; then echo "/proc/sys still writable"; exit 1; fi
printf "%s\n" "Acquire::http::Proxy \"http://127.0.0.1:9/\";" "Acquire::https::Proxy \"http://127.0.0.1:9/\";" >/etc/apt/apt.conf.d/99zz-compat-offline
for b in iptables ip6tables iptables-restore nft ufw firewall-cmd; do
	if command -v $b; then echo "$b is installed: the host could change the real firewall"; exit 1; fi
done
# No daemon either (sshd, postgresql, or a stub package'"'"'s service): every init
# script becomes the no-op init-stub, and packages may start nothing.
printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
for f in /etc/init.d/*; do
	test -f "$f" || continue
	sed "s/@NAME@/${f##*/}/g" /run/compat-init-stub >"$f"
done'
if [ -n "${STUB_REPO:-}" ]; then
	# Stub packages: apt sees only the file: repository of stubrepo.sh (the
	# machine'"'"'s sources move aside; the dead proxy stays for anything else).
	guard=$guard'
test -r '"$STUB_REPO"'/Packages || { echo "stub repository not visible in the host"; exit 1; }
mkdir -p /etc/apt/compat-off
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do test -e "$f" && mv "$f" /etc/apt/compat-off/; done
echo "deb [trusted=yes] file:'"$STUB_REPO"' ./" >/etc/apt/sources.list.d/compat-stubs.list
apt-get -qq update'
fi
guard=$guard'
touch /run/compat-start' # what the tool changes is newer (manifest below)
if ! ssh -F "$TEND_FLEET_SSH_CONFIG" host01 'cat >/run/compat-init-stub' <"$here/init-stub" >>"$log" 2>&1 ||
	! ssh -F "$TEND_FLEET_SSH_CONFIG" host01 "$guard" >>"$log" 2>&1; then
	echo "harness: guarding the host failed; not running $tool" >>"$log"; echo 125 >"$out/$tool.run.rc"; exit 0
fi

# One inventory for both tools: same host name, so templates render alike.
inv=$out/inventory.$tool
{
	printf "twin ansible_host=127.0.0.1 ansible_port=%s ansible_user=root ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o UserKnownHostsFile=%s' ansible_python_interpreter=/usr/bin/python3\n" \
		"$port" "$TEND_FLEET_KEY" "$TEND_FLEET_KNOWN_HOSTS"
	for g in $(tr ',' ' ' <"$casedir/groups"); do
		[ "$g" = - ] || printf '[%s]\ntwin\n' "$g"
	done
} >"$inv"

cd "$casedir" || exit 1
run() { # LOG: one run of the tool, appended to LOG
	case $tool in
	ansible)
		home=$out/ansible-home
		mkdir -p "$home"
		# ssh's ControlPath must stay under 108 bytes: out/ paths can be long.
		cpdir=$(mktemp -d /tmp/compat-cp.XXXXXX)
		env ANSIBLE_SSH_CONTROL_PATH_DIR="$cpdir" ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PIPELINING=True ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
			ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_LOCAL_TEMP="$home/tmp" HOME="$home" \
			ANSIBLE_COLLECTIONS_PATH="$work/collections" \
			timeout -k 10 "$limit" ansible-playbook -i "$inv" site.yml </dev/null >>"$1" 2>&1
		rc=$?
		rm -rf "$cpdir"
		return $rc
		;;
	tend)
		env HOME="$out/tend-home" NO_COLOR=1 ANSIBLE_COLLECTIONS_PATH="$work/collections" \
			timeout -k 10 "$limit" "$tend" converge -i "$inv" --known-hosts "$TEND_FLEET_KNOWN_HOSTS" \
			--lock-dir "$out/tend-locks" site.yml </dev/null >>"$1" 2>&1
		;;
	esac
}
run "$log"
echo $? >"$out/$tool.run.rc"
if [ -n "${SECOND_RUN:-}" ]; then
	# The same tool once more on the same host: what a converged host still changes.
	: >"$out/$tool.run2.log"
	run "$out/$tool.run2.log"
	echo $? >"$out/$tool.run2.rc"
fi
# What the tool left on the host: every path under the usual roots created or
# changed (ctime: dpkg keeps packages' mtimes) since the guard, with type, mode,
# owner and content hash or link target; compat.py compares the twins' manifests.
# Left out: apt's and dpkg's own state, logs, caches, each tool's temp files, and
# what this machine's go writes meanwhile (hosts are overlays of its live root).
manifest='cd / && find /etc /usr /var /opt /srv /home /root -xdev \( -path /var/lib/apt -o -path /var/lib/dpkg \
	-o -path /var/cache -o -path /var/log -o -path /var/tmp -o -path /root/.ansible -o -path /root/.cache -o -path /root/.config/go -o -path /root/go \) -prune \
	-o -cnewer /run/compat-start -printf "%p %y %m %u:%g %l\n" | sort | while read -r p y rest; do
	if [ "$y" = f ]; then echo "$p $y $rest $(sha256sum <"$p" | cut -c1-16)"; else echo "$p $y $rest"; fi
done'
ssh -F "$TEND_FLEET_SSH_CONFIG" host01 "$manifest" >"$out/$tool.manifest" 2>>"$log"
exit 0
