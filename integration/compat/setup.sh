#!/bin/bash
# Lays out the pinned role checkouts and one case (site.yml + roles/) per role,
# from the bare mirrors under /work/.mirror, as listed in cases.tsv.
# Idempotent: re-running rebuilds roles/, cases/ and collections/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirrors=${MIRRORS:-/work/.mirror}
work=${COMPAT_WORK:-/tmp/tend-compat}
mkdir -p "$work"
cp "$here/cases.tsv" "$work/cases.tsv"
cd "$work"
rm -rf roles cases collections
mkdir -p roles cases collections/ansible_collections
grep -v '^#' cases.tsv | while IFS=$'\t' read -r case checkout mirror commit sub role groups; do
	[ -n "$case" ] || continue
	if [ ! -d "roles/$checkout" ]; then
		mkdir -p "roles/$checkout"
		# ansible-examples holds files the mirror lacks (>4 MiB): take only the subtree.
		if [ "$sub" != . ] && [ "$role" = PLAYBOOK ]; then
			git --git-dir="$mirrors/$mirror/repo" archive "$commit" "$sub" 2>/dev/null | tar -x -C "roles/$checkout"
		else
			git --git-dir="$mirrors/$mirror/repo" archive "$commit" | tar -x -C "roles/$checkout"
		fi
		# A collection checkout is also installed as a collection (for Ansible).
		if [ -f "roles/$checkout/galaxy.yml" ]; then
			ns=${checkout%%.*} name=${checkout#*.}
			mkdir -p "collections/ansible_collections/$ns"
			ln -s "../../../roles/$checkout" "collections/ansible_collections/$ns/$name"
		fi
	fi
	mkdir -p "cases/$case"
	echo "$groups" >"cases/$case/groups"
	if [ "$role" = PLAYBOOK ]; then
		# The example's own site.yml and roles, every play's hosts made `all`.
		sed -E 's/^(\s*hosts:\s*).*/\1all/' "roles/$checkout/$sub/site.yml" >"cases/$case/site.yml"
		for d in roles group_vars host_vars; do
			[ -e "roles/$checkout/$sub/$d" ] && ln -s "../../roles/$checkout/$sub/$d" "cases/$case/$d"
		done
	else
		mkdir -p "cases/$case/roles"
		if [ "$sub" = . ]; then target="../../../roles/$checkout"; else target="../../../roles/$checkout/$sub"; fi
		ln -s "$target" "cases/$case/roles/$role"
		printf -- '- hosts: all\n  become: true\n  roles: [%s]\n' "$role" >"cases/$case/site.yml"
	fi
	echo "$case: roles/$checkout @ ${commit:0:12}"
done
