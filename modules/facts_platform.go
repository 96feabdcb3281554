package modules

import (
	"strings"
)

// platformFacts are Ansible's platform collector: uname's fields (read
// from /proc/sys/kernel, as uname(2) gives them), the fqdn and domain,
// userspace bits and machine-id.
func platformFacts(r *factsRaw, f map[string]any) {
	system, _ := r.file("/proc/sys/kernel/ostype")
	node, _ := r.file("/proc/sys/kernel/hostname")
	release, _ := r.file("/proc/sys/kernel/osrelease")
	version, _ := r.file("/proc/sys/kernel/version")
	machine, ok := r.file("/proc/sys/kernel/arch")
	if !ok {
		machine, _ = r.line("machine")
		machine = strings.TrimSpace(machine)
	}
	f["system"], f["kernel"], f["kernel_version"], f["machine"], f["nodename"] = system, release, version, machine, node
	host, _, _ := strings.Cut(node, ".")
	f["hostname"] = host
	// Python's socket.getfqdn asks the resolver, as hostname -f does; with
	// no answer both fall back to the node name.
	fqdn, _ := r.line("fqdn")
	if fqdn = strings.TrimSpace(fqdn); fqdn == "" {
		fqdn = node
	}
	f["fqdn"] = fqdn
	_, domain, _ := strings.Cut(fqdn, ".")
	f["domain"] = domain
	f["architecture"] = machine
	bits := pythonBits(r)
	if bits == "" {
		// No python3 to ask: the kernel's word size is the usual answer.
		bits = "32"
		if strings.Contains(machine, "64") || machine == "s390x" {
			bits = "64"
		}
	}
	f["userspace_bits"] = bits
	if machine == "x86_64" {
		switch bits {
		case "64":
			f["userspace_architecture"] = "x86_64"
		case "32":
			f["userspace_architecture"] = "i386"
		}
	}
	id, ok := r.file("/var/lib/dbus/machine-id")
	if !ok {
		id, ok = r.file("/etc/machine-id")
	}
	if ok {
		first, _, _ := strings.Cut(id, "\n")
		f["machine_id"] = first
	}
	if py := pythonFact(r); py != nil {
		f["python"] = py
		f["python_version"] = py["version_string"]
		delete(py, "version_string")
	}
}

// pythonFields are python3's answer: executable, the five of
// sys.version_info, has_sslcontext (1/0), implementation name, pointer
// bits.
func pythonFields(r *factsRaw) []string {
	w := strings.Fields(r.python)
	if len(w) != 9 {
		return nil
	}
	return w
}

func pythonBits(r *factsRaw) string {
	if w := pythonFields(r); w != nil {
		return w[8]
	}
	return ""
}

// pythonFact is ansible_python for the host's python3 (Ansible reports
// the interpreter that ran its module; tend runs none, so this is the
// python3 on PATH, and nothing when there is none).
func pythonFact(r *factsRaw) map[string]any {
	w := pythonFields(r)
	if w == nil {
		return nil
	}
	major, ok1 := toInt(w[1])
	minor, ok2 := toInt(w[2])
	micro, ok3 := toInt(w[3])
	serial, ok4 := toInt(w[5])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil
	}
	return map[string]any{
		"executable":     w[0],
		"version":        map[string]any{"major": major, "minor": minor, "micro": micro, "releaselevel": w[4], "serial": serial},
		"version_info":   []any{major, minor, micro, w[4], serial},
		"has_sslcontext": w[6] == "1",
		"type":           w[7],
		"version_string": w[1] + "." + w[2] + "." + w[3],
	}
}
