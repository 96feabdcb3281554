package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/spf13/cobra"

	"tend/internal/ansiblecfg"
	"tend/internal/vault"
)

// ansibleConfig is ansible.cfg (found as ansible-playbook finds it) and the
// ANSIBLE_* variables, read once per process. Its warnings (keys Ansible
// does not know) are printed once; a bad value is an error before any host
// is touched.
var ansibleConfig = sync.OnceValues(func() (*ansibleSetup, error) {
	cfg, err := ansiblecfg.Load(os.Getenv)
	if err != nil {
		return nil, err
	}
	s, err := cfg.Settings()
	if err != nil {
		return nil, err
	}
	return &ansibleSetup{cfg: cfg, settings: s}, nil
})

type ansibleSetup struct {
	cfg      *ansiblecfg.Config
	settings ansiblecfg.Settings
	warnOnce sync.Once
}

// loadConfig returns the configuration, printing its warnings to warn the
// first time.
func loadConfig(warn io.Writer) (*ansibleSetup, error) {
	a, err := ansibleConfig()
	if err != nil {
		return nil, err
	}
	a.warnOnce.Do(func() {
		for _, w := range a.cfg.Warnings {
			fmt.Fprintln(warn, "warning: "+w)
		}
	})
	return a, nil
}

// vaultFlags are where vault passwords come from, as ansible-playbook's.
type vaultFlags struct {
	ids, passwordFiles []string
	ask                bool
	once               sync.Once
	ring               *vault.Keyring
	err                error
}

func (f *vaultFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.ids, "vault-id", nil, "vault password as LABEL@FILE, LABEL@prompt or FILE (repeatable); an executable FILE is run")
	fl.StringArrayVar(&f.passwordFiles, "vault-password-file", nil, "file holding the vault password, or a script printing it (repeatable)")
	fl.BoolVar(&f.ask, "ask-vault-pass", false, "ask for the vault password on the terminal")
	fl.BoolVar(&f.ask, "ask-vault-password", false, "same as --ask-vault-pass")
	_ = fl.MarkHidden("ask-vault-password")
}

// keyring gathers the passwords in Ansible's order: ansible.cfg's
// vault_identity_list, --vault-id, --vault-password-file (else ansible.cfg's
// vault_password_file), then the prompt. It is built once per command.
func (f *vaultFlags) keyring(warn io.Writer) (*vault.Keyring, error) {
	f.once.Do(func() { f.ring, f.err = f.build(warn) })
	return f.ring, f.err
}

func (f *vaultFlags) build(warn io.Writer) (*vault.Keyring, error) {
	a, err := loadConfig(warn)
	if err != nil {
		return nil, err
	}
	s := a.settings
	ids := append(append([]string(nil), s.VaultIdentityList...), f.ids...)
	files := f.passwordFiles
	if len(files) == 0 && s.VaultPasswordFile != "" {
		files = []string{s.VaultPasswordFile}
	}
	for _, p := range files {
		ids = append(ids, vault.DefaultID+"@"+p)
	}
	if f.ask || s.AskVaultPass {
		ids = append(ids, vault.DefaultID+"@prompt")
	}
	ring := &vault.Keyring{}
	for _, id := range ids {
		label, src := vault.ParseID(id)
		var pw []byte
		if src == "prompt" {
			prompt := "Vault password: "
			if label != vault.DefaultID {
				prompt = fmt.Sprintf("Vault password (%s): ", label)
			}
			if pw, err = askSecret(prompt); err != nil {
				return nil, fmt.Errorf("vault password: %v", err)
			}
			if len(pw) == 0 {
				return nil, fmt.Errorf("vault password: an empty password was given")
			}
		} else if pw, err = vault.ReadPasswordFile(src, label); err != nil {
			return nil, err
		}
		ring.Add(label, pw, src)
		clear(pw)
	}
	return ring, nil
}
