// Package debrepo builds a tiny local apt repository for tests: .deb
// packages made with dpkg-deb, and the Packages and Release indexes written
// here, so that a host with
//
//	deb [trusted=yes] file:/srv/repo ./
//
// in its sources can apt-get update and install from it with no network.
package debrepo

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Pkg is one package to build.
type Pkg struct {
	Name    string
	Version string
	Arch    string // "all" when empty
	Depends string // as in a control file: "tend-a (>= 1.0), tend-b"
	// Files are installed by the package: absolute path -> content.
	Files map[string]string
}

// DebName is the file name BuildRepo gives the package.
func (p Pkg) DebName() string {
	v := p.Version
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[i+1:] // the epoch is not part of file names
	}
	return fmt.Sprintf("%s_%s_%s.deb", p.Name, v, p.arch())
}

func (p Pkg) arch() string {
	if p.Arch == "" {
		return "all"
	}
	return p.Arch
}

var (
	validName    = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	validVersion = regexp.MustCompile(`^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$`)
)

func (p Pkg) control() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: tend tests <tests@tend.invalid>\n", p.Name, p.Version, p.arch())
	if p.Depends != "" {
		fmt.Fprintf(&b, "Depends: %s\n", p.Depends)
	}
	fmt.Fprintf(&b, "Section: misc\nPriority: optional\nDescription: tend test package %s\n", p.Name)
	return b.String()
}

// BuildRepo writes the packages' .deb files into dir (created if needed),
// and the Packages and Release indexes (uncompressed) that list every
// package built. dpkg-deb must be on PATH; nothing else is needed (no
// dpkg-dev: the indexes are written here).
func BuildRepo(dir string, pkgs []Pkg) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "debrepo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var entries []string
	for i, p := range pkgs {
		if !validName.MatchString(p.Name) || !validVersion.MatchString(p.Version) {
			return fmt.Errorf("debrepo: bad package name or version %q %q", p.Name, p.Version)
		}
		root := filepath.Join(work, fmt.Sprint(i))
		if err := os.MkdirAll(filepath.Join(root, "DEBIAN"), 0o755); err != nil {
			return err
		}
		ctl := p.control()
		if err := os.WriteFile(filepath.Join(root, "DEBIAN", "control"), []byte(ctl), 0o644); err != nil {
			return err
		}
		for path, content := range p.Files {
			if !filepath.IsAbs(path) {
				return fmt.Errorf("debrepo: %s: file path %q is not absolute", p.Name, path)
			}
			f := filepath.Join(root, filepath.Clean(path))
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
				return err
			}
		}
		deb := filepath.Join(dir, p.DebName())
		// -Zgzip: readable by every dpkg; --root-owner-group: files owned by root.
		cmd := exec.Command("dpkg-deb", "-Zgzip", "--root-owner-group", "--build", root, deb)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("debrepo: dpkg-deb --build %s: %v: %s", p.Name, err, out)
		}
		data, err := os.ReadFile(deb)
		if err != nil {
			return err
		}
		m := md5.Sum(data)
		s := sha256.Sum256(data)
		entries = append(entries, fmt.Sprintf("%sFilename: ./%s\nSize: %d\nMD5sum: %s\nSHA256: %s\n",
			ctl, p.DebName(), len(data), hex.EncodeToString(m[:]), hex.EncodeToString(s[:])))
	}
	sort.Strings(entries)
	packages := []byte(strings.Join(entries, "\n"))
	if err := os.WriteFile(filepath.Join(dir, "Packages"), packages, 0o644); err != nil {
		return err
	}
	m := md5.Sum(packages)
	s := sha256.Sum256(packages)
	release := fmt.Sprintf("Origin: tend\nLabel: tend\nSuite: tend\nCodename: tend\nDate: %s\nMD5Sum:\n %s %d Packages\nSHA256:\n %s %d Packages\n",
		time.Now().UTC().Format(time.RFC1123Z), hex.EncodeToString(m[:]), len(packages), hex.EncodeToString(s[:]), len(packages))
	return os.WriteFile(filepath.Join(dir, "Release"), []byte(release), 0o644)
}
