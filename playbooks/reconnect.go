package playbooks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tend/modules"
	"tend/modules/shell"
	"tend/playbooks/load"
	"tend/transport"
)

// reconnect drops the host's connection and opens a new one, within
// connectTimeout when that is set.
func (h *hostRun) reconnect(ctx context.Context, connectTimeout time.Duration) error {
	if h.hs.conn != nil {
		h.hs.conn.Close()
		h.hs.conn = nil
	}
	h.dropProbes()
	if connectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, connectTimeout)
		defer cancel()
	}
	return h.connect(ctx)
}

// untilSuccess retries try until it succeeds or timeout passes, backing
// off as Ansible's reboot does (1, 2, 4, 8, then 12 seconds).
func untilSuccess(ctx context.Context, timeout time.Duration, what string, try func() error) error {
	end := time.Now().Add(timeout)
	var last error
	for n := 0; time.Now().Before(end); n++ {
		if last = try(); last == nil {
			return nil
		}
		wait := min(time.Duration(1<<min(n, 4))*time.Second, 12*time.Second)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(wait, time.Until(end))):
		}
	}
	if last != nil {
		return fmt.Errorf("Timed out waiting for %s (timeout=%d): %v", what, int(timeout.Seconds()), last)
	}
	return fmt.Errorf("Timed out waiting for %s (timeout=%d)", what, int(timeout.Seconds()))
}

// ping is what answers for Ansible's ping module: the host runs a command.
func (h *hostRun) ping(ctx context.Context, t *load.Task) error {
	out, err := h.exec(ctx, "echo pong", h.becomeUser(t))
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(out.Stdout)) != "pong" {
		return fmt.Errorf("ping test failed: %s", strings.TrimSpace(string(out.Stderr)))
	}
	return nil
}

// waitForConnectionModule reconnects until the host answers, as Ansible's
// wait_for_connection does; skipped in check mode.
func waitForConnectionModule(ctx context.Context, h *hostRun, t *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("wait_for_connection", raw)
	if err != nil {
		return failf("%v", err)
	}
	if h.checkMode(t) {
		return outcome{status: StatusSkipped, result: modules.Result{"skipped": true}}
	}
	start := time.Now()
	if err := sleepCtx(ctx, float64(args.Int("delay"))); err != nil {
		return failf("%v", err)
	}
	connectTimeout := seconds(args.Int("connect_timeout"))
	sleep := seconds(args.Int("sleep"))
	end := time.Now().Add(seconds(args.Int("timeout"))) // counted after delay, as in Ansible
	var last error
	for {
		if last = h.reconnect(ctx, connectTimeout); last == nil {
			if last = h.ping(ctx, t); last == nil {
				break
			}
		}
		if !time.Now().Add(sleep).Before(end) || ctx.Err() != nil {
			msg := fmt.Sprintf("timed out waiting for ping module test: %v", last)
			return outcome{status: StatusFailed, msg: msg, result: modules.Result{"failed": true, "msg": msg, "elapsed": int(time.Since(start).Seconds())}}
		}
		if err := sleepCtx(ctx, sleep.Seconds()); err != nil {
			return failf("%v", err)
		}
	}
	return outcome{status: StatusOK, result: modules.Result{"elapsed": int(time.Since(start).Seconds())}}
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

// allowLocalReboot lets tests run reboot on a local connection with a
// harmless reboot_command; Ansible refuses, so as not to reboot the
// controller.
var allowLocalReboot = false

// rebootModule reboots the host and waits until it is back, as Ansible's
// reboot does: the boot id changes, then test_command succeeds.
func rebootModule(ctx context.Context, h *hostRun, t *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("reboot", raw)
	if err != nil {
		return failf("%v", err)
	}
	if _, local := h.hs.conn.(*transport.Local); local && !allowLocalReboot {
		msg := "Running reboot with local connection would reboot the control node."
		return outcome{status: StatusFailed, msg: msg, result: modules.Result{"changed": false, "elapsed": 0, "rebooted": false, "failed": true, "msg": msg}}
	}
	if h.checkMode(t) {
		return outcome{status: StatusChanged, result: modules.Result{"changed": true, "elapsed": 0, "rebooted": true}}
	}
	user := h.becomeUser(t)
	bootCmd := args.String("boot_time_command")
	bootID := func() (string, error) {
		out, err := h.exec(ctx, bootCmd, user)
		if err != nil {
			return "", err
		}
		if out.ExitCode != 0 {
			return "", fmt.Errorf("failed to get host boot time info, rc: %d, stdout: %s, stderr: %s",
				out.ExitCode, strings.TrimSpace(string(out.Stdout)), strings.TrimSpace(string(out.Stderr)))
		}
		return strings.TrimSpace(string(out.Stdout)), nil
	}
	before, err := bootID()
	if err != nil {
		return outcome{status: StatusFailed, msg: err.Error(), result: modules.Result{"failed": true, "reboot": false, "msg": err.Error()}}
	}
	cmd := args.String("reboot_command")
	if cmd == "" {
		cmd = fmt.Sprintf("shutdown -r %d %s", args.Int("pre_reboot_delay")/60, shell.Quote(args.String("msg")))
	}
	// Ansible looks for the command in search_paths, not in PATH.
	var paths []string
	for _, p := range args.List("search_paths") {
		paths = append(paths, shell.Quote(p))
	}
	cmd = fmt.Sprintf("(PATH=%s:\"$PATH\"; export PATH; %s)", strings.Join(paths, ":"), cmd)
	// The connection may break as the host goes down: that is success.
	out, err := h.exec(ctx, cmd, user)
	start := time.Now()
	if err == nil && out.ExitCode != 0 {
		msg := fmt.Sprintf("Reboot command failed. Error was: '%s, %s'", strings.TrimSpace(string(out.Stdout)), strings.TrimSpace(string(out.Stderr)))
		return outcome{status: StatusFailed, msg: msg, result: modules.Result{"failed": true, "rebooted": false, "msg": msg, "elapsed": 0}}
	}
	if err := sleepCtx(ctx, float64(args.Int("post_reboot_delay"))); err != nil {
		return failf("%v", err)
	}
	timeout := seconds(args.Int("reboot_timeout"))
	connectTimeout := seconds(args.Int("connect_timeout"))
	err = untilSuccess(ctx, timeout, "last boot time check", func() error {
		if err := h.reconnect(ctx, connectTimeout); err != nil {
			return err
		}
		now, err := bootID()
		if err != nil {
			return err
		}
		if now == "" || now == before {
			return fmt.Errorf("boot time has not changed")
		}
		return nil
	})
	if err == nil {
		err = untilSuccess(ctx, timeout, "post-reboot test command", func() error {
			if h.hs.conn == nil {
				if err := h.reconnect(ctx, connectTimeout); err != nil {
					return err
				}
			}
			out, err := h.exec(ctx, args.String("test_command"), user)
			if err != nil {
				h.reconnect(ctx, connectTimeout) //nolint:errcheck // retried
				return err
			}
			if out.ExitCode != 0 {
				return fmt.Errorf("Test command failed: %s %s", strings.TrimSpace(string(out.Stderr)), strings.TrimSpace(string(out.Stdout)))
			}
			return nil
		})
	}
	elapsed := int(time.Since(start).Seconds())
	if err != nil {
		return outcome{status: StatusFailed, msg: err.Error(), result: modules.Result{"failed": true, "rebooted": true, "msg": err.Error(), "elapsed": elapsed}}
	}
	return outcome{status: StatusChanged, result: modules.Result{"changed": true, "rebooted": true, "elapsed": elapsed}}
}
