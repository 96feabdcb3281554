// Package inventory reads Ansible-style inventories (INI and YAML, with
// host_vars/ and group_vars/ beside them), merges host variables in Ansible's
// order, and resolves host patterns such as "web:&prod:!web03".
package inventory
