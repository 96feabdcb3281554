package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"tend/inventory"
	"tend/modules"
	"tend/playbooks"
)

func newFactsCmd() *cobra.Command {
	var f connFlags
	var asJSON bool
	var format string
	cmd := &cobra.Command{
		Use:   "facts -i INVENTORY [PATTERN]",
		Short: "Print what tend knows about each host (the ansible_* facts)",
		Long: `Gather facts from every host the pattern matches (default: all), in one round
trip each, and print them per host under Ansible's names, as YAML (or JSON
with --format json).

Exit codes: 0 every host answered; 1 usage or inventory error; 4 a host failed
or was unreachable.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pattern := "all"
			if len(args) == 1 {
				pattern = args[0]
			}
			var err error
			if asJSON, err = jsonFormat(format, asJSON); err != nil {
				return err
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			inv, err := f.load(stderr)
			if err != nil {
				return err
			}
			hosts, err := f.hosts(inv, pattern, stderr)
			if err != nil {
				return err
			}
			copts, err := f.connectOptions(stderr)
			if err != nil {
				return err
			}
			byName := map[string]*inventory.Host{}
			for _, h := range hosts {
				byName[h.Name] = h
			}
			all := map[string]any{}
			failed := 0
			playbooks.RunAdHoc(cmd.Context(), hosts, modules.FactsScript, playbooks.AdHocOptions{Forks: f.forks, Connect: copts}, func(r playbooks.HostResult) {
				if r.Unreachable || r.Failed() {
					failed++
					fmt.Fprintf(stderr, "%s: %v %s\n", r.Host, r.Err, r.Stderr)
					return
				}
				facts, err := modules.ParseFacts(r.Stdout, playbooks.FactOverrides(byName[r.Host]))
				if err != nil {
					failed++
					fmt.Fprintf(stderr, "%s: %v\n", r.Host, err)
					return
				}
				all[r.Host] = facts["ansible_facts"]
			})
			if asJSON {
				data, err := json.MarshalIndent(all, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintln(stdout, string(data))
			} else {
				names := make([]string, 0, len(all))
				for n := range all {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					data, err := yaml.Marshal(map[string]any{n: all[n]})
					if err != nil {
						return err
					}
					fmt.Fprint(stdout, string(data))
				}
			}
			if cmd.Context().Err() != nil {
				return exitError{exitInterrupted}
			}
			if failed > 0 {
				return exitError{exitFailure}
			}
			return nil
		},
	}
	f.register(cmd)
	formatFlag(cmd, &format, &asJSON, "one JSON object, each host's facts under its name (text is YAML)")
	return cmd
}
