package modules

import (
	"net"
	"regexp"
	"strconv"
	"strings"
)

// networkFacts is Ansible's LinuxNetwork (without ethtool's data):
// interfaces from /sys/class/net, addresses from ip addr, the default
// routes from ip route get, and dns from /etc/resolv.conf.
func networkFacts(r *factsRaw, f map[string]any) {
	f["dns"] = dnsFacts(r)
	if !r.binPath("ip") {
		return
	}
	v4, v6 := defaultRoutes(r.ip)
	ifaces := map[string]map[string]any{}
	var order []string
	addIface := func(name string, m map[string]any) {
		if _, ok := ifaces[name]; !ok {
			order = append(order, name)
		}
		ifaces[name] = m
	}
	all4, all6 := []any{}, []any{}
	byDev := ipAddrLines(r.ip)
	for _, dev := range r.lines["iface"] {
		d := sysNetIface(r, dev)
		addIface(dev, d)
		mac := strings.TrimSpace(r.files["/sys/class/net/"+dev+"/address"])
		parse := func(lines []string, secondary bool) {
			for _, l := range lines {
				w := strings.Fields(l)
				if len(w) < 2 {
					continue
				}
				switch w[0] {
				case "inet":
					a := ipv4Entry(w)
					if a == nil {
						continue
					}
					iface := w[len(w)-1]
					if iface != dev {
						addIface(iface, map[string]any{})
					}
					target := ifaces[iface]
					if _, has := target["ipv4"]; !secondary && !has {
						target["ipv4"] = a
					} else {
						appendTo(target, "ipv4_secondaries", copyMap(a))
					}
					if secondary && dev != iface {
						appendTo(d, "ipv4_secondaries", copyMap(a))
					} else if secondary {
						if _, ok := d["ipv4_secondaries"]; !ok {
							d["ipv4_secondaries"] = []any{}
						}
					}
					if v4["address"] == a["address"] {
						for _, k := range []string{"broadcast", "netmask", "network", "prefix"} {
							v4[k] = a[k]
						}
						v4["macaddress"] = mac
						if mtu, ok := d["mtu"]; ok {
							v4["mtu"] = mtu
						}
						v4["type"] = typeOr(d)
						v4["alias"] = iface
					}
					if addr, _ := a["address"].(string); !strings.HasPrefix(addr, "127.") {
						all4 = append(all4, addr)
					}
				case "inet6":
					var addr, prefix, scope string
					if len(w) >= 6 && w[2] == "peer" {
						addr = w[1]
						_, prefix, _ = strings.Cut(w[3], "/")
						scope = w[5]
					} else if len(w) >= 4 {
						addr, prefix, _ = strings.Cut(w[1], "/")
						scope = w[3]
					} else {
						continue
					}
					appendTo(d, "ipv6", map[string]any{"address": addr, "prefix": prefix, "scope": scope})
					if v6["address"] == addr {
						v6["prefix"], v6["scope"], v6["macaddress"] = prefix, scope, mac
						if mtu, ok := d["mtu"]; ok {
							v6["mtu"] = mtu
						}
						v6["type"] = typeOr(d)
					}
					if addr != "::1" {
						all6 = append(all6, addr)
					}
				}
			}
		}
		lines := byDev[dev]
		parse(lines.primary, false)
		parse(lines.secondary, true)
	}
	names := make([]any, 0, len(order))
	for _, name := range order {
		clean := strings.ReplaceAll(name, ":", "_")
		names = append(names, clean)
		f[clean] = ifaces[name]
	}
	f["interfaces"] = names
	f["default_ipv4"], f["default_ipv6"] = v4, v6
	f["all_ipv4_addresses"], f["all_ipv6_addresses"] = all4, all6
}

func appendTo(m map[string]any, key string, v any) {
	l, _ := m[key].([]any)
	m[key] = append(l, v)
}

func copyMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func typeOr(d map[string]any) any {
	if t, ok := d["type"]; ok {
		return t
	}
	return "unknown"
}

// ipv4Entry reads "inet ADDR[/LEN] [brd B] ..." as Ansible does.
func ipv4Entry(w []string) map[string]any {
	address, length := w[1], "32"
	broadcast := ""
	if a, l, ok := strings.Cut(w[1], "/"); ok {
		address, length = a, l
		if len(w) > 3 && w[2] == "brd" {
			broadcast = w[3]
		}
	}
	ip := net.ParseIP(address).To4()
	n, err := strconv.Atoi(length)
	if ip == nil || err != nil || n < 0 || n > 32 {
		return nil
	}
	mask := net.CIDRMask(n, 32)
	return map[string]any{
		"address": address, "broadcast": broadcast, "netmask": net.IP(mask).String(),
		"network": ip.Mask(mask).String(), "prefix": length,
	}
}

var interfaceTypes = map[string]string{"1": "ether", "32": "infiniband", "512": "ppp", "772": "loopback", "65534": "tunnel"}

// sysNetIface is what Ansible reads of /sys/class/net/DEV.
func sysNetIface(r *factsRaw, dev string) map[string]any {
	base := "/sys/class/net/" + dev + "/"
	d := map[string]any{"device": dev}
	has := map[string]bool{}
	for _, l := range r.lines["ifhas"] {
		if n, what, _ := strings.Cut(l, " "); n == dev {
			has[what] = true
		}
	}
	if mac, ok := r.file(base + "address"); ok && mac != "00:00:00:00:00:00" {
		d["macaddress"] = mac
	}
	if mtu, ok := r.file(base + "mtu"); ok {
		if n, err := strconv.Atoi(mtu); err == nil {
			d["mtu"] = n
		}
	}
	if _, ok := r.files[base+"operstate"]; ok {
		st, _ := r.file(base + "operstate")
		d["active"] = st != "down"
	}
	for _, l := range r.lines["module"] {
		if n, m, _ := strings.Cut(l, " "); n == dev {
			d["module"] = m
		}
	}
	if t, ok := r.file(base + "type"); ok {
		if name, known := interfaceTypes[t]; known {
			d["type"] = name
		} else {
			d["type"] = "unknown"
		}
	}
	if has["bridge"] {
		d["type"] = "bridge"
		brif := []any{}
		for _, l := range r.lines["brif"] {
			if n, port, _ := strings.Cut(l, " "); n == dev {
				brif = append(brif, port)
			}
		}
		d["interfaces"] = brif
		if _, ok := r.files[base+"bridge/bridge_id"]; ok {
			d["id"], _ = r.file(base + "bridge/bridge_id")
		}
		if _, ok := r.files[base+"bridge/stp_state"]; ok {
			v, _ := r.file(base + "bridge/stp_state")
			d["stp"] = v == "1"
		}
	}
	if has["bonding"] {
		d["type"] = "bonding"
		first := func(name string) string {
			v, _ := r.file(base + "bonding/" + name)
			w := strings.Fields(v)
			if len(w) == 0 {
				return ""
			}
			return w[0]
		}
		slaves, _ := r.file(base + "bonding/slaves")
		sl := []any{}
		for _, s := range strings.Fields(slaves) {
			sl = append(sl, s)
		}
		d["slaves"], d["mode"], d["miimon"], d["lacp_rate"] = sl, first("mode"), first("miimon"), first("lacp_rate")
		if p, ok := r.file(base + "bonding/primary"); ok {
			d["primary"] = p
			if _, ok := r.files[base+"bonding/all_slaves_active"]; ok {
				v, _ := r.file(base + "bonding/all_slaves_active")
				d["all_slaves_active"] = v == "1"
			}
		}
	}
	if has["bonding_slave"] {
		d["perm_macaddress"], _ = r.file(base + "bonding_slave/perm_hwaddr")
	}
	for _, l := range r.lines["pciid"] {
		if n, id, _ := strings.Cut(l, " "); n == dev {
			d["pciid"] = id
		}
	}
	if s, ok := r.file(base + "speed"); ok {
		if n, err := strconv.Atoi(s); err == nil {
			d["speed"] = n
		}
	}
	if s, ok := r.file(base + "flags"); ok {
		if n, err := strconv.ParseInt(strings.TrimPrefix(s, "0x"), 16, 64); err == nil {
			d["promisc"] = n&0x100 != 0
		}
	}
	return d
}

type devAddrs struct{ primary, secondary []string }

var ipHeader = regexp.MustCompile(`^\d+:\s+([^:@\s]+)(@[^:\s]*)?:`)

// ipAddrLines sorts ip addr's inet and inet6 lines by device: secondary
// (IPv4) and temporary (IPv6) addresses apart, as Ansible's two ip calls
// per device (primary, secondary) see them.
func ipAddrLines(out []string) map[string]devAddrs {
	m := map[string]devAddrs{}
	dev := ""
	for _, l := range out {
		if h := ipHeader.FindStringSubmatch(l); h != nil {
			dev = h[1]
			continue
		}
		if l == "" || (l[0] != ' ' && l[0] != '\t') {
			dev = ""
			continue
		}
		w := strings.Fields(l)
		if dev == "" || len(w) == 0 || (w[0] != "inet" && w[0] != "inet6") {
			continue
		}
		a := m[dev]
		if containsWord(l, "secondary") || containsWord(l, "temporary") {
			a.secondary = append(a.secondary, l)
		} else {
			a.primary = append(a.primary, l)
		}
		m[dev] = a
	}
	return m
}

// defaultRoutes reads `ip route get` for Ansible's two probe addresses.
func defaultRoutes(out []string) (map[string]any, map[string]any) {
	read := func(target string) map[string]any {
		r := map[string]any{}
		for _, l := range out {
			w := strings.Fields(l)
			if len(w) == 0 || w[0] != target {
				continue
			}
			for i := 0; i+1 < len(w); i++ {
				switch {
				case w[i] == "dev":
					r["interface"] = w[i+1]
				case w[i] == "src":
					r["address"] = w[i+1]
				case w[i] == "via" && w[i+1] != target:
					r["gateway"] = w[i+1]
				}
			}
			break
		}
		return r
	}
	return read("8.8.8.8"), read("2404:6800:400a:800::1012")
}

// dnsFacts is Ansible's dns collector over /etc/resolv.conf.
func dnsFacts(r *factsRaw) map[string]any {
	dns := map[string]any{}
	content, _ := r.file("/etc/resolv.conf")
	for _, line := range strings.Split(content, "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") || strings.TrimSpace(line) == "" {
			continue
		}
		w := strings.Fields(line)
		list := func() []any {
			l := []any{}
			for _, x := range w[1:] {
				l = append(l, x)
			}
			return l
		}
		switch w[0] {
		case "nameserver":
			ns, _ := dns["nameservers"].([]any)
			dns["nameservers"] = append(ns, list()...)
		case "domain":
			if len(w) > 1 {
				dns["domain"] = w[1]
			}
		case "search":
			dns["search"] = list()
		case "sortlist":
			dns["sortlist"] = list()
		case "options":
			opts := map[string]any{}
			for _, o := range w[1:] {
				k, v, ok := strings.Cut(o, ":")
				if ok && v != "" {
					opts[k] = v
				} else {
					opts[k] = true
				}
			}
			dns["options"] = opts
		}
	}
	return dns
}
