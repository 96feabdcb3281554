package modules

import (
	"strings"
)

// distributionFacts are Ansible's distribution collector on Linux: a guess
// from the distro library, then the first of Ansible's distribution files
// (OSDIST_LIST, in its order) whose parser recognises its content.
func distributionFacts(r *factsRaw, f map[string]any) {
	if f["system"] != "Linux" {
		f["distribution"], f["distribution_release"], f["distribution_version"] = f["system"], f["kernel"], f["kernel_version"]
		f["os_family"] = f["system"]
		return
	}
	d := newDistro(r)
	dist := strings.ToUpper(firstRune(d.id())) + strings.ToLower(restRunes(d.id()))
	switch dist {
	case "Amzn":
		dist = "Amazon"
	case "Rhel":
		dist = "Redhat"
	case "":
		dist = "OtherLinux"
	}
	version := d.version(false)
	if id := d.id(); id == "debian" {
		version = d.version(true)
	} else if id == "centos" {
		parts := strings.Split(d.version(true), ".")
		version = strings.Join(parts[:min(2, len(parts))], ".")
	}
	if version == "" {
		version = "NA"
	}
	release := d.codenameForAnsible()
	if release == "" {
		release = "NA"
	}
	major, _, _ := strings.Cut(version, ".")
	if major == "" {
		major = "NA"
	}
	facts := map[string]any{
		"distribution": dist, "distribution_version": version,
		"distribution_release": release, "distribution_major_version": major,
	}
	for _, e := range osdistList {
		content, ok := r.files[e.path]
		if !ok || (!e.allowEmpty && content == "") {
			continue
		}
		if e.allowEmpty {
			facts["distribution"], facts["distribution_file_path"], facts["distribution_file_variety"] = e.name, e.path, e.name
			break
		}
		parsed, more := parseDistFile(r, d, e.name, strings.Trim(strings.TrimSpace(content), `'"\`), e.path, facts)
		if parsed {
			facts["distribution"], facts["distribution_file_path"], facts["distribution_file_variety"] = e.name, e.path, e.name
			facts["distribution_file_parsed"] = true
			for k, v := range more {
				facts[k] = v
			}
			break
		}
	}
	for k, v := range facts {
		f[k] = v
	}
	name, _ := facts["distribution"].(string)
	if fam := osFamily[name]; fam != "" {
		f["os_family"] = fam
	} else {
		f["os_family"] = name
	}
}

// codenameForAnsible is sys_info.get_distribution_codename: os-release's
// VERSION_CODENAME, else UBUNTU_CODENAME, else (Ubuntu) lsb_release's,
// else the library's codename.
func (d *distro) codenameForAnsible() string {
	if c, ok := d.os["version_codename"]; ok {
		return c
	}
	if c, ok := d.os["ubuntu_codename"]; ok {
		return c
	}
	if d.id() == "ubuntu" && d.lsb["codename"] != "" {
		return d.lsb["codename"]
	}
	return d.codename()
}

func firstRune(s string) string {
	for _, c := range s {
		return string(c)
	}
	return ""
}

func restRunes(s string) string {
	for i := range s {
		if i > 0 {
			return s[i:]
		}
	}
	return ""
}

type osdist struct {
	path, name string
	allowEmpty bool
}

// osdistList is Ansible's DistributionFiles.OSDIST_LIST.
var osdistList = []osdist{
	{"/etc/altlinux-release", "Altlinux", false}, {"/etc/oracle-release", "OracleLinux", false},
	{"/etc/slackware-version", "Slackware", false}, {"/etc/centos-release", "CentOS", false},
	{"/etc/redhat-release", "RedHat", false}, {"/etc/vmware-release", "VMwareESX", true},
	{"/etc/openwrt_release", "OpenWrt", false}, {"/etc/os-release", "Amazon", false},
	{"/etc/system-release", "Amazon", false}, {"/etc/alpine-release", "Alpine", false},
	{"/etc/arch-release", "Archlinux", true}, {"/etc/os-release", "Archlinux", false},
	{"/etc/os-release", "SUSE", false}, {"/etc/SuSE-release", "SUSE", false},
	{"/etc/gentoo-release", "Gentoo", false}, {"/etc/os-release", "Debian", false},
	{"/etc/lsb-release", "Debian", false}, {"/etc/lsb-release", "Mandriva", false},
	{"/etc/sourcemage-release", "SMGL", false}, {"/usr/lib/os-release", "ClearLinux", false},
	{"/etc/coreos/update.conf", "Coreos", false}, {"/etc/os-release", "Flatcar", false},
	{"/etc/os-release", "NA", false},
}

var distSearchString = map[string]string{"OracleLinux": "Oracle Linux", "RedHat": "Red Hat", "Altlinux": "ALT", "SMGL": "Source Mage GNU/Linux"}

// osFamily is Ansible's Distribution.OS_FAMILY.
var osFamily = func() map[string]string {
	m := map[string][]string{
		"RedHat": {"RedHat", "RHEL", "Fedora", "CentOS", "Scientific", "SLC", "Ascendos", "CloudLinux", "PSBM",
			"OracleLinux", "OVS", "OEL", "Amazon", "Virtuozzo", "XenServer", "Alibaba", "EulerOS", "openEuler",
			"AlmaLinux", "Rocky", "TencentOS", "EuroLinux", "Kylin Linux Advanced Server"},
		"Debian": {"Debian", "Ubuntu", "Raspbian", "Neon", "KDE neon", "Linux Mint", "SteamOS", "Devuan", "Kali",
			"Cumulus Linux", "Pop!_OS", "Parrot", "Pardus GNU/Linux", "Uos", "Deepin", "OSMC"},
		"Suse":      {"SuSE", "SLES", "SLED", "openSUSE", "openSUSE Tumbleweed", "SLES_SAP", "SUSE_LINUX", "openSUSE Leap"},
		"Archlinux": {"Archlinux", "Antergos", "Manjaro"}, "Mandrake": {"Mandrake", "Mandriva"},
		"Solaris": {"Solaris", "Nexenta", "OmniOS", "OpenIndiana", "SmartOS"}, "Slackware": {"Slackware"},
		"Altlinux": {"Altlinux"}, "SGML": {"SGML"}, "Gentoo": {"Gentoo", "Funtoo"}, "Alpine": {"Alpine"},
		"AIX": {"AIX"}, "HP-UX": {"HPUX"}, "Darwin": {"MacOSX"}, "FreeBSD": {"FreeBSD", "TrueOS"},
		"ClearLinux": {"Clear Linux OS", "Clear Linux Mix"},
		"DragonFly":  {"DragonflyBSD", "DragonFlyBSD", "Gentoo/DragonflyBSD", "Gentoo/DragonFlyBSD"}, "NetBSD": {"NetBSD"},
	}
	out := map[string]string{}
	for fam, names := range m {
		for _, n := range names {
			out[n] = fam
		}
	}
	return out
}()
