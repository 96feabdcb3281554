package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"tend/integration/bench"
	"tend/integration/fleet"
)

// target is the fleet as the tools reach it: directly, or through a delay
// proxy per host.
type target struct {
	work       string
	fleet      *fleet.Fleet
	proxies    []*bench.Proxy
	inventory  string
	knownHosts string
}

// start starts the hosts (and proxies) and writes an inventory and a
// known_hosts naming the addresses the tools must connect to.
func (t *target) start(ctx context.Context, c config, work string, logf func(string, ...any)) error {
	t.work = work
	f, err := fleet.Start(ctx, fleet.Options{Hosts: c.hosts, Dir: filepath.Join(work, "fleet"), Logf: logf})
	if err != nil {
		return err
	}
	t.fleet = f
	var inv, kh strings.Builder
	inv.WriteString("[fleet]\n")
	for _, h := range f.Hosts {
		port := h.Port
		if c.delay > 0 {
			p, err := bench.NewProxy(fmt.Sprintf("%s:%d", h.Addr, h.Port), c.delay)
			if err != nil {
				return err
			}
			t.proxies = append(t.proxies, p)
			port = p.Port
		}
		// The host's key under the port the tools dial: host key checking
		// stays on for every tool, through the proxy too.
		fmt.Fprintf(&kh, "[%s]:%d %s\n", h.Addr, port, h.HostKeyPub)
		fmt.Fprintf(&inv, "%s ansible_host=%s ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s\n",
			h.Name, h.Addr, port, f.ClientKey)
	}
	if c.delay > 0 {
		logf("bench: %d proxies adding %v each way", len(t.proxies), c.delay)
	}
	t.inventory = filepath.Join(work, "inventory.ini")
	t.knownHosts = filepath.Join(work, "known_hosts")
	return errors.Join(
		os.WriteFile(t.inventory, []byte(inv.String()), 0o644),
		os.WriteFile(t.knownHosts, []byte(kh.String()), 0o644))
}

func (t *target) stop(logf func(string, ...any)) {
	if err := t.stopErr(); err != nil {
		logf("bench: stopping the fleet: %v", err)
	}
}

func (t *target) stopErr() error {
	for _, p := range t.proxies {
		p.Close()
	}
	t.proxies = nil
	var err error
	if t.fleet != nil {
		err = t.fleet.Stop()
		t.fleet = nil
	}
	return err
}

// restart replaces every host by a fresh one (new upper dirs, ports and
// keys; the inventory and known_hosts are rewritten), for a scenario
// nothing simpler undoes.
func (t *target) restart(ctx context.Context, c config, logf func(string, ...any)) error {
	if err := t.stopErr(); err != nil {
		return err
	}
	return t.start(ctx, c, t.work, logf)
}
