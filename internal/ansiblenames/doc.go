// Package ansiblenames knows which names are valid Ansible, so that tend's
// loader can tell a typo (not Ansible at all: a load error with a did-you-mean)
// from valid Ansible that tend does not implement yet (a load warning; the
// task fails only on a host that reaches it).
//
// The tables come from the Ansible this repository is checked against:
// Debian's ansible-core 2.14 and the collections of its ansible 7 package.
// gen/gen.py reads them through Ansible's own code (module documentation with
// doc fragments merged, ansible-core's and each collection's plugin routing,
// the playbook classes' keyword attributes, the filter and test maps of the
// plugin files) and writes names.txt.gz, which is embedded and committed: tests
// and CI need neither Ansible nor a network. Regenerate with
//
//	cd internal/ansiblenames && /usr/bin/python3 gen/gen.py | gzip -9n > names.txt.gz
//
// Names resolve as ansible-playbook resolves them without a collections:
// keyword. A short name or ansible.builtin.X or ansible.legacy.X is
// ansible-core's, including its plugin_routing redirects (short sysctl is
// ansible.posix.sysctl); any other name must be a full collection name, and a
// collection's meta/runtime.yml redirects count. A redirect that reaches a
// tombstone or a collection that is not installed is not valid, as it is not
// for ansible-playbook.
//
// Module arguments are the documented options and their aliases. Two modules
// document their argument names as a shape, not a list (set_fact, add_host):
// they accept any name. package and service pass every argument on to a
// backend module chosen per host (Module.Backends).
//
// Deliberately absent: action plugins that have no module documentation
// (network base classes such as ansible.netcommon.network, and
// ansible.builtin.normal), suboptions, argument types and choices,
// and plugin kinds other than modules, filters, tests and lookups.
//
// The table is parsed once, on first use, into maps.
package ansiblenames
