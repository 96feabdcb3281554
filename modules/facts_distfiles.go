package modules

import (
	"regexp"
	"strings"
)

// The parsers of Ansible's DistributionFiles that Linux reaches.

func reGroup(re *regexp.Regexp, s string, n int) (string, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil || n >= len(m) {
		return "", false
	}
	return m[n], true
}

var (
	reVersionIDQuoted   = regexp.MustCompile(`VERSION_ID="(.*)"`)
	reDistribRelease    = regexp.MustCompile(`DISTRIB_RELEASE="(.*)"`)
	reDistribCodename   = regexp.MustCompile(`DISTRIB_CODENAME="(.*)"`)
	reDebianRelease     = regexp.MustCompile(`PRETTY_NAME=[^(]+ \(?([^)]+?)\)`)
	reDebianMinor       = regexp.MustCompile(`(\d+)\.(\d+)`)
	reDevuanRelease     = regexp.MustCompile(`PRETTY_NAME="?[^("]+ \(?([^) "]+)\)?`)
	reVersionIDAny      = regexp.MustCompile(`VERSION_ID=(.*)`)
	reVersionQuoted     = regexp.MustCompile(`VERSION="(.*)"`)
	reVersionCodename   = regexp.MustCompile(`VERSION_CODENAME="?([^"]+)"?`)
	reDistribReleaseAny = regexp.MustCompile(`DISTRIB_RELEASE=(.*)`)
	reSlackware         = regexp.MustCompile(`\w+[.]\w+\+?`)
	reSuseName          = regexp.MustCompile(`^NAME=(.*)`)
	reSuseVersion       = regexp.MustCompile(`^VERSION_ID="?([0-9]+\.?[0-9]*)"?`)
	reSuseRelease       = regexp.MustCompile(`^VERSION_ID="?[0-9]+\.?([0-9]*)"?`)
	reNAVersion         = regexp.MustCompile(`^VERSION=(.*)`)
	reCoreosGroup       = regexp.MustCompile(`(?m)^GROUP=(.*)`)
	reFlatcarVersion    = regexp.MustCompile(`VERSION=(.*)`)
	reClearName         = regexp.MustCompile(`NAME="(.*)"`)
	reClearID           = regexp.MustCompile(`ID=(.*)`)
)

// parseDistFile is DistributionFiles._parse_dist_file and the
// parse_distribution_file_* methods Linux reaches.
func parseDistFile(r *factsRaw, d *distro, name, data, path string, facts map[string]any) (bool, map[string]any) {
	out := map[string]any{}
	if s, ok := distSearchString[name]; ok {
		if strings.Contains(data, s) {
			out["distribution"] = name
			out["distribution_file_search_string"] = s
		} else if w := strings.Fields(data); len(w) > 0 {
			out["distribution"] = w[0]
		}
		return true, out
	}
	if name == "Archlinux" {
		if strings.Contains(data, "Arch Linux") {
			out["distribution"] = name
			return true, out
		}
		return false, out
	}
	switch name {
	case "Slackware":
		if !strings.Contains(data, "Slackware") {
			return false, out
		}
		out["distribution"] = name
		if v := reSlackware.FindString(data); v != "" {
			out["distribution_version"] = v
		}
	case "Amazon":
		if !strings.Contains(data, "Amazon") {
			return false, out
		}
		out["distribution"] = "Amazon"
		if path == "/etc/os-release" {
			if v, ok := reGroup(reVersionIDQuoted, data, 1); ok {
				out["distribution_version"] = v
				parts := strings.Split(v, ".")
				// Python unpacks exactly two parts; more raises, which
				// Ansible does not catch: tend keeps the first two.
				major, minor := parts[0], "NA"
				if len(parts) > 1 {
					minor = parts[1]
				}
				out["distribution_major_version"], out["distribution_minor_version"] = major, minor
			}
		} else {
			version := "NA"
			for _, w := range strings.Fields(data) {
				if isDigits(w) {
					version = w
					break
				}
			}
			out["distribution_version"] = version
		}
	case "OpenWrt":
		if !strings.Contains(data, "OpenWrt") {
			return false, out
		}
		out["distribution"] = name
		if v, ok := reGroup(reDistribRelease, data, 1); ok {
			out["distribution_version"] = v
		}
		if v, ok := reGroup(reDistribCodename, data, 1); ok {
			out["distribution_release"] = v
		}
	case "Alpine":
		out["distribution"], out["distribution_version"] = "Alpine", data
	case "SUSE":
		return parseSuse(r, data, path, facts)
	case "Debian":
		return parseDebian(r, data, path, facts)
	case "Mandriva":
		if !strings.Contains(data, "Mandriva") {
			return false, out
		}
		out["distribution"] = name
		if v, ok := reGroup(reDistribRelease, data, 1); ok {
			out["distribution_version"] = v
		}
		if v, ok := reGroup(reDistribCodename, data, 1); ok {
			out["distribution_release"] = v
		}
	case "NA":
		for _, l := range strings.Split(data, "\n") {
			if m := reSuseName.FindStringSubmatch(l); m != nil {
				out["distribution"] = strings.Trim(m[1], `"`)
			}
			if m := reNAVersion.FindStringSubmatch(l); m != nil && facts["distribution_version"] == "NA" {
				out["distribution_version"] = strings.Trim(m[1], `"`)
			}
		}
	case "Coreos":
		if strings.ToLower(d.id()) != "coreos" || data == "" {
			return false, out
		}
		if v, ok := reGroup(reCoreosGroup, data, 1); ok {
			out["distribution_release"] = strings.Trim(v, `"`)
		}
	case "Flatcar":
		if strings.ToLower(d.id()) != "flatcar" || data == "" {
			return false, out
		}
		if v, ok := reGroup(reFlatcarVersion, data, 1); ok {
			v = strings.Trim(v, `"`)
			major, _, _ := strings.Cut(v, ".")
			out["distribution_major_version"], out["distribution_version"] = major, v
		}
	case "ClearLinux":
		// Ansible compares the entry's name, "ClearLinux", with
		// "clearlinux" in lower case: this parser always matches.
		if v, ok := reGroup(reClearName, data, 1); ok {
			if !strings.Contains(v, "Clear Linux") {
				return false, out
			}
			out["distribution"] = v
		}
		if v, ok := reGroup(reVersionIDAny, data, 1); ok {
			out["distribution_major_version"], out["distribution_version"] = v, v
		}
		if v, ok := reGroup(reClearID, data, 1); ok {
			out["distribution_release"] = v
		}
	case "CentOS":
		if strings.Contains(data, "CentOS Stream") {
			out["distribution_release"] = "Stream"
			return true, out
		}
		if strings.Contains(data, "TencentOS Server") {
			out["distribution"] = "TencentOS"
			return true, out
		}
		return false, out
	default:
		// Ansible has no parser for it (Gentoo, VMwareESX...): not parsed.
		return false, out
	}
	return true, out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseDebian(r *factsRaw, data, path string, facts map[string]any) (bool, map[string]any) {
	out := map[string]any{}
	setVersion := func(major bool) {
		if v, ok := reGroup(reVersionIDQuoted, data, 1); ok {
			out["distribution_version"] = v
			m := v
			if major {
				m, _, _ = strings.Cut(v, ".")
			}
			out["distribution_major_version"] = m
		}
	}
	switch {
	case strings.Contains(data, "Debian") || strings.Contains(data, "Raspbian"):
		out["distribution"] = "Debian"
		if v, ok := reGroup(reDebianRelease, data, 1); ok {
			out["distribution_release"] = v
		}
		// Ansible asks dpkg (tzdata's Provides) when nothing named the
		// release; tend leaves "NA", which only Debian testing shows.
		if dv, ok := r.files["/etc/debian_version"]; ok {
			for _, l := range strings.Split(dv, "\n") {
				if m := reDebianMinor.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
					out["distribution_minor_version"] = m[2]
				}
			}
		}
	case strings.Contains(data, "Ubuntu"):
		out["distribution"] = "Ubuntu"
	case strings.Contains(data, "SteamOS"):
		out["distribution"] = "SteamOS"
	case (path == "/etc/lsb-release" || path == "/etc/os-release") && (strings.Contains(data, "Kali") || strings.Contains(data, "Parrot")):
		out["distribution"] = "Parrot"
		if strings.Contains(data, "Kali") {
			out["distribution"] = "Kali"
		}
		if v, ok := reGroup(reDistribReleaseAny, data, 1); ok {
			out["distribution_release"] = v
		}
	case strings.Contains(data, "Devuan"):
		out["distribution"] = "Devuan"
		if v, ok := reGroup(reDevuanRelease, data, 1); ok {
			out["distribution_release"] = v
		}
		setVersion(false)
	case strings.Contains(data, "Cumulus"):
		out["distribution"] = "Cumulus Linux"
		if v, ok := reGroup(reVersionIDAny, data, 1); ok {
			if parts := strings.Split(v, "."); len(parts) == 3 {
				out["distribution_version"], out["distribution_major_version"] = v, parts[0]
			}
		}
		if v, ok := reGroup(reVersionQuoted, data, 1); ok {
			out["distribution_release"] = v
		}
	case strings.Contains(data, "Mint"):
		out["distribution"] = "Linux Mint"
		setVersion(true)
	case strings.Contains(data, "UOS") || strings.Contains(data, "Uos") || strings.Contains(data, "uos"):
		out["distribution"] = "Uos"
		if v, ok := reGroup(reVersionCodename, data, 1); ok {
			out["distribution_release"] = v
		}
		setVersion(true)
	case strings.Contains(data, "Deepin") || strings.Contains(data, "deepin"):
		out["distribution"] = "Deepin"
		if v, ok := reGroup(reVersionCodename, data, 1); ok {
			out["distribution_release"] = v
		}
		setVersion(true)
	default:
		return false, out
	}
	return true, out
}

func parseSuse(r *factsRaw, data, path string, facts map[string]any) (bool, map[string]any) {
	out := map[string]any{}
	lower := strings.ToLower(data)
	if !strings.Contains(lower, "suse") {
		return false, out
	}
	switch path {
	case "/etc/os-release":
		for _, l := range strings.Split(data, "\n") {
			if m := reSuseName.FindStringSubmatch(l); m != nil {
				out["distribution"] = strings.Trim(m[1], `"`)
			}
			if m := reSuseVersion.FindStringSubmatch(l); m != nil {
				major, _, _ := strings.Cut(m[1], ".")
				out["distribution_version"], out["distribution_major_version"] = m[1], major
			}
			if strings.Contains(lower, "open") {
				if m := reSuseRelease.FindStringSubmatch(l); m != nil {
					out["distribution_release"] = m[1]
				}
			} else if strings.Contains(lower, "enterprise") && strings.Contains(l, "VERSION_ID") {
				if m := reSuseRelease.FindStringSubmatch(l); m != nil {
					rel := m[1]
					if rel == "" {
						rel = "0"
					}
					out["distribution_release"] = rel
				}
			}
		}
	case "/etc/SuSE-release":
		lines := strings.Split(data, "\n")
		if strings.Contains(lower, "open") {
			if w := strings.Fields(lines[0]); len(w) > 0 {
				out["distribution"] = w[0]
			}
			re := regexp.MustCompile(`CODENAME *= *([^\n]+)`)
			for _, l := range lines {
				if m := re.FindStringSubmatch(l); m != nil {
					out["distribution_release"] = strings.TrimSpace(m[1])
				}
			}
		} else if strings.Contains(lower, "enterprise") {
			if strings.Contains(data, "Server") {
				out["distribution"] = "SLES"
			} else if strings.Contains(data, "Desktop") {
				out["distribution"] = "SLED"
			}
			re := regexp.MustCompile(`PATCHLEVEL = ([0-9]+)`)
			for _, l := range lines {
				if m := re.FindStringSubmatch(l); m != nil {
					out["distribution_release"] = m[1]
					out["distribution_version"] = toStr(facts["distribution_version"]) + "." + m[1]
				}
			}
		}
	}
	return true, out
}

func toStr(v any) string {
	s, _ := v.(string)
	return s
}
