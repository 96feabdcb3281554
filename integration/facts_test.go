package integration

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"tend/integration/fleet"
)

// factsExact are the facts tend must report exactly as Ansible's setup
// module does on the same host.
var factsExact = []string{
	"distribution", "distribution_version", "distribution_major_version", "distribution_minor_version",
	"distribution_release", "distribution_file_path", "distribution_file_variety", "distribution_file_parsed",
	"os_family", "service_mgr", "pkg_mgr", "memtotal_mb", "swaptotal_mb", "processor", "processor_count",
	"processor_cores", "processor_vcpus", "processor_threads_per_core", "processor_nproc", "architecture",
	"machine", "kernel", "kernel_version", "userspace_bits", "userspace_architecture", "lsb", "selinux",
	"apparmor", "virtualization_type", "virtualization_role", "default_ipv4", "default_ipv6", "dns",
	"user_id", "user_uid", "user_gid", "user_dir", "user_shell", "user_gecos", "real_user_id",
	"effective_user_id", "real_group_id", "effective_group_id", "python", "python_version", "hostname",
	"nodename", "fqdn", "domain", "system", "is_chroot", "fips", "machine_id", "local", "cmdline",
	"proc_cmdline", "system_capabilities_enforced",
}

// factsAsSets are lists whose order is the order of a folder listing or a
// Python set on Ansible's side (tend's is sorted): compared as sets.
var factsAsSets = []string{"interfaces", "all_ipv4_addresses", "all_ipv6_addresses", "virtualization_tech_guest", "virtualization_tech_host"}

// Ansible's setup and tend's facts on the same fleet host agree, key by
// key; a busybox host answers too.
func TestFactsMatchAnsible(t *testing.T) {
	if _, err := exec.LookPath("ansible"); err != nil {
		t.Fatal("ansible not found: apt-get install ansible-core (.ci/run does)")
	}
	f := startFleet(t, 2, func(o *fleet.Options) { o.BusyboxHosts = 1 })
	debian, busybox := f.Hosts[0], f.Hosts[1]
	want := ansibleSetup(t, f, debian)

	r := tend(t, nil, "facts", "--json", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "all")
	if r.code != 0 {
		t.Fatalf("tend facts: %v", r)
	}
	var all map[string]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil {
		t.Fatalf("tend facts --json: %v\n%s", err, r.stdout)
	}
	got := all[debian.Name]
	if got == nil {
		t.Fatalf("no facts for %s:\n%s", debian.Name, r.stdout)
	}
	if bb := all[busybox.Name]; bb["system"] != "Linux" || bb["distribution"] != "Buildroot" || bb["default_ipv4"] == nil {
		t.Errorf("busybox host: %v", bb)
	}

	var diffs []string
	differ := func(key string, a, b any) {
		diffs = append(diffs, fmt.Sprintf("%s:\n  ansible: %s\n  tend:    %s", key, js(a), js(b)))
	}
	for _, k := range factsExact {
		if !reflect.DeepEqual(want[k], got[k]) {
			differ(k, want[k], got[k])
		}
	}
	for _, k := range factsAsSets {
		if a, b := sortedJSON(want[k]), sortedJSON(got[k]); a != b {
			differ(k, want[k], got[k])
		}
	}
	// Each interface's facts, without what only ethtool tells Ansible.
	ifaces, _ := want["interfaces"].([]any)
	for _, i := range ifaces {
		name := strings.ReplaceAll(fmt.Sprint(i), "-", "_")
		a, _ := want[name].(map[string]any)
		b, _ := got[name].(map[string]any)
		for _, k := range []string{"features", "timestamping", "hw_timestamp_filters"} {
			delete(a, k)
		}
		if !reflect.DeepEqual(a, b) {
			differ(name, a, b)
		}
	}
	// Mounts by mount point, without the sizes and UUIDs tend leaves out.
	if a, b := mountsByPoint(want["mounts"]), mountsByPoint(got["mounts"]); !reflect.DeepEqual(a, b) {
		differ("mounts", a, b)
	}
	// Values that move between the two calls: free memory within 5% of
	// the total, uptime within a minute.
	total, _ := want["memtotal_mb"].(float64)
	near := func(key string, a, b any, tol float64) {
		x, ok1 := a.(float64)
		y, ok2 := b.(float64)
		if !ok1 || !ok2 || math.Abs(x-y) > tol {
			differ(key, a, b)
		}
	}
	near("memfree_mb", want["memfree_mb"], got["memfree_mb"], total/20)
	near("swapfree_mb", want["swapfree_mb"], got["swapfree_mb"], total/20)
	near("uptime_seconds", want["uptime_seconds"], got["uptime_seconds"], 60)
	wm, _ := want["memory_mb"].(map[string]any)
	gm, _ := got["memory_mb"].(map[string]any)
	for _, part := range []string{"real", "nocache", "swap"} {
		a, _ := wm[part].(map[string]any)
		b, _ := gm[part].(map[string]any)
		if len(a) == 0 || !sameKeys(a, b) {
			differ("memory_mb."+part, a, b)
			continue
		}
		for k := range a {
			near("memory_mb."+part+"."+k, a[k], b[k], total/20)
		}
	}
	diffs = append(diffs, compareDateTime(want["date_time"], got["date_time"])...)
	diffs = append(diffs, compareEnv(want["env"], got["env"])...)

	t.Logf("compared %d facts and %d interfaces; tend: service_mgr %v, distribution_version %v, default_ipv4 %v",
		len(factsExact)+len(factsAsSets)+8, len(ifaces), got["service_mgr"], got["distribution_version"], js(got["default_ipv4"]))
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("facts differ from Ansible's:\n%s", strings.Join(diffs, "\n"))
	}
}

// ansibleSetup runs Ansible's setup module on h and returns its facts
// without the ansible_ prefix.
func ansibleSetup(t *testing.T, f *fleet.Fleet, h *fleet.Host) map[string]any {
	t.Helper()
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory")
	line := fmt.Sprintf("%s ansible_host=127.0.0.1 ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s "+
		"ansible_ssh_common_args='-o UserKnownHostsFile=%s' ansible_python_interpreter=/usr/bin/python3\n", h.Name, h.Port, f.ClientKey, f.KnownHosts)
	if err := os.WriteFile(inv, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	tree := filepath.Join(dir, "tree")
	cmd := exec.Command("ansible", "-i", inv, h.Name, "-m", "setup", "-t", tree)
	cmd.Env = append(os.Environ(), "ANSIBLE_HOST_KEY_CHECKING=True", "ANSIBLE_PIPELINING=True", "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "ansible-tmp"), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ansible -m setup: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(tree, h.Name))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Facts map[string]any `json:"ansible_facts"`
	}
	if err := json.Unmarshal(data, &res); err != nil || len(res.Facts) == 0 {
		t.Fatalf("ansible's setup output: %v\n%s", err, data)
	}
	facts := map[string]any{}
	for k, v := range res.Facts {
		facts[strings.TrimPrefix(k, "ansible_")] = v
	}
	return facts
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedJSON(v any) string {
	l, _ := v.([]any)
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = js(x)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func sameKeys(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

func mountsByPoint(v any) map[string]string {
	out := map[string]string{}
	l, _ := v.([]any)
	for _, m := range l {
		mm, _ := m.(map[string]any)
		out[fmt.Sprint(mm["mount"])] = fmt.Sprintf("%v %v %v", mm["device"], mm["fstype"], mm["options"])
	}
	return out
}

// compareDateTime: the same keys; zone names and offset exactly; the
// epoch within a minute; every other field by shape (its digits may move
// between the two calls).
func compareDateTime(a, b any) []string {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	var d []string
	if len(am) == 0 || !sameKeys(am, bm) {
		return []string{fmt.Sprintf("date_time keys:\n  ansible: %s\n  tend:    %s", js(am), js(bm))}
	}
	digits := regexp.MustCompile(`[0-9]`)
	for k, av := range am {
		as, bs := fmt.Sprint(av), fmt.Sprint(bm[k])
		switch k {
		case "tz", "tz_dst", "tz_offset":
			if as != bs {
				d = append(d, fmt.Sprintf("date_time.%s: ansible %q, tend %q", k, as, bs))
			}
		case "epoch", "epoch_int":
			x, _ := strconv.ParseInt(as, 10, 64)
			y, err := strconv.ParseInt(bs, 10, 64)
			if err != nil || x-y > 60 || y-x > 60 {
				d = append(d, fmt.Sprintf("date_time.%s: ansible %q, tend %q", k, as, bs))
			}
		case "weekday":
			if bs == "" || strings.Trim(bs, "abcdefghijklmnopqrstuvwxyzMTWFS") != "" {
				d = append(d, fmt.Sprintf("date_time.weekday: tend %q", bs))
			}
		default:
			if digits.ReplaceAllString(as, "0") != digits.ReplaceAllString(bs, "0") {
				d = append(d, fmt.Sprintf("date_time.%s shape: ansible %q, tend %q", k, as, bs))
			}
		}
	}
	return d
}

// compareEnv: the login environment, but for what belongs to one process
// or one connection: _ and SHLVL (each shell's own), LC_CTYPE (which
// Python 3 sets for itself, PEP 538), and SSH_CLIENT/SSH_CONNECTION,
// whose client port differs per connection (both must be there).
func compareEnv(a, b any) []string {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	if len(am) == 0 {
		return []string{"env: Ansible reported none"}
	}
	var d []string
	skip := map[string]bool{"_": true, "SHLVL": true, "LC_CTYPE": true, "SSH_CLIENT": true, "SSH_CONNECTION": true}
	for k := range am {
		if _, ok := bm[k]; !ok && k != "_" && k != "LC_CTYPE" {
			d = append(d, fmt.Sprintf("env.%s: only Ansible has it (%v)", k, am[k]))
		} else if !skip[k] && am[k] != bm[k] {
			d = append(d, fmt.Sprintf("env.%s: ansible %q, tend %q", k, am[k], bm[k]))
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok && !skip[k] {
			d = append(d, fmt.Sprintf("env.%s: only tend has it (%v)", k, bm[k]))
		}
	}
	return d
}
