package modules

import (
	"strings"
	"testing"
)

const pamConf = "# head\n*\tsoft\tcore\t0\n  # indented note\n@staff hard nofile 1024 # staff files\njoe - nproc 50\n"

// pamRewrite against what community.general 6.6's pam_limits wrote for the
// same file and arguments (recorded with ansible -m on a temporary file),
// quirks included: the first comment seen becomes the new line's.
func TestPamRewriteRecorded(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p          pamTask
		after, msg string
		changed    bool
	}{
		{pamTask{domain: "@staff", typ: "hard", item: "nofile", value: "4096"},
			"# head\n*\tsoft\tcore\t0\n  # indented note\n@staff\thard\tnofile\t4096\t# indented note\n\njoe - nproc 50\n",
			"@staff\thard\tnofile\t4096\t# indented note\n\n", true},
		{pamTask{domain: "bob", typ: "soft", item: "nofile", value: "100", comment: "bobs"},
			pamConf + "bob\tsoft\tnofile\t100\t#bobs\n", "bob\tsoft\tnofile\t100\t#bobs\n", true},
		{pamTask{domain: "joe", typ: "-", item: "nproc", value: "10", useMax: true}, pamConf, "joe - nproc 50\n", false},
		{pamTask{domain: "new", typ: "-", item: "nice", value: "-5"},
			pamConf + "new\t-\tnice\t-5\t# indented note\n\n", "new\t-\tnice\t-5\t# indented note\n\n", true},
		{pamTask{domain: "joe", typ: "-", item: "nproc", value: "unlimited", useMin: true}, pamConf, "joe - nproc 50\n", false},
		{pamTask{domain: "joe", typ: "-", item: "nproc", value: "unlimited", useMax: true, comment: "c"},
			strings.Replace(pamConf, "joe - nproc 50\n", "joe\t-\tnproc\tunlimited\t#c\n", 1), "joe\t-\tnproc\tunlimited\t#c\n", true},
	} {
		after, changed, msg, err := pamRewrite(pamConf, c.p)
		if err != nil || after != c.after || changed != c.changed || msg != c.msg {
			t.Errorf("%+v:\n got %q %v %q %v\nwant %q %v %q", c.p, after, changed, msg, err, c.after, c.changed, c.msg)
		}
	}
	if _, _, _, err := pamRewrite("* soft nofile lots\n", pamTask{domain: "a", typ: "-", item: "core", value: "1", dest: "/l"}); err == nil ||
		!strings.Contains(err.Error(), "Invalid configuration found in '/l'. Value of 'lots' for item 'nofile' is invalid") {
		t.Errorf("invalid line: %v", err)
	}
}

func TestPamLimitsArgs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"domain": "a", "limit_type": "-", "limit_item": "nofile", "value": "lots"}, "Value of 'lots' for item 'nofile' is invalid"},
		{map[string]any{"domain": "a", "limit_type": "-", "limit_item": "nice", "value": "20"}, "range -20 to 19"},
		{map[string]any{"domain": "a", "limit_type": "-", "limit_item": "nofile", "value": "1", "use_max": true, "use_min": true}, "Cannot use use_min and use_max"},
		{map[string]any{"domain": "a b", "limit_type": "-", "limit_item": "nofile", "value": "1"}, "not a limits.conf domain"},
		{map[string]any{"domain": "a", "limit_type": "-", "limit_item": "nofile", "value": "1", "dest": "rel"}, "absolute"},
	} {
		m, task := mkTask(t, "pam_limits", c.raw)
		if _, err := m.(Asker).Questions(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.raw, err, c.want)
		}
	}
}
