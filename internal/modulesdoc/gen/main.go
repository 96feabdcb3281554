// Command gen writes docs/modules.md from the modules' argument specs (see
// package tend/internal/modulesdoc).
//
//	go run tend/internal/modulesdoc/gen -o docs/modules.md
package main

import (
	"flag"
	"fmt"
	"os"

	"tend/internal/modulesdoc"
)

func main() {
	out := flag.String("o", "", "write the page to this file (default: standard output)")
	flag.Parse()
	page := []byte(modulesdoc.Markdown())
	if *out == "" {
		os.Stdout.Write(page)
		return
	}
	if err := os.WriteFile(*out, page, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
