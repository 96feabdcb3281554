package modules

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"tend/internal/shlex"
)

// This file is the python "distro" library (1.8, Debian 12's
// python3-distro) as far as Ansible's distribution guess uses it: id,
// version and codename from os-release, lsb_release and the
// distro-specific release file.

// osReleaseFile returns the os-release distro reads: /etc's, else
// /usr/lib's.
func osReleaseFile(r *factsRaw) (string, string, bool) {
	if s, ok := r.files["/etc/os-release"]; ok {
		return "/etc/os-release", s, true
	}
	if s, ok := r.files["/usr/lib/os-release"]; ok {
		return "/usr/lib/os-release", s, true
	}
	return "/etc/os-release", "", false
}

// parseOSRelease reads os-release as distro does (shlex, POSIX rules):
// keys lower-cased, codename taken from VERSION_CODENAME, else
// UBUNTU_CODENAME, else "(name)" or ", name" in VERSION.
func parseOSRelease(s string) map[string]string {
	props := map[string]string{}
	for _, tok := range osReleaseWords(s) {
		if k, v, ok := strings.Cut(tok, "="); ok {
			props[strings.ToLower(k)] = v
		}
	}
	if v, ok := props["version"]; ok {
		if m := osReleaseCodenameRE.FindStringSubmatch(v); m != nil {
			c := m[1]
			if c == "" {
				c = m[2]
			}
			props["codename"], props["release_codename"] = c, c
		}
	}
	if v, ok := props["version_codename"]; ok {
		props["codename"] = v
	} else if v, ok := props["ubuntu_codename"]; ok {
		props["codename"] = v
	}
	return props
}

var osReleaseCodenameRE = regexp.MustCompile(`\((\D+)\)|,\s*(\D+)`)

// osReleaseWords splits os-release text as distro does (shlex in POSIX
// mode, # comments). An unclosed quote or trailing backslash makes shlex
// raise and distro read nothing; tend keeps the words before it.
func osReleaseWords(s string) []string {
	toks, _ := shlex.Lex(s, true)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.Text
	}
	return words
}

// lsbInfo is what `lsb_release -a` prints, keyed as distro and Ansible
// read it (distributor_id, description, release, codename), when the
// host has lsb_release. Debian 12's lsb_release (lsb-release-minimal) is
// a shell script over os-release; tend derives the same from os-release
// rather than start it (it costs a dozen processes), then lets
// /etc/lsb-release's DISTRIB_* lines win, as the older Python
// lsb_release (Ubuntu, Debian 11) reads that file first.
func lsbInfo(r *factsRaw) map[string]string {
	if !r.have["lsb_release"] && !r.sbin["lsb_release"] {
		return nil
	}
	_, s, _ := osReleaseFile(r)
	os := map[string]string{}
	for _, tok := range osReleaseWords(s) {
		if k, v, ok := strings.Cut(tok, "="); ok {
			os[k] = v
		}
	}
	id := os["ID"]
	if id != "" {
		id = strings.ToUpper(id[:1]) + id[1:]
	}
	if name, ok := os["NAME"]; ok && strings.EqualFold(name, id) {
		id = name
	}
	na := func(v string) string {
		if v == "" {
			return "n/a"
		}
		return v
	}
	info := map[string]string{
		"distributor_id": na(id), "description": na(os["PRETTY_NAME"]),
		"release": na(os["VERSION_ID"]), "codename": na(os["VERSION_CODENAME"]),
	}
	if s, ok := r.files["/etc/lsb-release"]; ok {
		for _, l := range strings.Split(s, "\n") {
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				continue
			}
			v = strings.Trim(strings.TrimSpace(v), `"'`)
			switch strings.TrimSpace(k) {
			case "DISTRIB_ID":
				info["distributor_id"] = v
			case "DISTRIB_DESCRIPTION":
				info["description"] = v
			case "DISTRIB_RELEASE":
				info["release"] = v
			case "DISTRIB_CODENAME":
				info["codename"] = v
			}
		}
	}
	return info
}

// distro is the library's view of the host.
type distro struct {
	os, lsb, rel map[string]string
	debVersion   string
}

func newDistro(r *factsRaw) *distro {
	_, s, _ := osReleaseFile(r)
	d := &distro{os: parseOSRelease(s), lsb: lsbInfo(r), rel: distroReleaseInfo(r)}
	if v, ok := r.files["/etc/debian_version"]; ok {
		d.debVersion, _, _ = strings.Cut(v, "\n")
		d.debVersion = strings.TrimRight(d.debVersion, " \t\r")
	}
	return d
}

var normalizedOSID = map[string]string{"ol": "oracle", "opensuse-leap": "opensuse"}
var normalizedLSBID = map[string]string{
	"enterpriseenterpriseas": "oracle", "enterpriseenterpriseserver": "oracle",
	"redhatenterpriseworkstation": "rhel", "redhatenterpriseserver": "rhel", "redhatenterprisecomputenode": "rhel",
}
var normalizedDistroID = map[string]string{"redhat": "rhel"}

func (d *distro) id() string {
	norm := func(id string, table map[string]string) string {
		id = strings.ReplaceAll(strings.ToLower(id), " ", "_")
		if n, ok := table[id]; ok {
			return n
		}
		return id
	}
	if id := d.os["id"]; id != "" {
		return norm(id, normalizedOSID)
	}
	if id := d.lsb["distributor_id"]; id != "" {
		return norm(id, normalizedLSBID)
	}
	if id := d.rel["id"]; id != "" {
		return norm(id, normalizedDistroID)
	}
	return ""
}

func (d *distro) version(best bool) string {
	versions := []string{
		d.os["version_id"], d.lsb["release"], d.rel["version_id"],
		parseDistroReleaseContent(d.os["pretty_name"])["version_id"],
		parseDistroReleaseContent(d.lsb["description"])["version_id"],
	}
	if d.id() == "debian" || containsWord(d.os["id_like"], "debian") {
		versions = append(versions, d.debVersion)
	}
	version := ""
	for _, v := range versions {
		if best {
			if strings.Count(v, ".") > strings.Count(version, ".") || version == "" {
				version = v
			}
		} else if v != "" {
			return v
		}
	}
	return version
}

func (d *distro) codename() string {
	if c, ok := d.os["codename"]; ok {
		return c
	}
	if c := d.lsb["codename"]; c != "" {
		return c
	}
	return d.rel["codename"]
}

func containsWord(s, w string) bool {
	for _, x := range strings.Fields(s) {
		if x == w {
			return true
		}
	}
	return false
}

// distroReleaseIgnore are the /etc/*-release and *_version files distro
// never takes for the distro's own.
var distroReleaseIgnore = map[string]bool{
	"debian_version": true, "lsb-release": true, "oem-release": true, "os-release": true,
	"system-release": true, "plesk-release": true, "iredmail-release": true,
}

var distroReleaseBasename = regexp.MustCompile(`^(\w+)[-_](release|version)$`)

// distroReleaseInfo reads the first /etc/*-release or *_version file (by
// name) whose first line names a distro.
func distroReleaseInfo(r *factsRaw) map[string]string {
	var names []string
	for p := range r.files {
		if path.Dir(p) == "/etc" {
			names = append(names, path.Base(p))
		}
	}
	sort.Strings(names)
	for _, b := range names {
		m := distroReleaseBasename.FindStringSubmatch(b)
		if m == nil || distroReleaseIgnore[b] {
			continue
		}
		first, _, _ := strings.Cut(r.files["/etc/"+b], "\n")
		info := parseDistroReleaseContent(first)
		if _, ok := info["name"]; !ok {
			continue
		}
		info["id"] = m[1]
		if strings.Contains(strings.ToLower(info["name"]), "cloudlinux") {
			info["id"] = "cloudlinux"
		}
		return info
	}
	return map[string]string{}
}

// distroReleaseContentRE matches a release line reversed, as distro does
// ("CentOS Linux release 7.9.2009 (Core)").
var distroReleaseContentRE = regexp.MustCompile(`^(?:[^)]*\)(.*)\()? *(?:STL )?([\d.+\-a-z]*\d) *(?:esaeler *)?(.+)`)

func parseDistroReleaseContent(line string) map[string]string {
	info := map[string]string{}
	rev := reverse(strings.TrimSpace(line))
	if m := distroReleaseContentRE.FindStringSubmatch(rev); m != nil {
		info["name"] = reverse(m[3])
		if m[2] != "" {
			info["version_id"] = reverse(m[2])
		}
		if m[1] != "" {
			info["codename"] = reverse(m[1])
		}
	} else if line != "" {
		info["name"] = strings.TrimSpace(line)
	}
	return info
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
