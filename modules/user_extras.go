package modules

import (
	"fmt"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// The user module's password aging, expiry, lock and SSH key: what
// Ansible's User does after useradd or usermod (set_password_expire,
// usermod -e/-L/-U, ssh_key_gen). Aging, expiry and the lock are edits of
// /etc/shadow through the files backend's awk, whatever the backend (as
// the password is: one way, under shadow's locks, and testable on a root).

// userExtras are the task's arguments for these.
type userExtras struct {
	expires          *float64
	lock             *bool
	expMax, expMin   *int
	genKey           bool
	keyBits          int
	keyType, keyFile string
	keyComment       *string
	keyPass          *string
}

var sshKeyType = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9@._-]*$`)

func readUserExtras(a Args) (userExtras, error) {
	x := userExtras{genKey: a.Bool("generate_ssh_key"), keyBits: a.Int("ssh_key_bits"), keyType: a.String("ssh_key_type")}
	if a.Has("expires") {
		f, err := strconv.ParseFloat(strings.TrimSpace(a.String("expires")), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
			return x, fmt.Errorf("Invalid value for 'expires' %s", a.String("expires"))
		}
		x.expires = &f
	}
	if a.Has("password_lock") {
		b := a.Bool("password_lock")
		x.lock = &b
	}
	for _, k := range []string{"password_expire_max", "password_expire_min"} {
		if a.Has(k) {
			n := a.Int(k)
			if n < -1 {
				return x, fmt.Errorf("%s must be -1 or more", k)
			}
			if k == "password_expire_max" {
				x.expMax = &n
			} else {
				x.expMin = &n
			}
		}
	}
	if x.keyType == "" {
		x.keyType = "rsa"
	}
	if !sshKeyType.MatchString(x.keyType) {
		return x, fmt.Errorf("ssh_key_type %q is not a key type", x.keyType)
	}
	if x.keyBits < 0 {
		return x, fmt.Errorf("ssh_key_bits must not be negative")
	}
	x.keyFile = a.String("ssh_key_file")
	if !a.Has("ssh_key_file") {
		x.keyFile = ".ssh/id_" + x.keyType
	}
	if x.keyFile == "" || strings.ContainsAny(x.keyFile, "\n\x00") {
		return x, fmt.Errorf("ssh_key_file %q is not a file name", x.keyFile)
	}
	if a.Has("ssh_key_comment") {
		c := a.String("ssh_key_comment")
		if strings.ContainsAny(c, "\n\r\x00") {
			return x, fmt.Errorf("ssh_key_comment must be one line")
		}
		x.keyComment = &c
	}
	if a.Has("ssh_key_passphrase") {
		p := a.String("ssh_key_passphrase")
		if strings.ContainsAny(p, "\n\r\x00") {
			return x, fmt.Errorf("ssh_key_passphrase must be one line")
		}
		x.keyPass = &p
	}
	return x, nil
}

// aging says whether the task asks about shadow's fields.
func (x userExtras) aging() bool {
	return x.expires != nil || x.lock != nil || x.expMax != nil || x.expMin != nil
}

// keyPath is where the key goes for a user whose home is home: a relative
// ssh_key_file is in the home, as get_ssh_key_path joins it.
func (x userExtras) keyPath(home string) string {
	if path.IsAbs(x.keyFile) {
		return path.Clean(x.keyFile)
	}
	if home == "" {
		return ""
	}
	return path.Join(home, x.keyFile)
}

func (m userModule) keygen() string {
	if m.keygenCmd == "" {
		return "ssh-keygen"
	}
	return q(m.keygenCmd)
}

// probeExtras prints the user's shadow fields (never the hash: only
// whether it is locked) and, for generate_ssh_key, what is at the key's
// path. $tend_c is the current home; home is the requested one ("" none).
func (m userModule) probeExtras(s *script, u *userTask) {
	x := u.x
	if x.aging() {
		s.add(`if [ -f "$tend_e/shadow" ]; then awk -F: '$1 == ENVIRON["tend_n"] { print "shadow.lock=" (substr($2, 1, 1) == "!" ? 1 : 0); print "shadow.min=" $4; print "shadow.max=" $5; print "shadow.expire=" $8; exit }' "$tend_e/shadow" || exit 1; fi`)
	}
	if !x.genKey || u.state != "present" {
		return
	}
	useSvcVal(s)
	s.add(`if command -v `, m.keygen(), ` >/dev/null 2>&1; then echo key.tool=1; else echo key.tool=0; fi`)
	switch {
	case path.IsAbs(x.keyFile):
		s.add(`tend_k=`, q(m.env.hostPath(x.keyFile)))
	case u.hasHome:
		s.add(`tend_k=`, q(m.env.hostPath(x.keyPath(u.home))))
	default:
		s.add(`tend_k=; [ -z "$tend_c" ] || tend_k=$tend_r$tend_c/`, q(x.keyFile))
	}
	s.add(`if [ -z "$tend_k" ]; then echo key.priv=0; echo key.pub=0; else`)
	s.add(`if [ -e "$tend_k" ] || [ -L "$tend_k" ]; then echo key.priv=1; else echo key.priv=0; fi`)
	s.add(`if [ -e "$tend_k.pub" ] || [ -L "$tend_k.pub" ]; then echo key.pub=1; else echo key.pub=0; fi`)
	keyFacts(s, m.keygen())
	s.add(`fi`)
}

// keyFacts prints the key's fingerprint (ssh-keygen -l) and public key, as
// the result reports them, for the key at $tend_k.
func keyFacts(s *script, keygen string) {
	s.use("tend_blob")
	s.add(`if [ -e "$tend_k" ]; then tend_x=0; tend_o=$(`, keygen, ` -l -f "$tend_k" 2>&1 </dev/null) || tend_x=$?; printf 'key.fp_rc=%s\n' "$tend_x"; tend_val key.fp "$tend_o" || exit 1; fi`)
	s.add(`if [ -f "$tend_k.pub" ] && [ -r "$tend_k.pub" ]; then tend_blob key.pubtext "$tend_k.pub" || exit 1; fi`)
}

// shadowState is the user's shadow line as the probe read it.
type shadowState struct {
	found                 bool
	locked                bool
	min, max, expire      int64 // -1 for an empty field, as spwd reads it
	rawMin, rawMax, rawEx string
}

func readShadowState(r *records) (shadowState, error) {
	var st shadowState
	if _, ok := r.opt("shadow.lock"); !ok {
		return st, nil
	}
	st.found = true
	var err error
	if st.locked, err = r.flag("shadow.lock"); err != nil {
		return st, err
	}
	for _, f := range []struct {
		key string
		n   *int64
		raw *string
	}{{"shadow.min", &st.min, &st.rawMin}, {"shadow.max", &st.max, &st.rawMax}, {"shadow.expire", &st.expire, &st.rawEx}} {
		v, err := r.get(f.key)
		if err != nil {
			return st, err
		}
		*f.raw = v
		*f.n = -1
		if v != "" {
			if *f.n, err = strconv.ParseInt(v, 10, 64); err != nil {
				return st, fmt.Errorf("probe: %s=%q is not a number", f.key, v)
			}
		}
	}
	return st, nil
}

// keyState is what the probe found at the key's path.
type keyState struct {
	tool, priv, pub bool
	fp              string
	fpOK            bool
	pubText         *string
}

func readKeyState(r *records) (keyState, error) {
	var k keyState
	var err error
	if k.tool, err = r.flag("key.tool"); err != nil {
		return k, err
	}
	if k.priv, err = r.flag("key.priv"); err != nil {
		return k, err
	}
	if k.pub, err = r.flag("key.pub"); err != nil {
		return k, err
	}
	readKeyFacts(r, &k)
	return k, nil
}

func readKeyFacts(r *records, k *keyState) {
	if rc, ok := r.opt("key.fp_rc"); ok {
		b, _ := r.blob("key.fp")
		k.fp, k.fpOK = strings.TrimSpace(string(b)), rc == "0"
	}
	if b, ok := r.blob("key.pubtext"); ok {
		s := strings.TrimSpace(string(b))
		k.pubText = &s
	}
}

// extrasPlan is what the extras change.
type extrasPlan struct {
	diffs []Diff
	// aging: the shadow edit (empty strings keep a field).
	setMin, setMax, setExp, setLock string
	keyGen                          bool
	keyPath                         string // on the host, without the root
	home                            string // the final home, for a relative key
}

// planExtras compares the extras with the user as found (sh nil: no
// shadow line; created: the user is new, so only what Ansible sets after
// useradd applies). home is the user's home after the change.
func planExtras(u *userTask, sh shadowState, key keyState, home string, created, passwordSet bool) (extrasPlan, error) {
	x := u.x
	var p extrasPlan
	where := userPath(u.name)
	if created {
		// useradd writes aging from login.defs and no expiry: compare
		// with an unlocked line whose fields say nothing.
		sh = shadowState{found: true, min: -2, max: -2, expire: -1}
	}
	if sh.found {
		num := func(n int64) string {
			if n < 0 {
				return ""
			}
			return strconv.FormatInt(n, 10)
		}
		if x.expMin != nil && int64(*x.expMin) != sh.min {
			p.setMin = strconv.Itoa(*x.expMin)
			p.diffs = append(p.diffs, Diff{Path: where, Attr: "password_expire_min", Before: num(sh.min), After: p.setMin})
		}
		if x.expMax != nil && int64(*x.expMax) != sh.max {
			p.setMax = strconv.Itoa(*x.expMax)
			p.diffs = append(p.diffs, Diff{Path: where, Attr: "password_expire_max", Before: num(sh.max), After: p.setMax})
		}
		if e := x.expires; e != nil {
			before := expiryDate(sh.expire)
			if *e < 0 {
				if sh.expire >= 0 {
					p.setExp = "none"
					p.diffs = append(p.diffs, Diff{Path: where, Attr: "expires", Before: before, After: "never"})
				}
			} else if days := int64(math.Floor(*e / 86400)); sh.expire < 0 || sh.expire != days {
				p.setExp = strconv.FormatInt(days, 10)
				p.diffs = append(p.diffs, Diff{Path: where, Attr: "expires", Before: before, After: expiryDate(days)})
			}
		}
		if l := x.lock; l != nil {
			switch {
			case created && *l:
				p.setLock = "1" // Ansible's useradd -p '!HASH'; without a password the line is '!' already
			case created:
				// Ansible does not unlock a user it creates.
			case *l != sh.locked:
				p.setLock = map[bool]string{true: "1", false: "0"}[*l]
				p.diffs = append(p.diffs, Diff{Path: where, Attr: "password_lock", Before: strconv.FormatBool(sh.locked), After: strconv.FormatBool(*l)})
			case passwordSet:
				// A new hash set in the same run keeps the lock asked for.
				p.setLock = map[bool]string{true: "1", false: "0"}[*l]
			}
		}
	}
	if x.genKey && u.state == "present" {
		p.home = home
		if p.keyPath = x.keyPath(home); p.keyPath == "" {
			return p, fmt.Errorf("User %s home directory does not exist", u.name)
		}
		if !key.tool {
			return p, fmt.Errorf("Failed to find required executable ssh-keygen in paths: %s", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
		}
		if u.force || (!key.priv && !key.pub) {
			p.keyGen = true
			before := "absent"
			if key.priv || key.pub {
				before = "present (overwritten: force)"
			}
			p.diffs = append(p.diffs, Diff{Path: p.keyPath, Attr: "ssh_key", Before: before, After: x.keyType})
		}
	}
	return p, nil
}

// expiryDate is a shadow expiry day as Ansible's date format.
func expiryDate(days int64) string {
	if days < 0 {
		return "never"
	}
	y, m, d := civilFromDays(days)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// civilFromDays is the proleptic Gregorian date of a day since 1970-01-01.
func civilFromDays(z int64) (int64, int64, int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// awkAging sets tend_k's shadow fields: tend_min, tend_max (fields 4 and
// 5), tend_exp (8; "none" empties it) when set, and locks (tend_lock=1:
// a '!' before the hash) or unlocks (0) it. Unlocking a hash that is only
// '!' would leave no password: refused, as usermod -U refuses it.
const awkAging = `BEGIN { k = ENVIRON["tend_k"]; mn = ENVIRON["tend_min"]; mx = ENVIRON["tend_max"]; ex = ENVIRON["tend_exp"]; lk = ENVIRON["tend_lock"] }
$1 == k {
	n++
	if (mn != "") $4 = mn
	if (mx != "") $5 = mx
	if (ex == "none") $8 = ""; else if (ex != "") $8 = ex
	if (lk == "1" && substr($2, 1, 1) != "!") $2 = "!" $2
	if (lk == "0" && substr($2, 1, 1) == "!") {
		if ($2 ~ /^!+$/) { print "usermod: unlocking the user's password would result in a passwordless account. You should set a password with usermod -p to unlock this user's password." > "/dev/stderr"; exit 1 }
		$2 = substr($2, 2)
	}
}
{ print }
END { if (n != 1) { print k " has no line in shadow, or more than one" > "/dev/stderr"; exit 1 } }`

// applyExtras adds the lines that make the extras' changes, after the
// user's own change. The databases are in $tend_e.
func (m userModule) applyExtras(s *script, u *userTask, p extrasPlan) {
	if p.setMin != "" || p.setMax != "" || p.setExp != "" || p.setLock != "" {
		f := newFiles(s, m.env)
		f.set("tend_k", u.name, "tend_min", p.setMin, "tend_max", p.setMax, "tend_exp", p.setExp, "tend_lock", p.setLock)
		f.editIf("shadow", awkAging)
	}
	x := u.x
	if !x.genKey || u.state != "present" {
		return
	}
	s.use("tend_die")
	useSvcVal(s)
	s.add("tend_e=", q(m.env.root), "/etc; tend_n=", q(u.name), "; export tend_n")
	s.add(`tend_ku=$(awk -F: '$1 == ENVIRON["tend_n"] { print $3 ":" $4; exit }' "$tend_e/passwd") || exit 1`)
	if !path.IsAbs(x.keyFile) {
		s.add(`[ -d `, q(m.env.hostPath(p.home)), ` ] || tend_die `, q("User "+u.name+" home directory does not exist"))
	}
	s.add(`tend_k=`, q(m.env.hostPath(p.keyPath)), `; tend_kd=${tend_k%/*}`)
	gen := []string{m.keygen(), "-q", "-t", q(x.keyType)}
	if x.keyBits > 0 {
		gen = append(gen, "-b", strconv.Itoa(x.keyBits))
	}
	comment := `"ansible-generated on $(uname -n)"`
	if x.keyComment != nil {
		comment = q(*x.keyComment)
	}
	gen = append(gen, "-C", comment, "-f", `"$tend_k"`)
	if !p.keyGen {
		keyFacts(s, m.keygen())
		return
	}
	s.add(`if [ ! -d "$tend_kd" ]; then { mkdir -m 700 -- "$tend_kd" && chown -- "$tend_ku" "$tend_kd"; } || tend_die "Failed to create $tend_kd"; fi`)
	if u.force {
		s.add(`rm -f -- "$tend_k" "$tend_k.pub" || tend_die "cannot remove the old key $tend_k"`)
	}
	// Not when a key appeared since the probe (a second run): never
	// overwritten without force.
	s.add(`if [ ! -e "$tend_k" ] && [ ! -L "$tend_k" ] && [ ! -e "$tend_k.pub" ]; then`)
	if x.keyPass == nil {
		s.add(`tend_x=0; tend_o=$(`, strings.Join(gen, " "), ` -N '' </dev/null 2>&1) || tend_x=$?`)
	} else {
		// The passphrase never reaches argv: ssh-keygen asks an askpass
		// program for it (forced, or through DISPLAY before OpenSSH 8.4),
		// which prints it from its environment with a built-in printf.
		s.add(`tend_ap=$tend_kd/`, tempBase())
		s.add(`( umask 077; set -C; `, printfAll([]byte("#!/bin/sh\nprintf '%s\\n' \"$tend_pp\"\n")), ` > "$tend_ap" ) && chmod 700 "$tend_ap" || tend_die "cannot write $tend_ap"`)
		s.add(`tend_x=0; tend_o=$(tend_pp=`, q(*x.keyPass), ` SSH_ASKPASS=$tend_ap SSH_ASKPASS_REQUIRE=force DISPLAY=${DISPLAY:-tend} `, strings.Join(gen, " "), ` </dev/null 2>&1) || tend_x=$?`)
		s.add(`rm -f -- "$tend_ap"`)
	}
	s.add(`[ "$tend_x" = 0 ] || tend_die "ssh-keygen failed (exit status $tend_x): $tend_o"`)
	s.add(`chown -- "$tend_ku" "$tend_k" "$tend_k.pub" || tend_die "cannot chown $tend_k"`)
	s.add(`fi`)
	keyFacts(s, m.keygen())
}

// reportKey adds ssh_fingerprint, ssh_key_file and ssh_public_key as
// Ansible reports them.
func reportKey(res Result, keyPath string, k keyState) {
	res["ssh_key_file"] = keyPath
	res["ssh_fingerprint"] = k.fp
	if k.pubText != nil {
		res["ssh_public_key"] = *k.pubText
	} else {
		res["ssh_public_key"] = nil
	}
}
