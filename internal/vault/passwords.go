package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// scriptTimeout bounds a vault password script: one that hangs must not
// hang the run.
const scriptTimeout = 2 * time.Minute

// ParseID splits a --vault-id value: "label@source", or "source" alone
// (label DefaultID). source is a file, a script or "prompt".
func ParseID(spec string) (label, source string) {
	if i := strings.Index(spec, "@"); i >= 0 {
		return spec[:i], spec[i+1:]
	}
	return DefaultID, spec
}

// ReadPasswordFile gets the password for id from file as Ansible's
// get_file_vault_secret: an executable file is run and its standard
// output is the password (a script named *-client, or *-client.EXT, is
// passed --vault-id ID and exits 2 when it has no such id); any other file
// holds the password, surrounding blank space stripped. An empty password
// is an error.
func ReadPasswordFile(file, id string) ([]byte, error) {
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("vault password file %s: %w", file, unwrapPath(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("vault password file %s is a directory", file)
	}
	var pw []byte
	if st.Mode()&0o111 != 0 {
		pw, err = runScript(file, id)
		if err != nil {
			return nil, err
		}
		pw = bytes.Trim(pw, "\r\n")
	} else {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("vault password file %s: %w", file, unwrapPath(err))
		}
		pw = bytes.Trim(bytes.TrimSpace(data), "\r\n")
	}
	if len(pw) == 0 {
		return nil, fmt.Errorf("vault password file %s gave an empty password", file)
	}
	return pw, nil
}

func runScript(file, id string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	client := strings.HasSuffix(base, "-client")
	args := []string{}
	if client && id != "" {
		args = append(args, "--vault-id", id)
	}
	cmd := exec.CommandContext(ctx, file, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr // as Ansible: the script may prompt the user there
	if client {
		cmd.Stderr = &stderr
	}
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("vault password script %s did not finish within %v", file, scriptTimeout)
	case errors.As(err, &exit) && client && exit.ExitCode() == 2:
		return nil, fmt.Errorf("vault password client script %s did not find a secret for vault-id=%s: %s",
			file, id, strings.TrimSpace(stderr.String()))
	case errors.As(err, &exit):
		return nil, fmt.Errorf("vault password script %s exited with status %d", file, exit.ExitCode())
	case err != nil:
		return nil, fmt.Errorf("running vault password script %s: %v (if it is not a script, remove its executable bit)", file, err)
	}
	return stdout.Bytes(), nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
