package modules

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
)

// waitForModule is ansible.builtin.wait_for. It has nothing to probe: its
// apply is the waiting, a POSIX sh loop on the host (date +%s for the
// clock), and its result never says changed. In check mode it is skipped,
// as Ansible skips it (no check mode support).
//
//   - A path: test -e; with search_regex, grep -E decides on the host (the
//     Python expression translated: \d, \s, \w and their negations, (?:
//     and (?P<name>; look-arounds, back references and lazy quantifiers are
//     refused), and the file comes back for match_groups, which Go's
//     regexp computes.
//   - A port: a TCP connection with the first the host has of nc with -z
//     (OpenBSD or traditional netcat), bash's /dev/tcp (under timeout when
//     there is one), or busybox's nc -w; with search_regex, what the server
//     sends until it closes or connect_timeout passes.
//   - drained: connections counted in /proc/net/tcp and tcp6 as Ansible's
//     LinuxTCPConnectionInfo counts them (host and exclude_hosts must be
//     addresses or localhost: the controller turns them into the files'
//     hex).
type waitForModule struct {
	// procNet is the folder of tcp and tcp6 ("" /proc/net); tests give a
	// fake.
	procNet string
}

func init() { Register("wait_for", waitForModule{}) }

var tcpStates = map[string]string{"ESTABLISHED": "01", "SYN_SENT": "02", "SYN_RECV": "03", "FIN_WAIT1": "04", "FIN_WAIT2": "05", "TIME_WAIT": "06"}

func (waitForModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "host", Kind: String, Default: "127.0.0.1"},
		{Name: "timeout", Kind: Int, Default: 300},
		{Name: "connect_timeout", Kind: Int, Default: 5},
		{Name: "delay", Kind: Int, Default: 0},
		{Name: "port", Kind: Int},
		{Name: "active_connection_states", Kind: List, Default: []string{"ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "SYN_RECV", "SYN_SENT", "TIME_WAIT"}},
		{Name: "path", Kind: Path},
		{Name: "search_regex", Kind: String},
		{Name: "state", Kind: String, Default: "started", Choices: []string{"absent", "drained", "present", "started", "stopped"}},
		{Name: "exclude_hosts", Kind: List},
		{Name: "sleep", Kind: Int, Default: 1},
		{Name: "msg", Kind: String},
	}}
}

type waitTask struct {
	host, path, state, regex, msg  string
	port                           int
	timeout, connect, delay, sleep int
	hasPort, hasPath, hasRegex     bool
	ere                            string
	re                             *regexp.Regexp
	states                         []string
	excludes                       []string
	hasExcludes                    bool
}

func readWaitTask(a Args) (*waitTask, error) {
	w := &waitTask{host: a.String("host"), path: a.String("path"), state: a.String("state"), regex: a.String("search_regex"), msg: a.String("msg"),
		port: a.Int("port"), timeout: a.Int("timeout"), connect: a.Int("connect_timeout"), delay: a.Int("delay"), sleep: a.Int("sleep"),
		hasPort: a.Has("port") && a.Int("port") != 0, hasPath: a.Has("path") && a.String("path") != "", hasRegex: a.Has("search_regex"),
		states: a.List("active_connection_states"), excludes: a.List("exclude_hosts"), hasExcludes: a.Has("exclude_hosts")}
	switch {
	case w.hasPort && w.hasPath:
		return nil, fmt.Errorf("port and path parameter can not both be passed to wait_for")
	case w.hasPath && w.state == "stopped":
		return nil, fmt.Errorf("state=stopped should only be used for checking a port in the wait_for module")
	case w.hasPath && w.state == "drained":
		return nil, fmt.Errorf("state=drained should only be used for checking a port in the wait_for module")
	case w.hasExcludes && w.state != "drained":
		return nil, fmt.Errorf("exclude_hosts should only be with state=drained")
	}
	for _, s := range w.states {
		if _, ok := tcpStates[s]; !ok {
			return nil, fmt.Errorf("unknown active_connection_state (%s) defined", s)
		}
	}
	for _, n := range []struct {
		k string
		v int
	}{{"timeout", w.timeout}, {"connect_timeout", w.connect}, {"delay", w.delay}, {"sleep", w.sleep}} {
		if n.v < 0 {
			return nil, fmt.Errorf("%s must not be negative", n.k)
		}
	}
	if w.hasPort && (w.port < 0 || w.port > 65535) {
		return nil, fmt.Errorf("port %d is out of range", w.port)
	}
	if w.hasPath {
		if err := checkAbs("path", w.path); err != nil {
			return nil, err
		}
	}
	if w.host == "" || strings.HasPrefix(w.host, "-") || strings.ContainsAny(w.host, " \t\n/\x00") {
		return nil, fmt.Errorf("host %q is not a host name or address", w.host)
	}
	if w.hasRegex {
		var err error
		if w.re, err = regexp.Compile("(?m)" + w.regex); err != nil {
			return nil, fmt.Errorf("Invalid regular expression: %v", err)
		}
		if w.ere, err = pythonToERE(w.regex); err != nil {
			return nil, fmt.Errorf("search_regex %q: %v", w.regex, err)
		}
	}
	return w, nil
}

// pythonToERE translates the common part of Python's regular expressions
// into POSIX extended ones for grep -E.
func pythonToERE(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			e := p[i]
			cls := map[byte][2]string{'d': {"[0-9]", "0-9"}, 's': {"[[:space:]]", "[:space:]"}, 'w': {"[[:alnum:]_]", "[:alnum:]_"},
				'D': {"[^0-9]", ""}, 'S': {"[^[:space:]]", ""}, 'W': {"[^[:alnum:]_]", ""}}
			switch {
			case cls[e][0] != "" && !inClass:
				b.WriteString(cls[e][0])
			case cls[e][1] != "" && inClass:
				b.WriteString(cls[e][1])
			case cls[e][0] != "":
				return "", fmt.Errorf("\\%c inside [...] is not supported by tend", e)
			case e >= '1' && e <= '9':
				return "", fmt.Errorf("back references are not supported by tend")
			case e == 'n':
				return "", fmt.Errorf("a newline in the pattern is not supported by tend (grep matches line by line)")
			case e == 't':
				b.WriteByte('\t')
			case e == 'b' || e == 'B' || e == 'A' || e == 'Z' || e == 'z':
				return "", fmt.Errorf("\\%c is not supported by tend", e)
			case inClass && (e == ']' || e == '\\' || e == '^' || e == '-'):
				return "", fmt.Errorf("an escaped %q inside [...] is not supported by tend", e)
			case inClass:
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?:"):
			b.WriteByte('(')
			i += 2
		case c == '(' && strings.HasPrefix(p[i:], "(?P<"):
			j := strings.IndexByte(p[i:], '>')
			if j < 0 {
				return "", fmt.Errorf("unterminated group name")
			}
			b.WriteByte('(')
			i += j
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			return "", fmt.Errorf("(?%c...) is not supported by tend", p[min(i+2, len(p)-1)])
		case (c == '*' || c == '+' || c == '?' || c == '}') && i+1 < len(p) && p[i+1] == '?':
			return "", fmt.Errorf("lazy quantifiers are not supported by tend")
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return "", fmt.Errorf("unterminated [")
	}
	return b.String(), nil
}

// procHex is _convert_host_to_hex for an address: how /proc/net/tcp*
// spell it (each 4-byte word little-endian), with the IPv4-mapped IPv6
// form of an IPv4 address. family is "4" or "6".
func procHex(host string) ([][2]string, error) {
	var ips []net.IP
	if host == "localhost" {
		ips = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	} else if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		return nil, fmt.Errorf("%q: state=drained needs addresses for host and exclude_hosts (or localhost): tend does not resolve names for /proc/net/tcp", host)
	}
	hex := func(b []byte) string {
		var s strings.Builder
		for i := 0; i < len(b); i += 4 {
			fmt.Fprintf(&s, "%02X%02X%02X%02X", b[i+3], b[i+2], b[i+1], b[i])
		}
		return s.String()
	}
	var out [][2]string
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			out = append(out, [2]string{"4", hex(v4)}, [2]string{"6", hex(v4.To16())})
		} else {
			out = append(out, [2]string{"6", hex(ip.To16())})
		}
	}
	return out, nil
}

// awkDrained counts the active connections to the port, as
// get_active_connections_count does; the lists come from the
// environment as space-separated "FAMILY:HEX" words.
const awkDrained = `BEGIN {
	port = ENVIRON["tend_port"]
	n = split(ENVIRON["tend_states"], a, " "); for (i = 1; i <= n; i++) st[a[i]] = 1
	n = split(ENVIRON["tend_ips"], a, " "); for (i = 1; i <= n; i++) ips[a[i]] = 1
	n = split(ENVIRON["tend_excl"], a, " "); for (i = 1; i <= n; i++) ex[a[i]] = 1
	c = 0
}
FNR == 1 { fam = (FILENAME ~ /6$/) ? "6" : "4"; all = (fam == "6") ? "00000000000000000000000000000000" : "00000000" }
$2 == "local_address" { next }
!($4 in st) { next }
{
	split($2, l, ":"); split($3, r, ":")
	if (l[2] != port) next
	if ((fam ":" r[1]) in ex) next
	if ((fam ":" l[1]) in ips || (fam ":" all) in ips || (substr(l[1], 1, 24) == "0000000000000000FFFF0000" && ("6:0000000000000000FFFF000000000000") in ips)) c++
}
END { print c }`

func (waitForModule) Probe(t *Task) (string, error) {
	_, err := readWaitTask(t.Args)
	return "", err
}

func (m waitForModule) Plan(t *Task, _ Output) (*Change, error) {
	w, err := readWaitTask(t.Args)
	if err != nil {
		return nil, err
	}
	s := newScript()
	s.use("tend_blob")
	useSvcVal(s)
	s.add(`tend_start=$(date +%s) || exit 1; tend_end=$((tend_start + `, strconv.Itoa(w.timeout), `))`)
	if w.delay > 0 {
		s.add(`sleep `, strconv.Itoa(w.delay))
	}
	// tend_check: 0 when the condition holds; 2 and a message on stderr
	// for an error that waiting cannot fix.
	var check []string
	switch {
	case !w.hasPort && !w.hasPath && w.state != "drained":
		// Ansible sleeps the whole timeout.
		s.add(`sleep `, strconv.Itoa(w.timeout))
		check = []string{`:`}
	case w.state == "absent" || w.state == "stopped":
		if w.hasPath {
			check = []string{`[ ! -e ` + q(w.path) + ` ] && [ ! -L ` + q(w.path) + ` ]`}
		} else {
			m.connector(s)
			check = []string{`! tend_connect ` + q(w.host) + ` ` + strconv.Itoa(w.port) + ` ` + strconv.Itoa(w.connect) + ` ''`}
		}
	case w.state == "drained":
		if !w.hasPort {
			return nil, errorf("state=drained needs a port")
		}
		ips, err := procHex(w.host)
		if err != nil {
			return nil, errorf("%v", err)
		}
		var excl [][2]string
		for _, h := range w.excludes {
			x, err := procHex(h)
			if err != nil {
				return nil, errorf("%v", err)
			}
			excl = append(excl, x...)
		}
		var states []string
		for _, st := range w.states {
			states = append(states, tcpStates[st])
		}
		words := func(l [][2]string) string {
			var o []string
			for _, x := range l {
				o = append(o, x[0]+":"+x[1])
			}
			return strings.Join(o, " ")
		}
		dir := m.procNet
		if dir == "" {
			dir = "/proc/net"
		}
		s.add(`tend_port=`, fmt.Sprintf("%04X", w.port), ` tend_states=`, q(strings.Join(states, " ")), ` tend_ips=`, q(words(ips)), ` tend_excl=`, q(words(excl)))
		s.add(`export tend_port tend_states tend_ips tend_excl`)
		s.add(`tend_drained() {`)
		s.add(`	set --; for tend_f in `, q(dir+"/tcp"), ` `, q(dir+"/tcp6"), `; do [ ! -f "$tend_f" ] || set -- "$@" "$tend_f"; done`)
		s.add(`	[ $# -gt 0 ] || return 0`)
		s.add(`	tend_n=$(awk `, q(awkDrained), ` "$@") || { echo "cannot read $*" >&2; return 2; }`)
		s.add(`	[ "$tend_n" = 0 ]`)
		s.add(`}`)
		check = []string{`tend_drained`}
	case w.hasPath:
		p := q(w.path)
		if !w.hasRegex {
			check = []string{`[ -e ` + p + ` ]`}
		} else {
			check = []string{`[ -e ` + p + ` ] && [ -r ` + p + ` ] && tend_grep ` + p}
		}
	default:
		m.connector(s)
		if !w.hasRegex {
			check = []string{`tend_connect ` + q(w.host) + ` ` + strconv.Itoa(w.port) + ` ` + strconv.Itoa(w.connect) + ` ''`}
		} else {
			check = []string{`tend_connect ` + q(w.host) + ` ` + strconv.Itoa(w.port) + ` ` + strconv.Itoa(w.connect) + ` read && printf '%s' "$tend_data" | tend_grep -`}
		}
	}
	if w.hasRegex {
		// grep's status 2 is a broken pattern: waiting will not help.
		s.add(`tend_grep() { tend_x=0; grep -E -q -e `, q(w.ere), ` -- "$1" 2>/dev/null || tend_x=$?; [ "$tend_x" -lt 2 ] || { echo "grep -E cannot use the pattern "`, q(w.ere), ` >&2; exit 1; }; return "$tend_x"; }`)
	}
	s.add(`while :; do`)
	s.add(`	if `, strings.Join(check, " && "), `; then tend_ok=1; break; fi`)
	s.add(`	[ "$(date +%s)" -lt "$tend_end" ] || { tend_ok=0; break; }`)
	s.add(`	sleep `, strconv.Itoa(w.sleep))
	s.add(`	[ "$(date +%s)" -lt "$tend_end" ] || { tend_ok=0; break; }`)
	s.add(`done`)
	s.add(`printf 'ok=%s\nelapsed=%s\n' "$tend_ok" $(($(date +%s) - tend_start))`)
	if w.hasPath {
		// Ansible adds the path's information to a result naming a path,
		// its state ("file", "absent"...) over wait_for's own.
		s.stat("r", q(w.path), false, "", "")
	}
	if w.hasRegex {
		if w.hasPath {
			s.add(`if [ "$tend_ok" = 1 ]; then tend_blob data `, q(w.path), ` || exit 1; fi`)
		} else {
			s.add(`if [ "$tend_ok" = 1 ]; then tend_val data "$tend_data" || exit 1; fi`)
		}
	}
	return &Change{
		Apply:        s.String(),
		CheckUnknown: true,
		Result:       whenApplied(w.result),
	}, nil
}

// connector defines tend_connect HOST PORT TIMEOUT READ: 0 when a TCP
// connection opens; with READ=read, what the server sent is in
// $tend_data.
func (waitForModule) connector(s *script) {
	s.add(`if command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q -e ' -z'; then tend_via=nc-z`)
	s.add(`elif command -v bash >/dev/null 2>&1; then tend_via=bash; command -v timeout >/dev/null 2>&1 && tend_via=bash-timeout`)
	s.add(`elif command -v nc >/dev/null 2>&1; then tend_via=nc`)
	s.add(`else echo 'wait_for needs nc or bash on the host to open a TCP connection' >&2; exit 1; fi`)
	s.add(`tend_connect() {`)
	s.add(`	tend_data=`)
	s.add(`	case $tend_via:$4 in`)
	s.add(`	nc-z:) nc -z -w "$3" "$1" "$2" </dev/null >/dev/null 2>&1 ;;`)
	s.add(`	nc*:read) tend_data=$(nc -w "$3" "$1" "$2" </dev/null 2>/dev/null) ;;`)
	s.add(`	nc:) nc -w "$3" "$1" "$2" </dev/null >/dev/null 2>&1 ;;`)
	s.add(`	bash-timeout:) timeout "$3" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" </dev/null >/dev/null 2>&1 ;;`)
	s.add(`	bash:) bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" </dev/null >/dev/null 2>&1 ;;`)
	s.add(`	bash-timeout:read) tend_data=$(timeout "$3" bash -c 'exec 3<>"/dev/tcp/$0/$1" && cat <&3' "$1" "$2" </dev/null 2>/dev/null); [ -n "$tend_data" ] ;;`)
	s.add(`	bash:read) tend_data=$(bash -c 'exec 3<>"/dev/tcp/$0/$1" && cat <&3' "$1" "$2" </dev/null 2>/dev/null); [ -n "$tend_data" ] ;;`)
	s.add(`	esac`)
	s.add(`}`)
}

// result reads the output of an Apply that succeeded (see whenApplied).
func (w *waitTask) result(o Output) (Result, error) {
	r, err := parseRecords(o.Stdout)
	if err != nil {
		return nil, fmt.Errorf("apply printed something unexpected: %v", err)
	}
	el, err := r.num("elapsed")
	if err != nil {
		return nil, err
	}
	ok, err := r.flag("ok")
	if err != nil {
		return nil, err
	}
	if !ok {
		msg := w.msg
		if msg == "" {
			msg = w.timeoutMsg()
		}
		return Result{"failed": true, "changed": false, "msg": msg, "elapsed": int(el)}, nil
	}
	groups := []any{}
	dict := map[string]any{}
	if b, found := r.blob("data"); found && w.re != nil {
		if mt := w.re.FindSubmatch(b); mt != nil {
			for i, g := range mt[1:] {
				var v any
				if mt[i+1] != nil {
					v = string(g)
				}
				groups = append(groups, v)
				if n := w.re.SubexpNames()[i+1]; n != "" {
					dict[n] = v
				}
			}
		}
	}
	res := Result{"changed": false, "state": w.state, "elapsed": int(el), "match_groups": groups, "match_groupdict": dict,
		"port": nil, "path": nil, "search_regex": nil}
	if w.hasPort {
		res["port"] = w.port
	}
	if w.hasPath {
		res["path"] = w.path
		fi, err := r.stat("r")
		if err != nil {
			return nil, err
		}
		for k, v := range pathInfo(fi) {
			res[k] = v
		}
	}
	if w.hasRegex {
		res["search_regex"] = w.regex
	}
	return res, nil
}

func (w *waitTask) timeoutMsg() string {
	hp := w.host + ":" + strconv.Itoa(w.port)
	switch {
	case w.state == "drained":
		return "Timeout when waiting for " + hp + " to drain"
	case (w.state == "absent" || w.state == "stopped") && w.hasPort:
		return "Timeout when waiting for " + hp + " to stop."
	case w.state == "absent" || w.state == "stopped":
		return "Timeout when waiting for " + w.path + " to be absent."
	case w.hasPort && w.hasRegex:
		return "Timeout when waiting for search string " + w.regex + " in " + hp
	case w.hasPort:
		return "Timeout when waiting for " + hp
	case w.hasRegex:
		return "Timeout when waiting for search string " + w.regex + " in " + w.path
	}
	return "Timeout when waiting for file " + w.path
}
