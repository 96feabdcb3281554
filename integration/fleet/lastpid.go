package fleet

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// LastPID returns the last PID the host's PID namespace handed out, so that
// two reads tell how many processes were started on the host between them:
// after - before - 1, since each read costs the namespace one PID of its own.
//
// ns_last_pid answers for the reader's own PID namespace, whatever /proc it
// is read through (/proc/PID/root/proc/sys/... would give the machine's), so
// it is read by a process that nsenter starts in the host's namespace.
func (h *Host) LastPID() (int, error) {
	pid := h.Pid()
	if pid == 0 {
		return 0, fmt.Errorf("fleet: %s is stopped", h.Name)
	}
	out, err := exec.Command("nsenter", "-t", strconv.Itoa(pid), "-p", "cat", "/proc/sys/kernel/ns_last_pid").Output()
	if err != nil {
		return 0, fmt.Errorf("fleet: reading %s's last PID: %w", h.Name, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, fmt.Errorf("fleet: %s's last PID: %w", h.Name, err)
	}
	return n, nil
}
