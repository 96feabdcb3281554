package modules

import (
	"regexp"
	"sort"
	"strings"
)

var (
	reCgroupDocker = regexp.MustCompile(`/docker(/|-[0-9a-f]+\.scope)`)
	reVxID         = regexp.MustCompile(`^VxID:\s+\d+`)
	reVxID0        = regexp.MustCompile(`^VxID:\s+0`)
	reQemuPSeries  = regexp.MustCompile(`^machine.*CHRP IBM pSeries .emulated by qemu.`)
)

// virtualFacts is LinuxVirtual.get_virtual_facts: the first technology
// found sets virtualization_type and _role, every one found lands in
// virtualization_tech_guest or _host. Ansible also asks dmidecode for the
// product name; tend reads the same name from sysfs.
func virtualFacts(r *factsRaw, f map[string]any) {
	guest, host := map[string]bool{}, map[string]bool{}
	found := false
	typ, role := "", ""
	setGuest := func(tech, t string, withRole bool) {
		guest[tech] = true
		if !found {
			typ = t
			if withRole {
				role = "guest"
			}
			found = true
		}
	}
	for _, l := range strings.Split(r.files["/proc/1/cgroup"], "\n") {
		if reCgroupDocker.MatchString(l) {
			setGuest("docker", "docker", true)
		}
		if strings.Contains(l, "/lxc/") || strings.Contains(l, "/machine.slice/machine-lxc") {
			setGuest("lxc", "lxc", true)
		}
		if strings.Contains(l, "/system.slice/containerd.service") {
			setGuest("containerd", "containerd", true)
		}
	}
	for _, l := range strings.Split(r.files["/proc/1/environ"], "\x00") {
		if strings.Contains(l, "container=lxc") {
			setGuest("lxc", "lxc", true)
		}
		if strings.Contains(l, "container=podman") {
			setGuest("podman", "podman", true)
		}
		if strings.HasPrefix(l, "container=") && len(l) > len("container=") && l[len("container=")] != '\n' {
			setGuest("container", "container", true)
		}
	}
	if r.exists["/proc/vz"] && !r.exists["/proc/lve"] {
		typ = "openvz"
		if r.exists["/proc/bc"] {
			host["openvz"] = true
			if !found {
				role = "host"
			}
		} else {
			guest["openvz"] = true
			if !found {
				role = "guest"
			}
		}
		found = true
	}
	sc, hasSC := r.file("/run/systemd/container")
	if hasSC {
		setGuest(sc, sc, true)
	}
	if r.exists["/.dockerenv"] || r.exists["/.dockerinit"] {
		setGuest("docker", "docker", true)
	}
	if guest["docker"] || guest["lxc"] || guest["podman"] || guest["openvz"] || guest["containerd"] || hasSC {
		guest["container"] = true
	}
	if r.exists["/proc/xen"] {
		xenHost := strings.Contains(r.files["/proc/xen/capabilities"], "control_d")
		if xenHost {
			host["xen"] = true
		}
		if !found {
			typ, role = "xen", "guest"
			if xenHost {
				role = "host"
			}
		}
		found = true
	}
	if !found {
		role = "guest"
	}
	product, _ := r.file("/sys/devices/virtual/dmi/id/product_name")
	vendor, _ := r.file("/sys/devices/virtual/dmi/id/sys_vendor")
	family, _ := r.file("/sys/devices/virtual/dmi/id/product_family")
	bios, _ := r.file("/sys/devices/virtual/dmi/id/bios_vendor")
	dmi := func(cond bool, tech string) {
		if cond {
			guest[tech] = true
			if !found {
				typ, found = tech, true
			}
		}
	}
	dmi(product == "KVM" || product == "KVM Server" || product == "Bochs" || product == "AHV", "kvm")
	dmi(vendor == "oVirt", "oVirt")
	dmi(vendor == "Red Hat" && family == "RHV", "RHV")
	dmi(vendor == "Red Hat" && family != "RHV" && product == "RHEV Hypervisor", "RHEV")
	dmi(product == "VMware Virtual Platform" || product == "VMware7,1", "VMware")
	dmi(product == "OpenStack Compute" || product == "OpenStack Nova", "openstack")
	dmi(bios == "Xen", "xen")
	dmi(bios == "innotek GmbH", "virtualbox")
	dmi(bios == "Amazon EC2" || bios == "DigitalOcean" || bios == "Hetzner", "kvm")
	switch vendor {
	case "QEMU", "Amazon EC2", "DigitalOcean", "Google", "Scaleway", "Nutanix":
		dmi(true, "kvm")
	}
	dmi(vendor == "KubeVirt", "KubeVirt")
	dmi(vendor == "Microsoft Corporation", "VirtualPC")
	dmi(vendor == "Parallels Software International Inc.", "parallels")
	dmi(vendor == "OpenStack Foundation", "openstack")
	if !found {
		role = ""
	}
	for _, l := range strings.Split(r.files["/proc/self/status"], "\n") {
		if reVxID.MatchString(l) {
			if !found {
				typ = "linux_vserver"
			}
			if reVxID0.MatchString(l) {
				host["linux_vserver"] = true
				if !found {
					role = "host"
				}
			} else {
				guest["linux_vserver"] = true
				if !found {
					role = "guest"
				}
			}
			found = true
		}
	}
	for _, l := range strings.Split(r.files["/proc/cpuinfo"], "\n") {
		tech := ""
		switch {
		case strings.HasPrefix(l, "model name") && strings.Contains(l, "QEMU Virtual CPU"):
			tech = "kvm"
		case strings.HasPrefix(l, "vendor_id") && strings.Contains(l, "User Mode Linux"),
			strings.HasPrefix(l, "model name") && strings.Contains(l, "UML"):
			tech = "uml"
		case reQemuPSeries.MatchString(l):
			tech = "kvm"
		case strings.HasPrefix(l, "vendor_id") && strings.Contains(l, "PowerVM Lx86"):
			tech = "powervm_lx86"
		case strings.HasPrefix(l, "vendor_id") && strings.Contains(l, "IBM/S390"):
			// Ansible asks lscpu for the hypervisor; tend reports the
			// machine as Ansible does without lscpu.
			tech = "ibm_systemz"
		default:
			continue
		}
		guest[tech] = true
		if !found {
			typ, role, found = tech, "guest", true
		}
	}
	modules := map[string]bool{}
	for _, l := range strings.Split(r.files["/proc/modules"], "\n") {
		name, _, _ := strings.Cut(l, " ")
		modules[name] = true
	}
	if modules["kvm"] {
		host["kvm"] = true
		if !found {
			typ, role = "kvm", "host"
		}
		found = true
	}
	if modules["vboxdrv"] {
		host["virtualbox"] = true
		if !found {
			typ, role, found = "virtualbox", "host", true
		}
	}
	if modules["virtio"] {
		host["kvm"] = true
		if !found {
			typ, role, found = "kvm", "guest", true
		}
	}
	if strings.HasPrefix(product, "VMware") {
		guest["VMware"] = true
		if !found {
			typ, role, found = "VMware", "guest", true
		}
	}
	if strings.Contains(product, "BHYVE") {
		guest["bhyve"] = true
		if !found {
			typ, role, found = "bhyve", "guest", true
		}
	}
	if r.exists["/dev/kvm"] {
		host["kvm"] = true
		if !found {
			typ, role, found = "kvm", "host", true
		}
	}
	if !found {
		typ, role = "NA", "NA"
	}
	f["virtualization_type"] = typ
	if role != "" {
		f["virtualization_role"] = role
	}
	f["virtualization_tech_guest"] = sortedKeys(guest)
	f["virtualization_tech_host"] = sortedKeys(host)
}

func sortedKeys(m map[string]bool) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}
