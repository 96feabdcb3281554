package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

func newInventoryCmd() *cobra.Command {
	var f hostFlags
	var list, graph bool
	var format string
	var host string
	cmd := &cobra.Command{
		Use:   "inventory -i INVENTORY (--list | --graph [GROUP] | --host HOST)",
		Short: "Show the resolved inventory, as ansible-inventory does",
		Long: `Show what tend reads from the inventory: --list prints every group and host
with merged variables as JSON, --graph the group tree, --host one host's
variables. --limit narrows --list and --graph to the hosts a pattern matches.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, b := range []bool{list, graph, host != ""} {
				if b {
					n++
				}
			}
			if n != 1 {
				return fmt.Errorf("give exactly one of --list, --graph or --host")
			}
			asJSON, err := jsonFormat(format, false)
			if err != nil {
				return err
			}
			if asJSON && graph {
				return fmt.Errorf("--graph prints a tree as text: --list gives the groups and hosts as JSON")
			}
			inv, err := f.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if f.limit != "" {
				hosts, err := inv.ResolveLimit("all", f.limit)
				if err != nil {
					return err
				}
				inv = inv.Restrict(hosts)
			}
			// Values the vault revealed are shown masked.
			ring, _ := f.keyring(cmd.ErrOrStderr())
			out := redactWriter{cmd.OutOrStdout(), ring}
			switch {
			case list:
				data, err := inv.ListJSON()
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(out, string(data))
				return err
			case graph:
				group := "all"
				if len(args) == 1 {
					group = args[0]
				}
				text, err := inv.Graph(group)
				if err != nil {
					return err
				}
				_, err = fmt.Fprint(out, text)
				return err
			}
			h, ok := inv.Host(host)
			if !ok {
				return fmt.Errorf("host %q is not in the inventory", host)
			}
			data, err := json.MarshalIndent(h.Vars, "", "    ")
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(out, string(data))
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&list, "list", false, "print all groups and hosts with their variables as JSON")
	cmd.Flags().BoolVar(&graph, "graph", false, "print the group tree (of GROUP, default all)")
	cmd.Flags().StringVar(&host, "host", "", "print the merged variables of one host")
	formatFlag(cmd, &format, nil, "--list and --host print JSON in either format (ansible-inventory's); --graph is text only")
	return cmd
}
