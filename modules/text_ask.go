package modules

import (
	"errors"
	"fmt"
	"path"

	"tend/modules/hostq"
)

// textQuestions is what a module that edits a text file in Go
// (lineinfile, blockinfile) asks, as textProbe prints it: the file
// through links and where they lead (writes go through them), its content,
// the umask, the accounts when an owner or group is asked for, and with
// create the folders above it that a write would make.
func textQuestions(p string, own ownership, create bool) []hostq.Question {
	qs := []hostq.Question{hostq.Path{Path: p, Follow: true}, hostq.Real{Path: p}, hostq.Content{Path: p}, hostq.Umask{}}
	if own != (ownership{}) {
		qs = append(qs, hostq.Accounts{})
	}
	if create {
		for _, d := range parentDirs(path.Dir(p)) {
			qs = append(qs, hostq.Path{Path: d, Follow: true})
		}
	}
	return qs
}

// readText reads a text file from answers (lineinfile and blockinfile
// have no probe).
func readText(p string, own ownership, probe Output) (textFile, error) {
	if probe.Answers == nil {
		return textFile{}, errAsksOnly
	}
	a := probe.Answers
	tf := textFile{answers: a, real: p, names: own}
	var err error
	if tf.umask, err = a.Umask(); err != nil {
		return tf, err
	}
	if tf.fi, err = a.Path(p, true); err != nil {
		return tf, err
	}
	// The write goes to where the links lead.
	if real, err := a.Real(p); err != nil {
		return tf, err
	} else if real != "" {
		tf.real = real
	}
	if own != (ownership{}) {
		db, err := a.Accounts()
		if err != nil {
			return tf, err
		}
		db.MatchOwner(&tf.fi, own.Owner, own.Group)
		tf.names = namesOf(db, own)
	}
	if tf.exists = tf.fi.Exists; !tf.exists {
		return tf, nil
	}
	switch tf.fi.Type {
	case 'd':
		return tf, errorf("Path %s is a directory !", p)
	case '-':
	default:
		return tf, errorf("Path %s is a %s, not a regular file", p, tf.fi.Kind())
	}
	tf.before, err = a.Content(p)
	if errors.Is(err, hostq.ErrTooBig) {
		return tf, fmt.Errorf("%s is bigger than tend reads (%d KiB)", p, hostq.ContentLimit>>10)
	}
	return tf, err
}

// textEffects is what planTextEdit's change leaves on the host: the file
// written through its link (and the folders made for it), or its new
// attributes. written says whether the content is written.
func textEffects(tf textFile, te textEdit, ap attrPlan, written bool) []hostq.Effect {
	var out []hostq.Effect
	mode, own := ap.Mode, tf.names
	if !written {
		if !tf.exists {
			return nil
		}
		return []hostq.Effect{hostq.Attrs{Path: te.path, Follow: true, Perm: &mode, Owner: own.Owner, Group: own.Group}}
	}
	owner, group := own.Owner, own.Group
	if tf.exists {
		owner, group = nameOr(owner, tf.fi.Owner), nameOr(group, tf.fi.Group)
	} else {
		// mkdir -p makes the missing folders with the umask's mode.
		for _, d := range parentDirs(path.Dir(te.path)) {
			fi, err := tf.answers.Path(d, true)
			if err != nil {
				break // not asked (no create): none is made
			}
			if !fi.Exists {
				out = append(out, hostq.MakeDir{Path: d, Perm: 0o777 &^ tf.umask})
			}
		}
	}
	return append(out, hostq.WriteFile{Path: tf.real, Data: te.after, Known: true, Perm: mode, Owner: owner, Group: group})
}
