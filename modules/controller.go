package modules

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Modules the runner carries out on the controller. They are registered
// so that their arguments are checked at load time like any other.
func init() {
	Register("debug", Controller{ArgSpec: Spec{
		Params: []Param{
			{Name: "msg", Kind: Any, Default: "Hello world!"},
			{Name: "var", Kind: String},
			{Name: "verbosity", Kind: Int, Default: 0},
		},
		Exclusive: [][]string{{"msg", "var"}},
	}})
	Register("set_fact", Controller{ArgSpec: Spec{
		Params:  []Param{{Name: "cacheable", Kind: Bool, Default: false}},
		AnyKeys: true,
	}})
	Register("assert", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "that", Kind: List, Required: true, NoSplit: true},
		{Name: "fail_msg", Kind: Any, Aliases: []string{"msg"}},
		{Name: "success_msg", Kind: Any},
		{Name: "quiet", Kind: Bool, Default: false},
	}}})
	Register("fail", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "msg", Kind: Any, Default: "Failed as requested from task"},
	}}})
	Register("meta", Controller{ArgSpec: Spec{
		Params: []Param{{Name: "free_form", Kind: String, Required: true,
			Choices: []string{"flush_handlers", "noop", "end_play", "end_host", "end_batch", "reset_connection",
				"clear_facts", "clear_host_errors", "refresh_inventory"}}},
		FreeForm: "free_form",
	}})
	Register("include_vars", Controller{ArgSpec: Spec{
		FreeForm: "file",
		Params: []Param{
			{Name: "file", Kind: Path, Aliases: []string{"_raw_params"}},
			{Name: "dir", Kind: Path},
			{Name: "name", Kind: String},
			{Name: "depth", Kind: Int, Default: 0},
			{Name: "files_matching", Kind: String},
			{Name: "ignore_files", Kind: List},
			{Name: "extensions", Kind: List},
			{Name: "ignore_unknown_extensions", Kind: Bool, Default: false},
			{Name: "hash_behaviour", Kind: String, Choices: []string{"replace", "merge"}},
		},
		Exclusive: [][]string{{"file", "dir"}},
	}})
	Register("group_by", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "key", Kind: String, Required: true},
		{Name: "parents", Kind: List, Default: []string{"all"}},
	}}})
	Register("add_host", Controller{ArgSpec: Spec{
		Params: []Param{
			{Name: "name", Kind: String, Required: true, Aliases: []string{"host", "hostname"}},
			{Name: "groups", Kind: List, Aliases: []string{"group", "groupname"}},
		},
		AnyKeys: true,
	}})
	Register("wait_for_connection", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "connect_timeout", Kind: Int, Default: 5},
		{Name: "delay", Kind: Int, Default: 0},
		{Name: "sleep", Kind: Int, Default: 1},
		{Name: "timeout", Kind: Int, Default: 600},
	}}})
	Register("reboot", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "pre_reboot_delay", Kind: Int, Default: 0, Aliases: []string{"pre_reboot_delay_sec"}},
		{Name: "post_reboot_delay", Kind: Int, Default: 0, Aliases: []string{"post_reboot_delay_sec"}},
		{Name: "reboot_timeout", Kind: Int, Default: 600, Aliases: []string{"reboot_timeout_sec"}},
		{Name: "connect_timeout", Kind: Int, Aliases: []string{"connect_timeout_sec"}},
		{Name: "test_command", Kind: String, Default: "whoami"},
		{Name: "msg", Kind: String, Default: "Reboot initiated by Ansible"},
		{Name: "search_paths", Kind: List, Default: []string{"/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin"}},
		{Name: "boot_time_command", Kind: String, Default: "cat /proc/sys/kernel/random/boot_id"},
		{Name: "reboot_command", Kind: String},
	}}})
	Register("template", Controller{ArgSpec: Spec{Params: []Param{
		{Name: "src", Kind: Path, Required: true},
		{Name: "dest", Kind: Path, Required: true},
		{Name: "mode", Kind: Mode},
		{Name: "owner", Kind: String},
		{Name: "group", Kind: String},
		{Name: "backup", Kind: Bool, Default: false},
		{Name: "force", Kind: Bool, Default: true},
		{Name: "validate", Kind: String},
	}}})
}

// TemplateCopyArgs turns a template task's arguments and its rendered
// source into the arguments of the copy module, which then does the work
// on the host (the runner renders; copy compares, writes and reports).
func TemplateCopyArgs(template Args, rendered string) Args {
	out := Args{"content": rendered}
	for _, k := range []string{"dest", "mode", "owner", "group", "backup", "force", "validate"} {
		if v, ok := template[k]; ok {
			out[k] = v
		}
	}
	return out
}

// pyJSON writes v as Python's json.dumps does by default (", " and ": "
// separators, non-ASCII as \u escapes), which is what Ansible's copy writes
// for a list or dictionary content. Dictionary keys are sorted: a Go map
// has no order to keep.
func pyJSON(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(x, 10))
	case float64:
		b.WriteString(pyFloat(x))
	case string:
		pyString(b, x)
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return pyJSON(b, l)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := pyJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			pyString(b, k)
			b.WriteString(": ")
			if err := pyJSON(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("cannot write %T as JSON", v)
	}
	return nil
}

func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-4 && a < 1e16) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	return strconv.FormatFloat(f, 'e', -1, 64)
}

func pyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				fmt.Fprintf(b, `\u%04x`, r)
			case r <= 0x7f:
				b.WriteRune(r)
			case r < 0x10000:
				fmt.Fprintf(b, `\u%04x`, r)
			default:
				r -= 0x10000
				fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			}
		}
	}
	b.WriteByte('"')
}
