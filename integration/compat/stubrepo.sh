#!/bin/bash
# stubrepo.sh DIR: builds the "stub packages" apt repository (flat, file:, unsigned)
# that run.sh STUB_PACKAGES=1 points the fleet hosts at.
#
# Each package is named like one a role installs and holds only what the role then
# looks for: its config dirs and files, a binary that prints a plausible version and
# does nothing else, and a no-op /etc/init.d script (init-stub, which only records
# started/stopped under /run). No package starts or contains a daemon, none
# has dependencies, and none is a firewall (iptables, nftables, ufw, firewalld stay
# absent, so geerlingguy.firewall still stops at its install and the guard holds).
# Packages the machine (hence every host) already has, git or postgresql, need none.
# Needs dpkg-deb and dpkg-scanpackages (dpkg-dev).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
dir=$(realpath -m "$1")
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
rm -rf "$dir"
mkdir -p "$dir"

root= # the package being built
pkg() { # NAME: starts a package
	root=$build/$1
	mkdir -p "$root/DEBIAN"
	printf 'Package: %s\nVersion: 99.0-compat\nArchitecture: all\nMaintainer: tend compat <compat@tend.invalid>\nSection: misc\nPriority: optional\nDescription: tend compat stub of %s (no daemon)\n' "$1" "$1" >"$root/DEBIAN/control"
}
file() { # PATH [CONTENT]: a 0644 file
	mkdir -p "$root$(dirname "$1")"
	printf '%s' "${2:-}" >"$root$1"
}
dir() { for d; do mkdir -p "$root$d"; done; }
link() { mkdir -p "$root$(dirname "$2")"; ln -s "$1" "$root$2"; } # TARGET PATH
bin() { # PATH VERSION-LINE [stderr]: a harmless binary: prints its version when asked, else nothing
	mkdir -p "$root$(dirname "$1")"
	if [ "${3:-}" = stderr ]; then redir='>&2'; else redir=; fi
	printf '#!/bin/sh\n# tend compat stub: no program, only a version line (a query gets no rows)\nfor a; do case $a in -v | -V | --version | -version) echo %q %s ;; esac; done\nexit 0\n' "$2" "$redir" >"$root$1"
	chmod 0755 "$root$1"
}
initd() { # NAME: the no-op init script (the one inner.sh puts over the host's own)
	mkdir -p "$root/etc/init.d"
	sed "s/@NAME@/$1/g" "$here/init-stub" >"$root/etc/init.d/$1"
	chmod 0755 "$root/etc/init.d/$1"
}
sysuser() { # USER [GROUP]: created by postinst, as the real package does
	cat >>"$root/DEBIAN/postinst" <<-EOF
		getent group ${2:-$1} >/dev/null || groupadd --system ${2:-$1}
		getent passwd $1 >/dev/null || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin -g ${2:-$1} $1
	EOF
}
empty() { for p; do pkg "$p"; done; } # packages only present (libraries, python modules)

# geerlingguy.apache
pkg apache2
bin /usr/sbin/apache2 'Server version: Apache/2.4.57 (Debian)'
bin /usr/sbin/apache2ctl 'Server version: Apache/2.4.57 (Debian)'
file /etc/apache2/apache2.conf 'IncludeOptional sites-enabled/*.conf
'
file /etc/apache2/ports.conf 'Listen 80

<IfModule ssl_module>
	Listen 443
</IfModule>
'
for m in rewrite ssl headers; do file /etc/apache2/mods-available/$m.load "LoadModule ${m}_module /usr/lib/apache2/modules/mod_$m.so
"; done
file /etc/apache2/mods-available/ssl.conf ''
dir /etc/apache2/mods-enabled /etc/apache2/conf-available /etc/apache2/conf-enabled /var/www/html
file /etc/apache2/sites-available/000-default.conf '<VirtualHost *:80>
</VirtualHost>
'
link ../sites-available/000-default.conf /etc/apache2/sites-enabled/000-default.conf
initd apache2
pkg apache2-utils
bin /usr/bin/ab 'This is ApacheBench, Version 2.3'

# geerlingguy.nginx, jdauphant.nginx
for p in nginx nginx-full nginx-light nginx-core; do
	pkg $p
	[ $p = nginx ] || continue
	bin /usr/sbin/nginx 'nginx version: nginx/1.22.1' stderr
	file /etc/nginx/nginx.conf 'events {}
http { include /etc/nginx/conf.d/*.conf; include /etc/nginx/sites-enabled/*; }
'
	file /etc/nginx/mime.types 'types { text/html html; }
'
	file /etc/nginx/sites-available/default 'server { listen 80 default_server; }
'
	link /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default
	dir /etc/nginx/conf.d /var/www/html /var/log/nginx
	initd nginx
done

# geerlingguy.redis
pkg redis-server
bin /usr/bin/redis-server 'Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=0'
file /etc/redis/redis.conf 'bind 127.0.0.1
'
dir /var/lib/redis /var/log/redis
sysuser redis
initd redis-server
pkg redis-tools
bin /usr/bin/redis-cli 'redis-cli 7.0.15'

# geerlingguy.mysql (Debian 12: mariadb)
for p in default-mysql-server mysql-server mariadb-server; do
	pkg $p
	[ $p = default-mysql-server ] || continue
	bin /usr/bin/mariadb 'mariadb  Ver 15.1 Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64) using  EditLine wrapper'
	bin /usr/bin/mysql 'mysql  Ver 15.1 Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64) using  EditLine wrapper'
	bin /usr/sbin/mariadbd 'mariadbd  Ver 10.11.6-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)'
	file /etc/mysql/my.cnf '[client-server]
!includedir /etc/mysql/conf.d/
'
	dir /etc/mysql/conf.d /etc/mysql/mariadb.conf.d /var/lib/mysql /var/log/mysql /run/mysqld
	sysuser mysql
	initd mariadb
	initd mysql
done
empty mysql-common python3-mysqldb python3-pymysql

# geerlingguy.postgresql (the machine has postgresql itself; the python library it lacks).
# The role's service is Debian 12's systemd unit of the cluster; without systemd on a
# host, an init script of that name is what lets service: find it.
empty libpq-dev
pkg python3-psycopg2
initd postgresql@15-main

# geerlingguy.ntp (Debian 12: ntpsec), lamp_simple
for p in ntpsec ntp chrony; do
	pkg $p
	case $p in
	ntpsec)
		bin /usr/sbin/ntpd 'ntpd ntpsec-1.2.2'
		file /etc/ntpsec/ntp.conf 'pool 0.debian.pool.ntp.org iburst
'
		dir /var/lib/ntpsec /var/log/ntpsec
		initd ntpsec ;;
	ntp)
		bin /usr/sbin/ntpd 'ntpd 4.2.8p15'
		file /etc/ntp.conf ''
		initd ntp ;;
	chrony)
		bin /usr/sbin/chronyd 'chronyd (chrony) version 4.3'
		file /etc/chrony/chrony.conf ''
		initd chrony ;;
	esac
done
pkg cron
bin /usr/sbin/cron 'cron (stub)'
initd cron

# geerlingguy.security
pkg fail2ban
bin /usr/bin/fail2ban-client 'Fail2Ban v1.0.2'
file /etc/fail2ban/jail.conf '[DEFAULT]
'
file /etc/fail2ban/fail2ban.conf '[Definition]
'
dir /etc/fail2ban/jail.d /etc/fail2ban/filter.d /etc/fail2ban/action.d
initd fail2ban
pkg unattended-upgrades
bin /usr/bin/unattended-upgrade 'unattended-upgrade (stub)'
dir /etc/apt/apt.conf.d

# devsec os_hardening
pkg auditd
bin /sbin/auditctl 'auditctl version 3.0.9'
bin /sbin/auditd 'auditd version 3.0.9'
file /etc/audit/auditd.conf ''
dir /etc/audit/rules.d
initd auditd

for d in "$build"/*/; do
	p=$(basename "$d")
	# A host is a copy of this machine: a package it has stays the real one (a
	# role's state=latest must not swap it for a stub).
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ]; then continue; fi
	# Files under /etc are conffiles, as debhelper makes them: a file the role
	# wrote before installing the package (redis.conf) is the admin's to keep.
	(cd "$d" && if [ -d etc ]; then find etc -type f; fi | sed 's|^|/|' | sort) >"$d/DEBIAN/conffiles"
	[ -s "$d/DEBIAN/conffiles" ] || rm "$d/DEBIAN/conffiles"
	[ -f "$d/DEBIAN/postinst" ] && { sed -i '1i #!/bin/sh\nset -e' "$d/DEBIAN/postinst"; chmod 0755 "$d/DEBIAN/postinst"; }
	dpkg-deb -Zgzip --root-owner-group --build "$d" "$dir/${p}_99.0-compat_all.deb" >/dev/null
done
(cd "$dir" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages)
{
	printf 'Origin: tend-compat\nLabel: tend-compat\nSuite: compat\nCodename: compat\nDate: %s\n' "$(date -Ru)"
	printf 'MD5Sum:\n %s %s Packages\n' "$(md5sum <"$dir/Packages" | cut -d' ' -f1)" "$(stat -c %s "$dir/Packages")"
	printf 'SHA256:\n %s %s Packages\n' "$(sha256sum <"$dir/Packages" | cut -d' ' -f1)" "$(stat -c %s "$dir/Packages")"
} >"$dir/Release"
echo "$dir: $(ls "$dir"/*.deb | wc -l) stub packages"
