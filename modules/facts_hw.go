package modules

import (
	"regexp"
	"strconv"
	"strings"
)

// hardwareFacts are Ansible's Linux hardware collector, as far as tend
// gathers it: processors, memory, uptime and mounts (not devices, DMI,
// LVM, nor the mounts' sizes and UUIDs, which need statvfs and lsblk).
func hardwareFacts(r *factsRaw, f map[string]any) {
	cpuFacts(r, f)
	memoryFacts(r, f)
	if s, ok := r.file("/proc/uptime"); ok {
		first, _, _ := strings.Cut(s, " ")
		if v, err := strconv.ParseFloat(first, 64); err == nil && v >= 0 && v < 1e15 {
			f["uptime_seconds"] = int(v)
		}
	}
	if m := mountFacts(r); m != nil {
		f["mounts"] = m
	}
}

// cpuFacts is LinuxHardware.get_cpu_facts, quirks included (a core id is
// counted only when it is not also a socket id, threads per core come from
// the first core's siblings).
func cpuFacts(r *factsRaw, f map[string]any) {
	info, ok := r.files["/proc/cpuinfo"]
	if !ok {
		return
	}
	xen := r.exists["/proc/xen"]
	if !xen {
		if t, ok := r.files["/sys/hypervisor/type"]; ok {
			first, _, _ := strings.Cut(t, "\n")
			xen = strings.TrimSpace(first) == "xen"
		}
	}
	xenParavirt := false
	var processor []any
	i, vendorIDs, modelNames, processors := 0, 0, 0, 0
	physid, coreid := "0", "0"
	var sockets, cores orderedCounts
	explicitCores := -1
	for _, line := range strings.Split(strings.TrimSpace(info), "\n") {
		k, v, _ := strings.Cut(line, ":")
		key, val := strings.TrimSpace(k), strings.TrimSpace(v)
		if xen && key == "flags" && !strings.Contains(val, "vme") {
			xenParavirt = true
		}
		switch key {
		case "model name", "Processor", "vendor_id", "cpu", "Vendor", "processor":
			processor = append(processor, val)
			switch key {
			case "vendor_id":
				vendorIDs++
			case "model name":
				modelNames++
			case "processor":
				processors++
			}
			i++
		case "physical id":
			physid = val
			if !sockets.has(physid) {
				sockets.set(physid, 1)
			}
		case "core id":
			coreid = val
			if !sockets.has(coreid) {
				cores.set(coreid, 1)
			}
		case "cpu cores":
			if n, err := strconv.Atoi(val); err == nil {
				sockets.set(physid, n)
			}
		case "siblings":
			if n, err := strconv.Atoi(val); err == nil {
				cores.set(coreid, n)
			}
		case "# processors":
			if n, err := strconv.Atoi(val); err == nil {
				explicitCores = n
			}
		case "ncpus active":
			if n, err := strconv.Atoi(val); err == nil {
				i = n
			}
		}
	}
	if processor == nil {
		processor = []any{}
	}
	f["processor"] = processor
	if explicitCores >= 0 {
		f["processor_cores"] = explicitCores
	}
	if vendorIDs > 0 && vendorIDs == modelNames {
		i = vendorIDs
	}
	arch, _ := f["architecture"].(string)
	if strings.HasPrefix(arch, "armv") || strings.HasPrefix(arch, "aarch") || strings.HasPrefix(arch, "ppc") {
		i = processors
	}
	if arch == "s390x" {
		return
	}
	if xenParavirt {
		f["processor_count"], f["processor_cores"], f["processor_threads_per_core"], f["processor_vcpus"] = i, i, 1, i
		return
	}
	count := i
	if len(sockets.keys) > 0 {
		count = len(sockets.keys)
	}
	coresPer := 1
	if len(sockets.keys) > 0 && sockets.vals[0] != 0 {
		coresPer = sockets.vals[0]
	}
	threads := 1 / coresPer
	if len(cores.keys) > 0 {
		threads = cores.vals[0] / coresPer
	}
	f["processor_count"], f["processor_cores"], f["processor_threads_per_core"] = count, coresPer, threads
	f["processor_vcpus"] = threads * count * coresPer
	f["processor_nproc"] = processors
	if n, ok := cpusAllowed(r); ok {
		f["processor_nproc"] = n
	}
}

// orderedCounts is a Python dict of str to int: insertion order kept.
type orderedCounts struct {
	keys []string
	vals []int
}

func (o *orderedCounts) has(k string) bool {
	for _, x := range o.keys {
		if x == k {
			return true
		}
	}
	return false
}

func (o *orderedCounts) set(k string, v int) {
	for i, x := range o.keys {
		if x == k {
			o.vals[i] = v
			return
		}
	}
	o.keys, o.vals = append(o.keys, k), append(o.vals, v)
}

// cpusAllowed counts Cpus_allowed_list of /proc/self/status (head's, which
// has the shell's affinity): os.sched_getaffinity(0) for Ansible.
func cpusAllowed(r *factsRaw) (int, bool) {
	v, ok := statusField(r, "Cpus_allowed_list")
	if !ok {
		return 0, false
	}
	n := 0
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || b < a || b-a > 1<<20 {
			return 0, false
		}
		n += b - a + 1
	}
	return n, n > 0
}

// statusField returns a field of /proc/self/status.
func statusField(r *factsRaw, name string) (string, bool) {
	for _, l := range strings.Split(r.files["/proc/self/status"], "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// memoryFacts is LinuxHardware.get_memory_facts: MiB, rounded down.
func memoryFacts(r *factsRaw, f map[string]any) {
	info, ok := r.files["/proc/meminfo"]
	if !ok {
		return
	}
	stats := map[string]int{}
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch k {
		case "MemTotal", "SwapTotal", "MemFree", "SwapFree", "Buffers", "Cached", "SwapCached":
			w := strings.Fields(v)
			if len(w) == 0 {
				continue
			}
			n, err := strconv.Atoi(w[0])
			if err != nil {
				continue
			}
			stats[strings.ToLower(k)] = n / 1024
			if k == "MemTotal" || k == "SwapTotal" || k == "MemFree" || k == "SwapFree" {
				f[strings.ToLower(k)+"_mb"] = n / 1024
			}
		}
	}
	get := func(k string) any {
		if v, ok := stats[k]; ok {
			return v
		}
		return nil
	}
	diff := func(a, b string) any {
		x, ok1 := stats[a]
		y, ok2 := stats[b]
		if !ok1 || !ok2 {
			return nil
		}
		return x - y
	}
	var nocacheFree, nocacheUsed any
	c, ok1 := stats["cached"]
	fr, ok2 := stats["memfree"]
	b, ok3 := stats["buffers"]
	if ok1 && ok2 && ok3 {
		nocacheFree = c + fr + b
		if t, ok := stats["memtotal"]; ok {
			nocacheUsed = t - (c + fr + b)
		}
	}
	f["memory_mb"] = map[string]any{
		"real":    map[string]any{"total": get("memtotal"), "used": diff("memtotal", "memfree"), "free": get("memfree")},
		"nocache": map[string]any{"free": nocacheFree, "used": nocacheUsed},
		"swap": map[string]any{"total": get("swaptotal"), "free": get("swapfree"),
			"used": diff("swaptotal", "swapfree"), "cached": get("swapcached")},
	}
}

var octalEscape = regexp.MustCompile(`\\[0-9]{3}`)

// mtabBindOption is Ansible's MTAB_BIND_MOUNT_RE, quote included: it
// almost never matches, so a bind mount almost always gets ",bind".
var mtabBindOption = regexp.MustCompile(`^.*bind.*"`)

func unescapeOctal(s string) string {
	return octalEscape.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseUint(m[1:], 8, 32)
		if err != nil {
			return m
		}
		return string(rune(n))
	})
}

// mountFacts is LinuxHardware.get_mount_facts without the sizes and UUIDs:
// /etc/mtab (else /proc/mounts), only devices that are paths or network
// shares, ",bind" for a mount findmnt would show with a [root] (tend reads
// the root field of /proc/self/mountinfo, which is where findmnt gets it).
func mountFacts(r *factsRaw) []any {
	mtab, ok := r.files["/etc/mtab"]
	if !r.exists["/etc/mtab"] {
		mtab, ok = r.files["/proc/mounts"]
	}
	if !ok {
		return []any{}
	}
	binds := map[string]bool{}
	if r.binPath("findmnt") {
		for _, l := range strings.Split(r.files["/proc/self/mountinfo"], "\n") {
			w := strings.Fields(l)
			if len(w) >= 5 && w[3] != "/" {
				binds[unescapeOctal(w[4])] = true
			}
		}
	}
	mounts := []any{}
	seen := map[string]int{}
	for _, l := range strings.Split(mtab, "\n") {
		w := strings.Fields(l)
		if len(w) < 4 {
			continue
		}
		for i := range w {
			w[i] = unescapeOctal(w[i])
		}
		device, mount, fstype, options := w[0], w[1], w[2], w[3]
		if (!strings.HasPrefix(device, "/") && !strings.HasPrefix(device, `\`) && !strings.Contains(device, ":/")) || fstype == "none" {
			continue
		}
		if binds[mount] && !mtabBindOption.MatchString(options) {
			options += ",bind"
		}
		m := map[string]any{"mount": mount, "device": device, "fstype": fstype, "options": options}
		// Ansible keys its results by mount point: a later mount on the
		// same point replaces the earlier one.
		if j, dup := seen[mount]; dup {
			mounts[j] = m
			continue
		}
		seen[mount] = len(mounts)
		mounts = append(mounts, m)
	}
	return mounts
}
